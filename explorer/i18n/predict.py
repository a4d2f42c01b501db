"""The Predict & Explain tab: predictions, Grad-CAM, weights, and the class names the page
translates (the demo's generated shapes, CIFAR-10's classes).

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "tab_predict": "Predict & Explain",
    "demo_line": "Demo models: two small ResNets this project trained on generated shapes "
    "({classes}), so predictions and Grad-CAM work offline. How they were trained and how well "
    "they do: their model card, at the foot of this tab.",
    "image": "Image",
    "examples": "Generated shapes for the demo models (click one):",
    "weights": "Weights",
    "weights_random": "random (untrained)",
    "weights_bundled": "bundled (trained by this project)",
    "weights_timm": "timm's pretrained weights (downloaded once when online)",
    "weights_default": "DEFAULT ({name})",
    "checkpoint": "Or your own weights for this model (.safetensors or .pth, optional)",
    "target": "Class to explain",
    "top1": "top-1 (the prediction)",
    "layer": "Grad-CAM layer",
    "opacity": "Overlay opacity",
    "colormap": "Colour map",
    "explain_btn": "Explain",
    "predictions": "Top-5 predictions",
    "overlay": "Grad-CAM over the image the model saw (its download is a lossless PNG)",
    "download_map": "Download raw map (16-bit PNG)",
    "stage_cams": "The same class at layer1 … layer4, left to right, with each map's grid: the deeper the layer, the coarser the map",
    "features": "The strongest channels of each stage's output (the first four channel numbers under each grid)",
    "untrained": "{title} has untrained (random) weights: these predictions mean nothing.",
    "use_demo": "Use the demo model",
    "status_torchvision": "{title}: ImageNet weights {weights}, as published by torchvision.",
    "status_bundled": "{title}: trained by this project on generated shapes; it knows only "
    "{classes}.",
    "status_file": "{title}: weights from a checkpoint ({weights}).",
    "status_random": "{title}: random initialisation; the architecture is exact, the predictions "
    "mean nothing.",
    "status_unavailable": "{title}: the ImageNet weights are not on this machine and cannot be "
    "downloaded now, so the model runs with random weights. To get them, run `python -m explorer "
    "fetch {name}` once with internet access.",
    "cam_caption": "Grad-CAM of “{label}” ({prob} probability) at {layer} ({grid} grid) of "
    "{model}.",
    "shortcuts_stale": "The model, its weights or the class changed: press “{button}” for {model}.",
    "no_image": "Upload an image, paste one, use the webcam, or click a generated example.",
    "downloading": "Downloading the weights of {name}",
    "walking_paths": "Following the gradient path by path: {paths} paths so far",
    "class_airplane": "airplane",
    "class_automobile": "automobile",
    "class_bird": "bird",
    "class_cat": "cat",
    "class_deer": "deer",
    "class_dog": "dog",
    "class_frog": "frog",
    "class_horse": "horse",
    "class_ship": "ship",
    "class_truck": "truck",
    "fit_other_arch": "Is it a checkpoint of another architecture? Pick the model it was trained as.",
    "fit_classes": "Its fc has {n} outputs: it was trained for {n} classes.",
}

ZH = {
    "tab_predict": "预测与解释",
    "demo_line": "演示模型：本项目在生成的形状图像（{classes}）上自行训练的两个小型 ResNet，"
    "因此离线也能预测并显示 Grad-CAM。它们如何训练、效果如何，见本页底部的模型说明。",
    "image": "图像",
    "examples": "为演示模型生成的形状（点击试用）：",
    "weights": "权重",
    "weights_random": "随机初始化（未训练）",
    "weights_bundled": "内置（本项目训练）",
    "weights_timm": "timm 的预训练权重（联网时下载一次）",
    "weights_default": "默认 DEFAULT（{name}）",
    "checkpoint": "或上传该模型的自有权重（.safetensors 或 .pth，可选）",
    "target": "要解释的类别",
    "top1": "top-1（预测结果）",
    "layer": "Grad-CAM 所在层",
    "opacity": "叠加不透明度",
    "colormap": "配色",
    "explain_btn": "解释",
    "predictions": "前 5 个预测",
    "overlay": "模型所见图像上的 Grad-CAM（下载为无损 PNG）",
    "download_map": "下载原始热力图（16 位 PNG）",
    "stage_cams": "同一类别从左到右在 layer1 … layer4 的 Grad-CAM（标注网格大小）：层越深，热力图越粗",
    "features": "各 stage 输出中最强的通道（每组下方标出前四个通道的编号）",
    "untrained": "{title} 的权重未经训练（随机初始化）：这些预测没有意义。",
    "use_demo": "改用演示模型",
    "status_torchvision": "{title}：torchvision 发布的 ImageNet 权重 {weights}。",
    "status_bundled": "{title}：由本项目在生成的形状上训练，只认识 {classes}。",
    "status_file": "{title}：权重来自检查点（{weights}）。",
    "status_random": "{title}：随机初始化；结构准确，但预测没有意义。",
    "status_unavailable": "{title}：本机没有 ImageNet 权重，目前也无法下载，因此模型使用随机权重。"
    "联网后运行一次 `python -m explorer fetch {name}` 即可获取。",
    "cam_caption": "{model} 中“{label}”（概率 {prob}）在 {layer} 的 Grad-CAM（{grid} 网格）。",
    "shortcuts_stale": "模型、权重或类别已更换：请点击“{button}”，测量 {model}。",
    "no_image": "请上传或粘贴图像、使用摄像头，或点击一个生成的示例。",
    "downloading": "正在下载 {name} 的权重",
    "walking_paths": "正在逐条追踪梯度路径：已追踪 {paths} 条",
    "class_airplane": "飞机",
    "class_automobile": "汽车",
    "class_bird": "鸟",
    "class_cat": "猫",
    "class_deer": "鹿",
    "class_dog": "狗",
    "class_frog": "青蛙",
    "class_horse": "马",
    "class_ship": "船",
    "class_truck": "卡车",
    "fit_other_arch": "它是否是另一种架构的权重？请选择训练它时所用的模型。",
    "fit_classes": "它的 fc 有 {n} 个输出：它是为 {n} 个类别训练的。",
}
