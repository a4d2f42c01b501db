"""The "Inside a block" tab: a block's residual sum on an image, receptive fields on the photo,
and deleting blocks (Veit et al. 2016).

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "tab_block": "Inside a block",
    "block_guide": "A residual block computes F(x) + S(x): its branch F (convs, BatchNorm, ReLU) "
    "is added to its shortcut S, which is x itself for an identity shortcut. Pick a block and an "
    "image to see the four maps of one channel on one colour scale: S(x), F(x), the sum, and the "
    "block's output after its activation. Click any position to see its arithmetic.",
    "block": "Block",
    "channel": "Channel (empty: the one F changes most)",
    "show_block": "Show the sum",
    "map_s": "S(x): the shortcut",
    "map_f": "F(x): the residual branch",
    "map_sum": "F(x) + S(x)",
    "map_out": "the output, after {act}",
    "map_out_none": "the output (no activation after the sum)",
    "map_no_shortcut": "S(x): none (a plain block)",
    "map_twin": "{model}, the plain twin: F(x) alone",
    "twin_note": "Last map: the same block and channel of {twin}, the plain network with the same "
    "layers and weights trained (or drawn) alike, on the same colour scale. Without a shortcut its "
    "output is ReLU(F(x)) alone; its largest |F| is {ratio}× the largest value of the four maps "
    "here.",
    "block_scale": "One colour scale for all the maps: blue −{v} · white 0 · red +{v}. Click a "
    "position on any map to see its arithmetic.",
    "block_stats": "{block} of {model}, channel {channel} of {channels} ({why}). ‖F‖/‖S‖ = "
    "{ratio} for the whole block ({cratio} at this channel). {cut}",
    "block_stats_plain": "{block} of {model} is a plain block: it has no shortcut, so the sum is "
    "F(x) alone. Channel {channel} of {channels} ({why}). {cut}",
    "why_auto": "the channel whose output F changes most",
    "why_chosen": "your choice",
    "cut_relu": "Its {act} sets {cut} of the block's sums to zero ({ccut} at this channel).",
    "cut_none": "No activation follows the sum (a pre-activation block): nothing is cut.",
    "proj_projection": "Its shortcut is a 1×1 convolution with its BatchNorm: it maps {cin} "
    "channels to {cout} and reads one position in {stride} in each direction (stride {stride}).",
    "proj_pooled_projection": "Its shortcut averages {stride}×{stride} pixels, then a 1×1 "
    "convolution with its BatchNorm maps {cin} channels to {cout}.",
    "proj_zero_pad": "Its shortcut (option A) has no weights: it keeps one pixel in {stride} in "
    "each direction and pads the {cin} channels with zeros to {cout}.",
    "proj_identity": "Its shortcut is the identity: S(x) = x.",
    "ranked": "Channels F changes most: {channels}.",
    "arith": "Row {row}, column {col} of channel {channel}: {text}",
    "sum_word": "sum",
    "arith_twin": "{model}, the plain twin, at the same place: F = {f}, ReLU → {out}",
    "arith_hint": "Click a position on a map to see S, F, their sum and the output there.",
    "block_untrained": "{title} has random weights here: the maps show what an untrained "
    "block computes.",
    "erf_title": "Receptive fields on the photo",
    "erf_guide": "The theoretical receptive field is every pixel one unit can see (the square). "
    "The effective receptive field (Luo et al., 2016) is how much each pixel actually moves that "
    "unit: |∂y/∂x| summed over the colour channels, drawn as a heat map. Click the photo to "
    "choose the unit.",
    "erf_layer": "Stage or block",
    "erf_btn": "Show the receptive field",
    "erf_text": "{model}: the unit at row {row}, column {col} of {layer} ({h}×{w} grid). Its "
    "theoretical field is {rf}×{rf} pixels{off}. Half of the gradient mass lies within {s50}×{s50} px "
    "({p50} of the theoretical side), 90% within {s90}×{s90} px ({p90}).",
    "erf_off": ", more than the {size}-pixel image: it reaches into the zero padding",
    "erf_legend": "Square: theoretical field. Dashed: the squares holding 50% and 90% of the "
    "gradient.",
    "erf_stages_btn": "Compare every stage, trained and random",
    "erf_chart_title": "{model}: theoretical vs effective receptive field at each stage's "
    "output ({n} example images)",
    "erf_axis": "side of the field (pixels, log scale)",
    "erf_stage_axis": "stage (weighted layers from the input)",
    "erf_theoretical": "theoretical",
    "erf50": "ERF 50%",
    "erf90": "ERF 90%",
    "weights_trained": "trained",
    "weights_random_short": "random",
    "erf_growth": "With {weights} weights, across the stages the theoretical field grows like "
    "depth^{t} and the 90% effective field like depth^{e}; at {last} the effective field's side "
    "is {share} of the theoretical one's.",
    "erf_luo_yes": "As Luo et al. found, the effective field grows more slowly than the "
    "theoretical one and fills only part of it.",
    "erf_luo_no": "Luo et al. found that the effective field grows more slowly than the "
    "theoretical one; these measurements do not show that.",
    "erf_no_trained": "{model} has no trained weights here: only random weights are shown.",
    "les_title": "Delete blocks (Veit et al., 2016)",
    "les_guide": "Tick blocks to delete them. A residual block loses its branch and keeps its "
    "shortcut; a plain block becomes the identity where its input and output have the same "
    "shape. The image's top-5 and the accuracy on {n} held-out shapes follow each change.",
    "les_blocks": "Blocks to delete",
    "les_fixed": "Cannot be removed (plain blocks that change the shape): {blocks}.",
    "les_top5": "Top-5 with the ticked blocks deleted",
    "les_accuracy": "{model} with {deleted} deleted: {acc} accuracy on {n} held-out shapes "
    "(intact: {base}).",
    "les_none": "no block",
    "les_no_heldout": "Held-out accuracy is measured on the shipped 32×32 shapes for the networks "
    "trained on them ({names}); {model} shows the image's top-5 only.",
    "les_untrained": "Held-out accuracy needs {model}'s trained weights (choose the bundled "
    "ones); with random weights the tab shows the image's top-5 only.",
    "les_curve_btn": "Delete k blocks at random",
    "les_chart_title": "Error on {n} held-out shapes with k blocks deleted at random ({repeats} "
    "draws per k)",
    "les_k": "blocks deleted, k",
    "les_error": "held-out error",
    "les_plain56": "plain56 is not lesioned: in the shipped run it never trained ({train} "
    "training error, {err} test error after {steps} steps). That is the degradation itself.",
    "les_plain56_trained": "plain56 is left out of this chart; in the shipped run it ended at "
    "{train} training error and {err} test error after {steps} steps.",
    "les_finding": "Deleting one block raises {res}'s error from {r0} to {r1} ({rd} points) and "
    "plain20's from {p0} to {p1} ({pd} points); with {k} blocks deleted {res} is at {rk}.",
    "les_veit_yes": "As Veit et al. found, {plain} collapses at the first deletion while {res} "
    "degrades step by step: {passes}.",
    "les_passes": "its error first passes 50% at k = {k}",
    "les_never_passes": "its error stays below 50% up to k = {k}",
    "les_not_stepwise": "{model} does not degrade step by step: one deletion already costs it "
    "{d} points on average.",
    "les_veit_no": "Veit et al. found that the plain network collapses at the first deletion "
    "while the residual one degrades smoothly; these measurements do not show that.",
    "les_progress": "Deleting blocks of {model}",
    "block_link": "Look inside {block} on an image →",
    "trained_card": "Model card: resnet20, resnet56, plain20 and plain56 (trained here)",
    "err_no_block": "no block {block!r} in this model: choose a block such as {example}.",
    "err_not_removable": "{block} cannot be removed: it is a plain block that changes the shape "
    "({shape_in} → {shape_out}), so no identity can stand in for it.",
    "err_position": "position ({row}, {col}) is outside the {h}×{w} grid.",
    "err_bad_position": "row and column must be whole numbers (or both empty for the centre), "
    "not {value!r}.",
    "err_bad_channel": "the channel must be a whole number, or empty for the one F changes most; "
    "not {value!r}.",
    "err_bad_deleted": "the blocks to delete must be a list of block names, such as "
    '["layer1.0"]; not {value!r}.',
    "err_channel": "channel {channel!r} is not in {block}: choose 0 to {last}.",
}

ZH = {
    "tab_block": "块的内部",
    "block_guide": "残差块计算 F(x) + S(x)：分支 F（卷积、BatchNorm、ReLU）加到 shortcut S 上；"
    "恒等 shortcut 时 S 就是 x 本身。选择一个块和一张图像，即可在同一色标下看到同一通道的四张图："
    "S(x)、F(x)、两者之和，以及块在激活之后的输出。点击任意位置可查看该处的算式。",
    "block": "块",
    "channel": "通道（留空：F 改变最多的通道）",
    "show_block": "显示求和",
    "map_s": "S(x)：shortcut 支路",
    "map_f": "F(x)：残差分支",
    "map_sum": "F(x) + S(x)：两者之和",
    "map_out": "输出（经过 {act}）",
    "map_out_none": "输出（求和之后没有激活）",
    "map_no_shortcut": "S(x)：无（plain 块）",
    "map_twin": "{model}（plain 孪生网络）：只有 F(x)",
    "twin_note": "最后一张图：{twin} 的同一个块、同一个通道。它是层数相同、权重以同样方式训练（或随机生成）"
    "的 plain 网络，使用同一色标。没有 shortcut 时，它的输出只是 ReLU(F(x))；其最大 |F| 是这里四张图"
    "最大值的 {ratio} 倍。",
    "block_scale": "所有图共用一个色标：蓝 −{v} · 白 0 · 红 +{v}。点击任意一张图上的位置可查看其算式。",
    "block_stats": "{model} 的 {block}，第 {channel} 个通道（共 {channels} 个；{why}）。整个块的 "
    "‖F‖/‖S‖ = {ratio}（该通道为 {cratio}）。{cut}",
    "block_stats_plain": "{model} 的 {block} 是 plain 块：没有 shortcut，求和就是 F(x) 本身。第 "
    "{channel} 个通道（共 {channels} 个；{why}）。{cut}",
    "why_auto": "F 对输出改变最多的通道",
    "why_chosen": "你选择的通道",
    "cut_relu": "其 {act} 把该块 {cut} 的求和值置为零（该通道为 {ccut}）。",
    "cut_none": "求和之后没有激活（pre-activation 块）：没有值被截断。",
    "proj_projection": "它的 shortcut 是带 BatchNorm 的 1×1 卷积：把 {cin} 个通道映射为 {cout} "
    "个，并在每个方向上每隔 {stride} 个位置取一个（stride {stride}）。",
    "proj_pooled_projection": "它的 shortcut 先对 {stride}×{stride} 像素取平均，再用带 BatchNorm "
    "的 1×1 卷积把 {cin} 个通道映射为 {cout} 个。",
    "proj_zero_pad": "它的 shortcut（option A）没有权重：在每个方向上每隔 {stride} 个像素取一个，"
    "并用零把 {cin} 个通道补到 {cout} 个。",
    "proj_identity": "它的 shortcut 是恒等映射：S(x) = x。",
    "ranked": "F 改变最多的通道：{channels}。",
    "arith": "通道 {channel} 的第 {row} 行、第 {col} 列：{text}",
    "sum_word": "和",
    "arith_twin": "plain 孪生网络 {model} 的同一位置：F = {f}，ReLU → {out}",
    "arith_hint": "点击图上的位置，查看该处的 S、F、两者之和与输出。",
    "block_untrained": "{title} 在这里是随机权重：这些图显示的是未训练的块的计算结果。",
    "erf_title": "图像上的感受野",
    "erf_guide": "理论感受野是一个单元能看到的全部像素（方框）。有效感受野（Luo 等，2016）是每个像素"
    "实际能让该单元改变多少：|∂y/∂x| 在颜色通道上求和，画成热力图。点击图像可选择单元。",
    "erf_layer": "stage 或块",
    "erf_btn": "显示感受野",
    "erf_text": "{model}：{layer}（{h}×{w} 网格）第 {row} 行、第 {col} 列的单元。其理论感受野为 {rf}×{rf} "
    "像素{off}。一半的梯度质量位于 {s50}×{s50} 像素之内（理论边长的 {p50}），90% 位于 "
    "{s90}×{s90} 像素之内（{p90}）。",
    "erf_off": "，超过了 {size} 像素的图像：延伸到了零填充区域",
    "erf_legend": "实线方框：理论感受野。虚线：包含 50% 和 90% 梯度的方框。",
    "erf_stages_btn": "比较所有 stage（训练与随机权重）",
    "erf_chart_title": "{model}：各 stage 输出处的理论与有效感受野（{n} 张示例图像）",
    "erf_axis": "感受野边长（像素，对数坐标）",
    "erf_stage_axis": "stage（从输入起的带权重层数）",
    "erf_theoretical": "理论",
    "erf50": "有效感受野 50%",
    "erf90": "有效感受野 90%",
    "weights_trained": "训练后",
    "weights_random_short": "随机",
    "erf_growth": "使用{weights}权重时，在各 stage 之间理论感受野按 depth^{t} 增长，90% 有效感受野按 "
    "depth^{e} 增长；在 {last}，有效感受野的边长是理论感受野的 {share}。",
    "erf_luo_yes": "与 Luo 等人的发现一致：有效感受野比理论感受野增长得慢，只占其中一部分。",
    "erf_luo_no": "Luo 等人发现有效感受野比理论感受野增长得慢；这里的测量没有显示这一点。",
    "erf_no_trained": "{model} 在这里没有训练好的权重：只显示随机权重。",
    "les_title": "删除块（Veit 等，2016）",
    "les_guide": "勾选要删除的块。残差块失去分支、保留 shortcut；plain 块在输入输出形状相同时变为恒等"
    "映射。每次改动后，图像的 top-5 和 {n} 张保留形状图像上的准确率都会随之更新。",
    "les_blocks": "要删除的块",
    "les_fixed": "无法删除（改变形状的 plain 块）：{blocks}。",
    "les_top5": "删除所勾选的块后的 top-5",
    "les_accuracy": "{model} 删除 {deleted} 后：在 {n} 张保留形状图像上的准确率为 {acc}（完整网络：{base}）。",
    "les_none": "零个块",
    "les_no_heldout": "保留集准确率是在随包提供的 32×32 形状图像上、针对在其上训练的网络（{names}）测量的；"
    "{model} 只显示该图像的 top-5。",
    "les_untrained": "保留集准确率需要 {model} 训练好的权重（请选择内置权重）；使用随机权重时只显示该图像的 "
    "top-5。",
    "les_curve_btn": "随机删除 k 个块",
    "les_chart_title": "随机删除 k 个块后在 {n} 张保留形状图像上的错误率（每个 k 抽取 {repeats} 次）",
    "les_k": "删除的块数 k",
    "les_error": "保留集错误率",
    "les_plain56": "plain56 不做删除：在随包提供的训练中它从未训练成功（{steps} 步后训练错误率 {train}，"
    "测试错误率 {err}）。这正是退化现象本身。",
    "les_plain56_trained": "plain56 不在此图中；在随包提供的训练中，{steps} 步后它的训练错误率为 {train}，"
    "测试错误率为 {err}。",
    "les_finding": "删除一个块使 {res} 的错误率从 {r0} 升到 {r1}（{rd} 个百分点），plain20 从 {p0} 升到 "
    "{p1}（{pd} 个百分点）；删除 {k} 个块时 {res} 为 {rk}。",
    "les_veit_yes": "与 Veit 等人的发现一致：{plain} 在第一次删除时就崩溃，而 {res} 逐步退化：{passes}。",
    "les_passes": "它的错误率在 k = {k} 时才首次超过 50%",
    "les_never_passes": "直到 k = {k}，它的错误率都低于 50%",
    "les_not_stepwise": "{model} 并没有逐步退化：删除一个块平均已使它的错误率上升 {d} 个百分点。",
    "les_veit_no": "Veit 等人发现 plain 网络在第一次删除时就崩溃，而残差网络平滑退化；这里的测量没有"
    "显示这一点。",
    "les_progress": "正在删除 {model} 的块",
    "block_link": "在图像上查看 {block} 的内部 →",
    "trained_card": "模型卡：resnet20、resnet56、plain20 与 plain56（在本项目中训练）",
    "err_no_block": "该模型中没有名为 {block!r} 的块：请选择一个块，例如 {example}。",
    "err_not_removable": "{block} 无法删除：它是改变形状的 plain 块（{shape_in} → {shape_out}），"
    "没有恒等映射可以替代它。",
    "err_position": "位置 ({row}, {col}) 不在 {h}×{w} 网格之内。",
    "err_bad_position": "行和列必须是整数（都留空则取中心），而不是 {value!r}。",
    "err_bad_channel": "通道必须是整数，或留空以选 F 改变最多的通道；而不是 {value!r}。",
    "err_bad_deleted": '要删除的块必须是块名的列表，例如 ["layer1.0"]；而不是 {value!r}。',
    "err_channel": "{block} 中没有通道 {channel!r}：请选择 0 到 {last}。",
}
