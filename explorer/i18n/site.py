"""The static site's own words (`python -m explorer export-site`): its frame, the model list and
where the live app is.

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "site_models": "Models",
    "site_models_intro": "Every network of the registry at its own input size (224 pixels for "
    "ImageNet's, 32 for CIFAR-10's, 64 for the demo models). Click one for its depth formula, "
    "stages, charts, blocks and layer tree.",
    "site_static": "A static copy of ResNet Explorer {version}: every number on it was computed "
    "from the real modules when it was exported. Predictions, Grad-CAM and the shortcut analysis "
    "need the live app.",
    "site_live": "Live app (upload a photo, Grad-CAM, shortcuts): {link}",
    "site_open_live": "Open this view in the live app",
    "site_run_live": "For predictions on your own photos, run the app: {command}",
    "site_figure3": "Figure 3 of the paper",
    "site_why": "Why shortcuts",
    "site_col_model": "model",
    "site_col_depth": "depth",
    "site_col_block": "block",
    "site_col_stages": "blocks per stage",
    "site_col_params": "params",
    "site_col_input": "input",
    "site_net_hint": "Every layer the depth counts is a box (kernel, output channels, /2 where "
    "the stride is); a solid arc is an identity shortcut, a dotted one a projection (grey: option "
    "A's zero padding, no weights). A network of more than 50 layers is drawn block by block: "
    "the live app opens a block with a click. Hover for names.",
    "batch_chart_title": "{task} over {n} images with {model}: mean ± one standard deviation",
    "batch_lesion_delta": "the target's probability without the block's residual branch, minus "
    "intact",
    "batch_grad_share_shortcut": "share of the gradient that came back through the shortcut",
    "site_figure3_intro": "VGG-19, the 34-layer plain network and ResNet-34, as the paper sets "
    "them side by side; below, ResNet-34 against its plain twin.",
}

ZH = {
    "site_models": "模型",
    "site_models_intro": "注册表中的每个网络，均按其自身的输入尺寸（ImageNet 网络 224 像素，CIFAR-10 网络 32 像素，演示模型 64 像素）。点击查看深度公式、各 stage、图表、block 与逐层结构树。",
    "site_static": "ResNet Explorer {version} 的静态副本：其中每个数字都是导出时由真实模块计算得到的。预测、Grad-CAM 与 shortcut 分析需要在线应用。",
    "site_live": "在线应用（上传照片、Grad-CAM、shortcut 分析）：{link}",
    "site_open_live": "在在线应用中打开此视图",
    "site_run_live": "要对自己的照片做预测，请运行应用：{command}",
    "site_figure3": "论文图 3",
    "site_why": "为什么要 shortcut",
    "site_col_model": "模型",
    "site_col_depth": "深度",
    "site_col_block": "block 类型",
    "site_col_stages": "各 stage 的 block 数",
    "site_col_params": "参数量",
    "site_col_input": "输入",
    "site_net_hint": "深度所计的每一层是一个方框（卷积核、输出通道数，有 stride 处标 /2）；实线弧是恒等 shortcut，点线弧是投影 shortcut（灰色点线：方案 A 的补零，无权重）。超过 50 层的网络按 block 绘制：在线应用中点击即可展开。悬停可看名称。",
    "batch_chart_title": "{model} 在 {n} 张图像上的 {task}：均值 ± 一个标准差",
    "batch_lesion_delta": "去掉该 block 的残差分支后目标类别的概率，减去完整网络的概率",
    "batch_grad_share_shortcut": "经由 shortcut 传回的梯度所占份额",
    "site_figure3_intro": "VGG-19、34 层 plain 网络与 ResNet-34，按论文的方式并排；下方为 ResNet-34 与其对应的 plain 网络的对比。",
}
