"""The Compare tab: what differs between two models, and its classroom presets.

English and Simplified Chinese, key for key (tests/test_i18n.py checks).
"""

from __future__ import annotations

EN = {
    "first_block": "first block",
    "later_block": "later blocks",
    "blocks_note": "A stage's first block carries its stride and projection; the later blocks "
    "are all alike, so one stands for them.",
    "cmp_totals": "{b} has {params} the parameters and {macs} the MACs of {a}.",
    "cmp_same_stages": "Same blocks per stage ({stages}), yet a deeper network: a {tb} has {kb} "
    "convs where a {ta} has {ka}, so {da} layers become {db}.",
    "cmp_more_blocks": "Same block ({t}, {k} convs), more of them: {sa} blocks per stage "
    "become {sb}, so {da} layers become {db}.",
    "cmp_block": "At {stage}, one {ta} ({ca}) has {pa} parameters and {ma} MACs; one {tb} ({cb}) "
    "has {pb} parameters and {mb} MACs.",
    "cmp_stride": "The stride of each stage's first block sits on {la} ({ka}×{ka}) in {a} and on "
    "{lb} ({kb}×{kb}) in {b}; with the stride on the 1×1, the 3×3 runs on a quarter of the "
    "positions. So {block} costs {ma} vs {mb} MACs, and the whole network {ta} vs {tb}.",
}

ZH = {
    "first_block": "第一个 block",
    "later_block": "后续 block",
    "blocks_note": "每个 stage 的第一个 block 负责 stride 和投影；后续 block 结构相同，"
    "取其一为代表。",
    "cmp_totals": "{b} 的参数量是 {a} 的 {params}，MACs 是其 {macs}。",
    "cmp_same_stages": "每个 stage 的 block 数相同（{stages}），网络却更深：{tb} 有 {kb} 个卷积，"
    "而 {ta} 只有 {ka} 个，所以 {da} 层变成了 {db} 层。",
    "cmp_more_blocks": "block 相同（{t}，每个 {k} 个卷积），但数量更多：每个 stage 的 block 数由 "
    "{sa} 变为 {sb}，因此 {da} 层变成 {db} 层。",
    "cmp_block": "在 {stage}，一个 {ta}（{ca}）有 {pa} 个参数、{ma} MACs；一个 {tb}（{cb}）有 "
    "{pb} 个参数、{mb} MACs。",
    "cmp_stride": "{a} 把每个 stage 第一个 block 的 stride 放在 {la}（{ka}×{ka}）上，{b} 则放在 "
    "{lb}（{kb}×{kb}）上；stride 在 1×1 上时，3×3 卷积只需处理四分之一的位置。因此 {block} "
    "的开销为 {ma} 对 {mb} MACs，整个网络为 {ta} 对 {tb}。",
}
