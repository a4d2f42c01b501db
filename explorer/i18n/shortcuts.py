"""The Shortcuts tab: what each shortcut carries, the plain-vs-residual gradients and the
degradation experiment.

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "tab_shortcuts": "Shortcuts",
    "shortcuts_guide": "How to read these charts. Each block adds a residual branch F(x) to its "
    "shortcut S(x). The first chart compares their sizes: a ratio near 0 means the block passes its "
    "input on almost unchanged (it has learnt F ≈ 0). The second removes one block's residual "
    "branch at a time (Veit et al., 2016) and shows how the probability of the class changes; "
    "hatched bars are projection shortcuts, the blocks where the shape changes. The third shows "
    "the shortcut's part of the gradient at the block's input, ⟨g_S, g⟩ / ‖g‖²: the part that "
    "skipped the block's convs, which is what lets gradients reach the early layers (the branch "
    "has the rest; a bar passes 100% when the two parts point against each other). The path "
    "chart unrolls the network into its 2ⁿ paths: where the gradient bars sit left of the path "
    "bars, short paths carry more than their share, "
    "as Veit et al. found for ImageNet ResNets.",
    "analyse_btn": "Measure the shortcuts",
    "chart_ratio": "‖F(x)‖ / ‖S(x)‖: residual branch vs shortcut",
    "chart_lesion": "Change in the class probability with the block's residual branch removed",
    "chart_grad_share": "The shortcut's part of the gradient, ⟨g_S, g⟩ / ‖g‖²",
    "chart_shortcuts_title": "{model}: what each shortcut carries for “{label}”",
    "paths_share": "share of the 2ⁿ paths",
    "gradient_share": "share of the gradient, all {paths} paths followed",
    "gradient_share_sampled": "share of the gradient, from {paths} paths followed (± one "
    "standard error)",
    "chart_paths_title": "{n} blocks unrolled into paths; length k = residual branches taken",
    "path_length": "path length k",
    "with_shortcuts": "with shortcuts (ResNet)",
    "plain": "plain (shortcuts removed)",
    "chart_plain_title": "{model} at initialisation: the gradient that reaches each layer",
    "grad_norm": "RMS of ∂loss/∂W per weight (log scale)",
    "layer_index": "layer (input → output)",
    "plain_title": "Plain vs residual, at initialisation (no weights needed)",
    "plain_btn": "Compare",
    "records": "Per-block records (JSON)",
    "sum_target": "Measured for “{label}” (probability {prob}).",
    "sum_lesion": "Removing a block's residual branch changes that probability by {proj} on "
    "average for the {np} projection blocks and by {ident} for the {ni} identity blocks; the top-1 "
    "class changes for {cp} of {np} and for {ci} of {ni}.",
    "sum_lesion_a": "Removing a block's residual branch changes that probability by {proj} on "
    "average for the {np} zero-padding (option A) blocks and by {ident} for the {ni} identity "
    "blocks; the top-1 class changes for {cp} of {np} and for {ci} of {ni}.",
    "sum_plain": "This network has no shortcuts: without its residual branch a block passes on "
    "nothing, so every lesion cuts the network in two. Removing one changes the probability by "
    "{d} on average, and the top-1 class for {c} of {n}.",
    "sum_agree": "Veit et al. found that removing a downsampling (projection) block hurts the most: "
    "this model agrees.",
    "sum_disagree": "Veit et al. found that removing a downsampling (projection) block hurts the "
    "most: this model does not agree.",
    "sum_all_projection": "Every block of this model has a projection shortcut; removing any one "
    "changes the probability by {proj} on average, and the top-1 class for {cp} of {np}.",
    "sum_ratio": "‖F(x)‖/‖S(x)‖ ranges from {lo} to {hi}; of the gradient g at a block's input, "
    "the part that came back through the shortcut accounts on average for {share} "
    "(⟨g_S, g⟩ / ‖g‖²; the residual branch accounts for the rest).",
    "sum_paths": "{n} blocks make {paths} paths; a path takes {typical} residual branches on "
    "average, and half of the gradient travels along paths with at most {half} of them.",
    "plain_sum": "At initialisation, per weight (the RMS of ∂loss/∂W), the first layer of the plain "
    "{model} gets {plain} times the gradient of its last layer: {direction} With its shortcuts, "
    "{residual} times.",
    "plain_grows": "the gradient grows toward the input, an explosion rather than a vanishing.",
    "plain_shrinks": "the gradient shrinks toward the input, a vanishing.",
    "plain_deep": "Gradients that differ by orders of magnitude across layers make a deep plain "
    "network hard to train; the shortcuts keep them in scale.",
    "plain_shallow": "At this depth the two differ little; pick a deeper model to see the gap open.",
    "deg_title": "Why shortcuts: deeper plain networks train worse (the paper's Figure 6, "
    "reproduced here)",
    "deg_plain": "plain networks",
    "deg_resnet": "ResNets (option A shortcuts)",
    "deg_train": "training error",
    "deg_test": "test error",
    "deg_step": "step",
    "deg_steps": "SGD steps",
    "deg_error": "error",
    "deg_chart_title": "20 vs 56 layers, one recipe: bold lines training error, thin lines test "
    "error",
    "deg_plain_yes": "After {steps} steps the deeper plain network is worse on the very images "
    "it trains on: plain56 ends with {deep} training error against plain20's {shallow}, so "
    "depth alone made it harder to optimise; this is not overfitting.",
    "deg_plain_no": "In this run plain56 ended with {deep} training error against plain20's "
    "{shallow}: the paper's degradation did not appear.",
    "deg_res_yes": "With shortcuts the deeper network is no worse: resnet56 ends at {deep} "
    "against resnet20's {shallow}.",
    "deg_res_close": "With shortcuts the gap closes: resnet56 ends at {deep} against resnet20's "
    "{shallow}, {gap} points behind where plain56 is {plain_gap} points behind, and it was the "
    "lower of the two at {lead} of {records} records. Not lower at the end, as in the paper, but "
    "the degradation is gone.",
    "deg_res_no": "With shortcuts, resnet56 ended at {deep} against resnet20's {shallow}: in "
    "this run the deeper ResNet did not catch up.",
    "deg_recipe": "Measured, not copied from the paper: the four networks of this registry "
    "trained with one recipe (SGD with momentum as in the paper, learning rate {lr}, ÷10 at 50% "
    "and 75% of {steps} steps of {batch} images, pad-and-crop and flips) on {samples} generated "
    "32×32 images of 10 shapes, tested on {test} others; {device}, {minutes} min. Training error is that of the "
    "mini-batches since the previous point, as in the paper's curves. Run it again with: "
    "python -m explorer.experiments degradation",
    "shape_circle": "circle",
    "shape_square": "square",
    "shape_triangle": "triangle",
    "shape_star": "star",
    "shape_cross": "cross",
    "shape_heart": "heart",
    "shape_hexagon": "hexagon",
    "shape_arrow": "arrow",
    "shape_pentagon": "pentagon",
    "shape_diamond": "diamond",
}

ZH = {
    "tab_shortcuts": "Shortcut 分析",
    "shortcuts_guide": "如何阅读这些图表。每个 block 把残差分支 F(x) 加到 shortcut S(x) 上。第一张图比较"
    "两者大小：比值接近 0 说明该 block 几乎原样传递输入（它学到了 F ≈ 0）。第二张图每次去掉一个 block "
    "的残差分支（Veit 等，2016），显示目标类别概率的变化；带斜线的柱是投影 shortcut，即张量形状改变的 "
    "block。第三张图显示 block 输入处的梯度中经由 shortcut 传回的部分 ⟨g_S, g⟩ / ‖g‖²，即跳过该 block "
    "卷积的那部分，正是它让梯度能到达前面的层（其余部分来自残差分支；两部分方向相反时柱会超过 100%）。"
    "路径图把网络"
    "展开成 2ⁿ 条路径：梯度柱若位于路径柱左侧，说明较短的路径承载了超出其数量比例的梯度，这正是 Veit "
    "等人在 ImageNet ResNet 上的发现。",
    "analyse_btn": "测量 shortcut",
    "chart_ratio": "‖F(x)‖ / ‖S(x)‖：残差分支与 shortcut 之比",
    "chart_lesion": "去掉该 block 的残差分支后类别概率的变化",
    "chart_grad_share": "梯度中 shortcut 所占部分 ⟨g_S, g⟩ / ‖g‖²",
    "chart_shortcuts_title": "{model}：每个 shortcut 为“{label}”承载了多少",
    "paths_share": "占 2ⁿ 条路径的比例",
    "gradient_share": "承载的梯度比例（逐一计算全部 {paths} 条路径）",
    "gradient_share_sampled": "承载的梯度比例（由 {paths} 条路径估计，误差线为一个标准误）",
    "chart_paths_title": "{n} 个 block 展开为路径；长度 k = 经过的残差分支数",
    "path_length": "路径长度 k",
    "with_shortcuts": "有 shortcut（ResNet）",
    "plain": "plain（去掉 shortcut）",
    "chart_plain_title": "初始化时的 {model}：到达每一层的梯度",
    "grad_norm": "每个权重的 ∂loss/∂W 均方根（对数坐标）",
    "layer_index": "层（输入 → 输出）",
    "plain_title": "plain 与残差网络：初始化时对比（无需权重）",
    "plain_btn": "比较",
    "records": "逐 block 记录（JSON）",
    "sum_target": "针对“{label}”测量（概率 {prob}）。",
    "sum_lesion": "去掉一个 block 的残差分支后，该概率平均变化：{np} 个投影 block 为 {proj}，{ni} 个"
    "恒等 block 为 {ident}；top-1 类别改变的 block：投影 {cp}/{np}，恒等 {ci}/{ni}。",
    "sum_lesion_a": "去掉一个 block 的残差分支后，该概率平均变化：{np} 个补零（方案 A）block 为 {proj}，"
    "{ni} 个恒等 block 为 {ident}；top-1 类别改变的 block：补零 {cp}/{np}，恒等 {ci}/{ni}。",
    "sum_plain": "这个网络没有 shortcut：去掉残差分支后，block 什么也传不下去，所以每次切除都把网络一分为二。"
    "去掉一个 block，概率平均变化 {d}，top-1 类别改变的有 {c}/{n} 个。",
    "sum_agree": "Veit 等人发现去掉降采样（投影）block 的影响最大：本模型与之一致。",
    "sum_disagree": "Veit 等人发现去掉降采样（投影）block 的影响最大：本模型与之不一致。",
    "sum_all_projection": "本模型的每个 block 都有投影 shortcut；去掉任一个，概率平均变化 {proj}，"
    "top-1 类别改变的有 {cp}/{np} 个。",
    "sum_ratio": "‖F(x)‖/‖S(x)‖ 在 {lo} 到 {hi} 之间；block 输入处的梯度 g 中，经由 shortcut 传回的部分"
    "平均占 {share}（⟨g_S, g⟩ / ‖g‖²，其余由残差分支承担）。",
    "sum_paths": "{n} 个 block 构成 {paths} 条路径；一条路径平均经过 {typical} 个残差分支，而一半的梯度"
    "沿着最多经过 {half} 个残差分支的路径传播。",
    "plain_sum": "初始化时，按每个权重计（∂loss/∂W 的均方根），plain {model} 第一层得到的梯度是最后一层的 "
    "{plain} 倍：{direction}有 shortcut 时为 {residual} 倍。",
    "plain_grows": "梯度越靠近输入越大，是梯度爆炸而不是消失。",
    "plain_shrinks": "梯度越靠近输入越小，即梯度消失。",
    "plain_deep": "各层梯度相差几个数量级，使深层 plain 网络难以训练；shortcut 让它们保持在同一量级。",
    "plain_shallow": "在这个深度两者差别不大；选择更深的模型可以看到差距拉开。",
    "deg_title": "为什么要 shortcut：更深的 plain 网络训练得更差（复现论文图 6）",
    "deg_plain": "plain 网络",
    "deg_resnet": "ResNet（方案 A shortcut）",
    "deg_train": "训练误差",
    "deg_test": "测试误差",
    "deg_step": "步",
    "deg_steps": "SGD 步数",
    "deg_error": "误差",
    "deg_chart_title": "20 层与 56 层，同一训练方案：粗线为训练误差，细线为测试误差",
    "deg_plain_yes": "训练 {steps} 步后，更深的 plain 网络在它自己的训练图像上反而更差：plain56 的训练误差为 "
    "{deep}，plain20 为 {shallow}。仅仅加深就让它更难优化——这不是过拟合。",
    "deg_plain_no": "本次运行中 plain56 的训练误差为 {deep}，plain20 为 {shallow}：论文中的退化现象没有出现。",
    "deg_res_yes": "有了 shortcut，更深的网络并不更差：resnet56 为 {deep}，resnet20 为 {shallow}。",
    "deg_res_close": "有了 shortcut，差距消失了：resnet56 最终为 {deep}，resnet20 为 {shallow}，只差 {gap} "
    "个百分点，而 plain56 比 plain20 差 {plain_gap} 个百分点；在 {records} 个记录点中有 {lead} 个 "
    "resnet56 更低。最终并未像论文那样更低，但退化已经消失。",
    "deg_res_no": "有 shortcut 时，resnet56 为 {deep}，resnet20 为 {shallow}：本次运行中更深的 ResNet "
    "没有追上。",
    "deg_recipe": "这是实测结果，并非抄自论文：本注册表中的四个网络用同一方案训练（与论文相同的动量 "
    "SGD，学习率 {lr}，在 {steps} 步的 50% 和 75% 处 ÷10，每批 {batch} 张图像，填充裁剪和翻转），训练数据为 {samples} 张生成的 "
    "32×32、10 类形状图像，另用 {test} 张测试；{device}，{minutes} 分钟。训练误差取自上一个点以来的 "
    "mini-batch，与论文曲线相同。重新运行：python -m explorer.experiments degradation",
    "shape_circle": "圆形",
    "shape_square": "正方形",
    "shape_triangle": "三角形",
    "shape_star": "星形",
    "shape_cross": "十字",
    "shape_heart": "心形",
    "shape_hexagon": "六边形",
    "shape_arrow": "箭头",
    "shape_pentagon": "五边形",
    "shape_diamond": "菱形",
}
