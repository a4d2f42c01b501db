"""The messages of the mistakes a user can cause (errors.ExplorerError.text); {x!r} quotes what
they typed.

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "err_too_large": "this file is {size:.1f} MB; upload an image of at most {limit} MB (a phone "
    "photo is usually 2-5 MB).",
    "err_image_missing": "image file not found: {path}.",
    "err_not_image": "this file is not an image Pillow can read. Upload a JPEG, PNG, WebP, GIF or "
    "BMP.",
    "err_bomb": "this image has too many pixels to open safely (more than {limit:,}). Upload a "
    "smaller version.",
    "err_damaged": "this image is damaged or incomplete ({detail}). Upload the file again or export "
    "it anew.",
    "err_empty_image": "this image is empty. Upload a picture.",
    "err_timeout": "this request took longer than {seconds:.0f} s and was stopped. The server may be "
    "busy: try again, or use a smaller model.",
    "err_no_layer": "no layer {layer!r} in {model}: choose a stage (layer1 … layer4) or a block "
    "such as {example}.",
    "err_no_layer_here": "no layer {layer!r} in this model: choose a stage (layer1 … layer4) or a "
    "block such as {example} ({count} layers in all).",
    "err_no_class_in": "{model} has no class called {target!r}; pick one of its classes or top-1.",
    "err_no_class": "no class called {target!r}; pass a class index or a label.",
    "err_not_upload": "this file was not uploaded to this page. Upload it again (drop it on the "
    "box or click to choose it), or click a generated example.",
    "err_data_url": "this pasted image is not a data URL the page can read. Paste or upload the "
    "image again.",
    "err_weights_choice": "{model} has no weights called {weights!r}; choose one of: {choices}. "
    "Your own weights go in the checkpoint box.",
    "err_too_costly": "{model} is too big to run on this server: {what} is {value}, the limit is "
    "{limit}. Choose fewer blocks per stage or a narrower width, or a model from the list.",
    "err_opacity": "the overlay opacity must be a number from 0 to 1, not {value!r}.",
    "err_colormap": "no colour map called {value!r}; choose one of: {choices}.",
    "err_bad_value": "{what} must be text from the menu, not {value!r}.",
    "cost_params": "the parameter count",
    "cost_macs": "the multiply-accumulates per image",
    "cost_activations": "the activation memory of one image",
    "err_method": "no saliency method {method!r}: choose one of {known}.",
    "err_option": "{option!r} is not an option of {method}; its options: {known}.",
    "err_option_value": "{option} must be a number from {low} to {high}, got {value!r}.",
    "err_patch": "an occlusion patch of {patch} px with stride {stride} does not fit: the patch must be at most the image side ({side} px) and the stride at most the patch.",
    "err_method_layer": "{method} explains the input pixels and reads no layer; leave the layer out (it was {layer!r}), or pick gradcam, gradcam++, layercam or guided_gradcam.",
    "err_no_relu": "guided backprop changes the backward pass of nn.ReLU modules, and {model} has none (it applies its activations as functions): use another method.",
    "err_sanity_mode": "no sanity check {mode!r}: choose one of {known}.",
    "err_no_shuffled": "{model} has no twin trained on shuffled labels; the label test runs on {known}.",
    "err_mask_size": "a mask through the model's crop is {got} pixels, not the input's {side}×{side}: give one mask per image, the image's own size.",
    "err_mask_count": "{masks} masks for {images} images: give one mask per image, or none.",
    "err_no_method": "choose at least one saliency method.",
    "err_target_range": "target class must be a whole number from 0 to {last}.",
    "err_unknown_model": "unknown model {name!r}. Known models: {known}; or {help}.",
    "err_no_model": "a model name is required. Known models: {known}.",
    "err_not_residual": "{model} is not a ResNet-style model, it has no residual blocks: {found}. The explorer reads networks "
    "whose modules add a branch's output to their own input on feature maps (N, C, H, W).",
    "found_tokens": "its forward pass adds {count} times, but on token sequences ({shape}) as a "
    "transformer does, not on feature maps",
    "found_inline": "its forward pass has {count} residual additions written in the model's own "
    "forward(); put each block in an nn.Module of its own so that it can be read",
    "found_plain": "its forward pass runs convolutions ({convs}) but adds no branch to its input "
    "anywhere (a plain network)",
    "err_target_syntax": "{target!r} is not FILE.py:CALLABLE or MODULE:CALLABLE, e.g. "
    "my_resnet.py:ResNet50 or my_package.models:resnet.",
    "err_target_file": "no Python file {file!r}; give the path of a .py file that defines the "
    "model.",
    "err_target_module": "cannot import {module!r} ({why}); run from the folder that holds it.",
    "err_target_callable": "{where} has no class or function {name!r} that builds an nn.Module.",
    "err_target_args": "{name}() needs arguments ({why}); name a class or function that builds "
    "the model without any, e.g. def ResNet50(): return ResNet([3, 4, 6, 3], 1000).",
    "err_no_timm": "timm models need timm: pip install 'resnet-explorer[timm]'.",
    "err_unknown_timm": "timm has no model called {name!r}; the residual families tested here: "
    "{known}.",
    "err_no_chain": "{model}'s forward does more than pass each module's output to the next "
    "({why}); the shortcut measures, lesions and Grad-CAM run a model module by module.",
    "err_two_sums": "{model}: the module {block} adds two residual branches in one call; the "
    "explorer reads one sum per block.",
    "err_block_twice": "{model}: the block {block} runs more than once in one forward pass; the "
    "explorer reads each block once.",
    "err_nested_blocks": "{model}: the block {block} holds other residual blocks; the explorer "
    "reads blocks that sit side by side.",
    "err_head_size": "{model} cannot run on a {size}×{size} input: {cause} Sizes it accepts: "
    "{sizes}.",
    "cause_fc_features": "{last} is {h}×{w} there, {pool} leaves {h2}×{w2}×{c} = {features} "
    "features, and {fc} expects {expects}. torchvision's ResNet uses AdaptiveAvgPool2d(1) "
    "so that any size works.",
    "err_spec": "invalid custom model {spec!r}: {why}. Expected {help}.",
    "spec_help": "a custom spec is BLOCK-N1-N2-N3-N4[-gG][-wW][-v1]: BLOCK is basic or bottleneck, "
    "N1..N4 the blocks per stage (1-{max}), gG the 3×3 groups and wW the channels per group "
    "(bottleneck only, default g1-w64), v1 the paper's stride placement (bottleneck only); "
    "e.g. bottleneck-2-2-2-2 or bottleneck-3-4-6-3-g32-w4",
    "why_block": "block type {block!r} is neither basic nor bottleneck",
    "why_counts": "it needs four whole-number stage counts after the block type",
    "why_stage_range": "each stage needs 1 to {max} blocks, got {counts}",
    "why_twice": "option {option!r} is given twice",
    "why_option": "unknown option {option!r}",
    "why_basic": "a BasicBlock has no groups, width or v1 option (bottleneck only)",
    "why_groups": "groups must be 1 to {max}, got {groups}",
    "why_group_width": "groups × width must be 1 to {max}, got {groups} × {width}",
    "err_input_whole": "input size must be a whole number of pixels, got {size!r}.",
    "err_input_range": "input size must be from {lo} to {hi} pixels, got {size}.",
    "err_ckpt_missing": "checkpoint file not found: {path}. Check the path.",
    "err_ckpt_unreadable": "{name} is not a readable PyTorch or safetensors checkpoint. Pass a "
    ".safetensors file or a file written by torch.save(model.state_dict(), path).",
    "err_ckpt_unreadable_why": "{name} is not a readable PyTorch or safetensors checkpoint "
    "({detail}). Pass a .safetensors file or a file written by torch.save(model.state_dict(), "
    "path).",
    "err_ckpt_pickle": "refused to load {name}: it holds Python objects besides tensors, and "
    "unpickling them could run code. Save a plain state_dict (torch.save(model.state_dict(), "
    "path)) or a .safetensors file.",
    "err_ckpt_no_state": "{name} holds no state_dict (a mapping from parameter names to tensors). "
    "Save one with torch.save(model.state_dict(), path).",
    "err_ckpt_fit": "{source} does not fit {model}: {details}. {hint}",
    "fit_missing": "{n} missing keys ({keys})",
    "fit_unexpected": "{n} unexpected keys ({keys})",
    "fit_shapes": "{n} keys with another shape, file vs model ({keys})",
    "fit_sep": "; ",
}

ZH = {
    "err_too_large": "该文件大小为 {size:.1f} MB；请上传不超过 {limit} MB 的图像（手机照片通常为 "
    "2–5 MB）。",
    "err_image_missing": "找不到图像文件：{path}。",
    "err_not_image": "该文件不是 Pillow 能读取的图像。请上传 JPEG、PNG、WebP、GIF 或 BMP 文件。",
    "err_bomb": "该图像像素过多，无法安全打开（超过 {limit:,} 像素）。请上传较小的版本。",
    "err_damaged": "该图像已损坏或不完整（{detail}）。请重新上传，或重新导出该文件。",
    "err_empty_image": "该图像是空的。请上传一张图片。",
    "err_timeout": "该请求运行超过 {seconds:.0f} 秒，已被停止。服务器可能正忙：请稍后重试，或换用较小的"
    "模型。",
    "err_no_layer": "{model} 中没有名为 {layer!r} 的层：请选择一个 stage（layer1 … layer4）或一个 "
    "block，例如 {example}。",
    "err_no_layer_here": "该模型中没有名为 {layer!r} 的层：请选择一个 stage（layer1 … layer4）或一个 "
    "block，例如 {example}（共 {count} 层可选）。",
    "err_no_class_in": "{model} 没有名为 {target!r} 的类别；请从它的类别中选择，或选 top-1。",
    "err_no_class": "没有名为 {target!r} 的类别；请给出类别序号或类别名。",
    "err_not_upload": "该文件不是上传到本页面的文件。请重新上传（拖到框中或点击选择），或点击一个生成的示例。",
    "err_data_url": "粘贴的图像不是页面能读取的 data URL。请重新粘贴或上传图像。",
    "err_weights_choice": "{model} 没有名为 {weights!r} 的权重；请选择其中之一：{choices}。"
    "自己的权重请放进检查点框。",
    "err_too_costly": "{model} 太大，无法在本服务器上运行：{what}为 {value}，上限为 {limit}。"
    "请减少每个 stage 的块数或宽度，或从列表中选择模型。",
    "err_opacity": "叠加不透明度必须是 0 到 1 之间的数字，而不是 {value!r}。",
    "err_colormap": "没有名为 {value!r} 的色图；请选择其中之一：{choices}。",
    "err_bad_value": "{what}必须是菜单中的文字，而不是 {value!r}。",
    "cost_params": "参数量",
    "cost_macs": "每张图像的乘加次数",
    "cost_activations": "单张图像的激活内存",
    "err_method": "没有名为 {method!r} 的显著图方法：请从 {known} 中选择。",
    "err_option": "{option!r} 不是 {method} 的选项；可用选项：{known}。",
    "err_option_value": "{option} 必须是 {low} 到 {high} 之间的数，收到的是 {value!r}。",
    "err_patch": "遮挡块 {patch} 像素、步长 {stride} 不合适：遮挡块不能大于图像边长（{side} 像素），步长不能大于遮挡块。",
    "err_method_layer": "{method} 解释的是输入像素，不读取任何层；请不要指定层（收到的是 {layer!r}），或改用 gradcam、gradcam++、layercam 或 guided_gradcam。",
    "err_no_relu": "Guided Backprop 修改的是 nn.ReLU 模块的反向传播，而 {model} 没有这样的模块（它以函数方式调用激活）：请换用其他方法。",
    "err_sanity_mode": "没有名为 {mode!r} 的合理性检验：请从 {known} 中选择。",
    "err_no_shuffled": "{model} 没有用打乱的标签训练的对照模型；标签检验只能在 {known} 上运行。",
    "err_mask_size": "掩码经过模型的裁剪后是 {got} 像素，而不是输入的 {side}×{side}：请为每张图像给出一个与原图同样大小的掩码。",
    "err_mask_count": "{masks} 个掩码对应 {images} 张图像：请为每张图像给出一个掩码，或者都不给。",
    "err_no_method": "请至少选择一种显著图方法。",
    "err_target_range": "目标类别必须是 0 到 {last} 之间的整数。",
    "err_unknown_model": "未知模型 {name!r}。已知模型：{known}；或者{help}。",
    "err_no_model": "需要给出模型名称。已知模型：{known}。",
    "err_not_residual": "{model} 不是 ResNet 式的模型，没有残差块：{found}。本工具读取的网络要在特征图 (N, C, H, W) 上"
    "把分支的输出加到模块自己的输入上。",
    "found_tokens": "它的前向传播做了 {count} 次加法，但像 Transformer 那样加在 token 序列（{shape}）上，"
    "而不是特征图上",
    "found_inline": "它在模型自己的 forward() 里写了 {count} 处残差加法；请把每个 block 写成单独的 "
    "nn.Module，才能被读出",
    "found_plain": "它的前向传播运行了 {convs} 个卷积，但没有任何地方把分支加到输入上（普通网络）",
    "err_target_syntax": "{target!r} 不是 FILE.py:CALLABLE 或 MODULE:CALLABLE，例如 "
    "my_resnet.py:ResNet50 或 my_package.models:resnet。",
    "err_target_file": "没有 Python 文件 {file!r}；请给出定义该模型的 .py 文件路径。",
    "err_target_module": "无法导入 {module!r}（{why}）；请在包含它的文件夹中运行。",
    "err_target_callable": "{where} 中没有能构建 nn.Module 的类或函数 {name!r}。",
    "err_target_args": "{name}() 需要参数（{why}）；请给出一个不需要参数就能构建模型的类或函数，例如 "
    "def ResNet50(): return ResNet([3, 4, 6, 3], 1000)。",
    "err_no_timm": "timm 模型需要安装 timm：pip install 'resnet-explorer[timm]'。",
    "err_unknown_timm": "timm 中没有名为 {name!r} 的模型；这里测试过的残差网络家族：{known}。",
    "err_no_chain": "{model} 的 forward 不只是把每个模块的输出交给下一个模块（{why}）；shortcut 度量、"
    "消融和 Grad-CAM 需要逐个模块地运行模型。",
    "err_two_sums": "{model}：模块 {block} 在一次调用里加了两条残差分支；本工具每个 block 只读一个和。",
    "err_block_twice": "{model}：block {block} 在一次前向传播中运行了不止一次；本工具每个 block 只读一次。",
    "err_nested_blocks": "{model}：block {block} 里还包含其他残差块；本工具读取并列的 block。",
    "err_head_size": "{model} 不能在 {size}×{size} 的输入上运行：{cause}它接受的尺寸：{sizes}。",
    "cause_fc_features": "此时 {last} 为 {h}×{w}，{pool} 之后剩下 {h2}×{w2}×{c} = {features} 个特征，"
    "而 {fc} 需要 {expects} 个。torchvision 的 ResNet 使用 AdaptiveAvgPool2d(1)，所以任何尺寸都可以。",
    "err_spec": "自定义模型 {spec!r} 无效：{why}。应为{help}。",
    "spec_help": "自定义规格 BLOCK-N1-N2-N3-N4[-gG][-wW][-v1]：BLOCK 为 basic 或 bottleneck，N1..N4 为"
    "各 stage 的 block 数（1-{max}），gG 为 3×3 卷积的分组数，wW 为每组通道数（仅 bottleneck，默认 "
    "g1-w64），v1 表示论文原版的 stride 位置（仅 bottleneck）；例如 bottleneck-2-2-2-2 或 bottleneck-3-4-6-3-g32-w4",
    "why_block": "block 类型 {block!r} 既不是 basic 也不是 bottleneck",
    "why_counts": "block 类型之后需要四个整数，即各 stage 的 block 数",
    "why_stage_range": "每个 stage 需要 1 到 {max} 个 block，当前为 {counts}",
    "why_twice": "选项 {option!r} 出现了两次",
    "why_option": "未知选项 {option!r}",
    "why_basic": "BasicBlock 没有 groups、width 或 v1 选项（仅 bottleneck 有）",
    "why_groups": "分组数必须为 1 到 {max}，当前为 {groups}",
    "why_group_width": "分组数 × 每组通道数必须为 1 到 {max}，当前为 {groups} × {width}",
    "err_input_whole": "输入尺寸必须是整数像素，当前为 {size!r}。",
    "err_input_range": "输入尺寸必须在 {lo} 到 {hi} 像素之间，当前为 {size}。",
    "err_ckpt_missing": "找不到权重文件：{path}。请检查路径。",
    "err_ckpt_unreadable": "{name} 不是可读取的 PyTorch 或 safetensors 权重文件。请提供 .safetensors "
    "文件，或由 torch.save(model.state_dict(), path) 保存的文件。",
    "err_ckpt_unreadable_why": "{name} 不是可读取的 PyTorch 或 safetensors 权重文件（{detail}）。请提供 "
    ".safetensors 文件，或由 torch.save(model.state_dict(), path) 保存的文件。",
    "err_ckpt_pickle": "已拒绝加载 {name}：它除张量外还含有 Python 对象，反序列化（unpickle）它们可能"
    "执行代码。请保存纯 state_dict（torch.save(model.state_dict(), path)）或 .safetensors 文件。",
    "err_ckpt_no_state": "{name} 中没有 state_dict（参数名到张量的映射）。请用 "
    "torch.save(model.state_dict(), path) 保存。",
    "err_ckpt_fit": "{source} 与 {model} 不匹配：{details}。{hint}",
    "fit_missing": "缺少 {n} 个键（{keys}）",
    "fit_unexpected": "多出 {n} 个键（{keys}）",
    "fit_shapes": "{n} 个键的形状不同，文件 vs 模型（{keys}）",
    "fit_sep": "；",
}
