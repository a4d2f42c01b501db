"""The page's frame: title, tabs, language, model and size boxes, notes shared by the tabs.

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "title": "ResNet Explorer",
    "subtitle": "The block structure of every ResNet depth, torchvision's, timm's or your own, "
    "read from what the real modules compute: where each layer count comes from, what every "
    "stage outputs, what each block costs.",
    "language": "Language",
    "tab_arch": "Architecture",
    "tab_compare": "Compare",
    "model": "Model",
    "model_info": "torchvision · the paper · timm · yours: a registry name, timm/NAME, or a "
    "custom spec such as bottleneck-2-2-2-2",
    "input_size": "Input size (pixels)",
    "custom_title": "Build a custom ResNet",
    "block_type": "Block type",
    "stage_blocks": "{stage} blocks",
    "groups": "Groups (3×3 conv)",
    "width": "Channels per group",
    "paper_v1": "Stride on the first 1×1 (paper v1)",
    "build": "Analyse this ResNet",
    "form_blocks": "“{field}” must be a whole number from 1 to {max}; it is {value}.",
    "form_groups": "“{field}” must be a whole number from 1 to {max}; it is {value}.",
    "form_width": "“{field}” must be a whole number of at least 1; it is {value}.",
    "form_group_width": "“{groups_field}” × “{width_field}” is {groups} × {width} = {product}, "
    "more than {max} channels: lower one of them (ResNeXt 32×4d uses 32 × 4 = 128).",
    "custom_built": "Built {spec}: its analysis is below.",
    "form_empty": "empty",
    "custom_hint": "Groups and channels per group apply to Bottleneck only: ResNeXt 32×4d uses 32 "
    "and 4, Wide ResNet 1 and 128, plain ResNet 1 and 64.",
    "section_stages": "Stages",
    "section_costs": "Where the parameters and the computation go",
    "section_diagram": "The residual block at each stage",
    "section_tree": "Layer tree",
    "download_json": "Download summary (JSON)",
    "download_csv": "Download layer table (CSV)",
    "model_a": "Model A",
    "model_b": "Model B",
    "presets": "Classroom comparisons",
    "preset_basic_bottleneck": "ResNet-34 vs ResNet-50: BasicBlock vs Bottleneck",
    "preset_v1": "ResNet-50: torchvision v1.5 vs the paper's v1",
    "preset_depth": "ResNet-18 vs ResNet-34: more blocks",
    "preset_resnext": "ResNet-50 vs ResNeXt-50 32×4d: grouped 3×3",
    "preset_options": "Table 3: shortcut option A vs C (ResNet-34)",
    "section_compare_stages": "Per stage",
    "section_compare_blocks": "One block at each stage's width",
    "macs_note": "MACs are the multiply-accumulates of conv and fc layers per image, the unit of "
    "the paper's \"FLOPs\" and torchvision's GFLOPS. BatchNorm, ReLU, pooling and the residual "
    "additions are not counted.",
    "error": "Could not analyse this model: {message}",
    "error_title": "Error",
    "projector": "Projection mode",
    "copy_link": "Copy a link to this view",
    "model_card": "Model card of the demo models",
    "error_image": "Could not explain this image: {message}",
}

ZH = {
    "title": "ResNet 结构浏览器",
    "subtitle": "逐层查看各种深度 ResNet（torchvision、timm 或你自己写的）的 block 结构，数据直接读自真实模块的计算："
    "层数从何而来、每个 stage 输出什么、每个 block 开销多少。",
    "language": "语言",
    "tab_arch": "网络结构",
    "tab_compare": "对比",
    "model": "模型",
    "model_info": "torchvision · 论文 · timm · 你的模型：注册表中的模型名、timm/NAME，或自定义写法，如 "
    "bottleneck-2-2-2-2",
    "input_size": "输入尺寸（像素）",
    "custom_title": "自定义 ResNet",
    "block_type": "Block 类型",
    "stage_blocks": "{stage} 的 block 数",
    "groups": "分组数（3×3 卷积）",
    "width": "每组通道数",
    "paper_v1": "stride 放在第一个 1×1 卷积上（论文 v1）",
    "build": "分析这个 ResNet",
    "form_blocks": "“{field}”必须是 1 到 {max} 之间的整数，当前为 {value}。",
    "form_groups": "“{field}”必须是 1 到 {max} 之间的整数，当前为 {value}。",
    "form_width": "“{field}”必须是不小于 1 的整数，当前为 {value}。",
    "form_group_width": "“{groups_field}” × “{width_field}” 为 {groups} × {width} = {product}，"
    "超过了 {max} 个通道：请调小其中一个（ResNeXt 32×4d 用的是 32 × 4 = 128）。",
    "custom_built": "已构建 {spec}：分析结果见下方。",
    "form_empty": "空",
    "custom_hint": "分组数与每组通道数只对 Bottleneck 有效：ResNeXt 32×4d 为 32 和 4，"
    "Wide ResNet 为 1 和 128，普通 ResNet 为 1 和 64。",
    "section_stages": "各个 stage",
    "section_costs": "参数量与计算量分布",
    "section_diagram": "各 stage 的残差 block",
    "section_tree": "逐层结构树",
    "download_json": "下载摘要（JSON）",
    "download_csv": "下载逐层表（CSV）",
    "model_a": "模型 A",
    "model_b": "模型 B",
    "presets": "课堂常用对比",
    "preset_basic_bottleneck": "ResNet-34 对比 ResNet-50：BasicBlock 与 Bottleneck",
    "preset_v1": "ResNet-50：torchvision v1.5 对比论文原版 v1",
    "preset_depth": "ResNet-18 对比 ResNet-34：更多 block",
    "preset_resnext": "ResNet-50 对比 ResNeXt-50 32×4d：分组 3×3 卷积",
    "preset_options": "表 3：shortcut 方案 A 对比 C（ResNet-34）",
    "section_compare_stages": "逐 stage 对比",
    "section_compare_blocks": "同一 stage 宽度下的单个 block",
    "macs_note": "MACs 指每张图像在卷积层和全连接层中的乘加次数，即论文中“FLOPs”与 torchvision "
    "GFLOPS 所用的单位；BatchNorm、ReLU、池化和残差相加不计入。",
    "error": "无法分析该模型：{message}",
    "error_title": "出错了",
    "projector": "投影模式",
    "copy_link": "复制本视图的链接",
    "model_card": "演示模型的模型说明（英文）",
    "error_image": "无法解释这张图像：{message}",
}
