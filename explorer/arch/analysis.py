"""Exact architecture analysis of a ResNet: layer tree, stage table, blocks and depth formula.

One traced forward pass (trace.py) records every module call, on the meta device for registry
names: shapes without arithmetic, the fastest method measured here. Params come from the
modules, MACs from each conv/fc call. Results are frozen dataclasses cached per (model, input
size); rendering lives in render/.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..errors import ExplorerError
from .dataflow import TraceError
from .depth import DepthBreakdown, depth_breakdown
from .reading import BlockReading, Reading, read_model
from .receptive import Geometry, pair
from .registry import get_entry, list_models
from .sizes import size_error
from .structure import POOLING, leaves, model_size, remember, trace_model
from .trace import Call, Shape

MIN_INPUT, MAX_INPUT = 32, 4096  # the smallest input that still leaves layer4 a 1×1 map
PAPER_NAMES = {
    "stem": "conv1",
    "layer1": "conv2_x",
    "layer2": "conv3_x",
    "layer3": "conv4_x",
    "layer4": "conv5_x",
    "head": "fc",
}  # row names of Table 1 in He et al. 2015


@dataclass(frozen=True)
class LayerNode:
    """A module of the model tree, with what one forward pass did with it."""

    name: str  # dotted path ("layer1.0.conv1"); "" for the model itself
    type: str  # class name
    detail: str  # kernel, stride and channels of a leaf; "" for containers
    output_shape: Shape | None  # output of the last call; None if never called
    call_shapes: tuple[Shape, ...]  # output shape of every call, in order (a block's ReLU: 2-3)
    params: int  # parameters registered on this module itself
    total_params: int  # parameters of this module and everything below it
    macs: int  # multiply-accumulates of this module and below, all calls, per image
    children: tuple[LayerNode, ...]
    conv: ConvSpec | None = None  # a Conv2d's kernel, stride, channels and groups

    @property
    def calls(self) -> int:
        return len(self.call_shapes)

    def walk(self) -> Iterator[LayerNode]:
        """This node and all below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "detail": self.detail,
            "output_shape": _list(self.output_shape),
            "calls": self.calls,
            "call_shapes": [list(s) for s in self.call_shapes],
            "params": self.params,
            "total_params": self.total_params,
            "macs": self.macs,
            "children": [c.to_dict() for c in self.children],
            "conv": _plain(self.conv),
        }


@dataclass(frozen=True)
class ConvSpec:
    """One conv of a residual block, as a diagram draws it."""

    name: str  # inside the block: "conv2", "downsample.0"
    kernel: int
    stride: int
    in_channels: int
    out_channels: int
    groups: int


@dataclass(frozen=True)
class BlockRow:
    """One residual block: out = ReLU(F(x) + S(x))."""

    name: str  # "layer2.0"
    type: str  # "BasicBlock", "Bottleneck" or "BottleneckV1"
    in_channels: int
    width: int  # channels inside the residual branch (a Bottleneck's 3×3)
    out_channels: int
    output_shape: Shape
    stride: int  # this block's own downsampling
    # the branch conv that carries it, named inside the block: "conv2" (v1.5), "conv1" (paper
    # v1), "bottleneck.3" (the source notes' Sequential)
    stride_layer: str | None
    # "identity", "projection" (a 1×1 conv), "pooled_projection" (ResNet-D: avg-pool, then the
    # 1×1 conv), "zero_pad" (option A: subsampled, zero-padded channels, no weights) or "none"
    # (a plain network's block: F(x) alone)
    shortcut: str
    reason: str  # why not the identity: "stride 2", "channels 64→256", both; "" otherwise
    convs: int  # weighted layers on the residual branch (what the depth counts)
    receptive_field: int  # in input pixels, of one output position
    params: int
    macs: int
    branch: tuple[ConvSpec, ...]  # the residual branch's convs, in order
    projection: ConvSpec | None  # the shortcut's 1×1 conv, None for an identity shortcut
    # The residual branch's layers in the order the forward pass ran them ("conv", "bn", "relu"):
    # conv → BN → ReLU in torchvision's block, BN → ReLU → conv in a pre-activation block.
    steps: tuple[str, ...] = ()
    relu_after_sum: bool = True  # ReLU(F(x) + S(x)); False: the block returns F(x) + S(x)
    # The shortcut's layers: ("conv", "bn") for torchvision's projection, ("conv",) for the
    # pre-activation one, ("ZeroPadShortcut",) for option A, () for the identity
    shortcut_steps: tuple[str, ...] = ()
    branch_order: str = "post"  # "post": conv → BN → ReLU; "pre": BN → ReLU → conv (2016)
    attention: str | None = None  # a gate inside F: "channel" (SE, ECA), "spatial", or None


@dataclass(frozen=True)
class StageRow:
    """A row of the stage table: stem, layer1..layer4 or head."""

    name: str  # "stem", "layer1".."layer4", "head"
    paper_name: str  # the row of the paper's Table 1: "conv1", "conv2_x".."conv5_x", "fc"
    modules: tuple[
        str, ...
    ]  # top-level modules in the row (the paper puts the max pool in conv2_x)
    output_shape: Shape
    stride: int  # cumulative: input pixels between neighbouring outputs
    receptive_field: int  # input pixels that one output position can see
    block_rows: tuple[BlockRow, ...]
    params: int
    macs: int

    @property
    def blocks(self) -> int:
        return len(self.block_rows)

    def to_dict(self) -> dict[str, Any]:
        out = _plain(self)
        out["blocks"] = self.blocks
        return out


@dataclass(frozen=True)
class ArchitectureSummary:
    """Everything the explorer shows about one architecture at one input size."""

    model: str  # registry name, or the class name of an unregistered module
    title: str
    input_size: int
    depth_breakdown: DepthBreakdown
    stages: tuple[StageRow, ...]
    layers: LayerNode

    @property
    def depth(self) -> int:
        return self.depth_breakdown.depth

    @property
    def depth_formula(self) -> str:
        return self.depth_breakdown.formula

    @property
    def total_params(self) -> int:
        return self.layers.total_params

    @property
    def total_macs(self) -> int:
        return self.layers.macs

    def stage(self, name: str) -> StageRow:
        return next(s for s in self.stages if s.name == name)

    def sees_whole_input(self, stage: StageRow) -> bool:
        """True for the head once its field covers the input: after global average pooling,
        a stride or receptive field larger than the image says nothing, so it reads "global"."""
        return stage.name == "head" and stage.receptive_field >= self.input_size

    def to_dict(self) -> dict[str, Any]:
        d = self.depth_breakdown
        return {
            "model": self.model,
            "title": self.title,
            "input_size": self.input_size,
            "depth": self.depth,
            "depth_formula": d.formula,
            "depth_compact": d.compact,
            "depth_expanded": d.expanded,
            "depth_breakdown": {
                "stem": d.stem,
                "stage_blocks": list(d.stage_blocks),
                "convs_per_block": d.convs_per_block,
                "head": d.head,
                "not_counted": _plain(d.not_counted),
            },
            "total_params": self.total_params,
            "total_macs": self.total_macs,
            "macs_counted": "multiply-accumulates of conv and fc layers, per image",
            "stages": [s.to_dict() for s in self.stages],
            "layers": self.layers.to_dict(),
        }


def _list(shape: Shape | None) -> list[int] | None:
    return None if shape is None else list(shape)


def _plain(value: Any) -> Any:
    """Records as JSON-ready values: dataclasses become dicts, tuples lists."""
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------- per-module numbers


def call_macs(module: nn.Module, call: Call) -> int:
    """Multiply-accumulates of one call, per image; 0 for element-wise layers."""
    if call.output_shape is None:
        return 0
    outputs = math.prod(call.output_shape[1:])  # (B, C, H, W) → C·H·W per image
    if isinstance(module, nn.Conv2d):
        return outputs * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return outputs * module.in_features
    return 0


def _detail(module: nn.Module) -> str:
    """Kernel, channels, stride of a leaf in notation that reads the same in both languages."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        text = f"{kh}×{kw} conv, {module.in_channels}→{module.out_channels}"
        if pair(module.stride)[0] > 1:
            text += f", stride {pair(module.stride)[0]}"
        return text + (f", g={module.groups}" if module.groups > 1 else "")
    if isinstance(module, nn.Linear):
        return f"fc {module.in_features}→{module.out_features}"
    if isinstance(module, _BatchNorm):
        return f"C={module.num_features}"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        k, s = pair(module.kernel_size)[0], pair(module.stride)[0]
        return f"{k}×{k}, stride {s}"
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        size = pair(module.output_size)  # type: ignore[arg-type]
        return f"→ {size[0]}×{size[1]}"
    return ""


def _node(name: str, module: nn.Module, calls: dict[str, list[Call]]) -> LayerNode:
    children = tuple(
        _node(f"{name}.{child}" if name else child, sub, calls)
        for child, sub in module.named_children()
    )
    own_calls = calls.get(name, [])
    return LayerNode(
        name=name,
        type=type(module).__name__,
        detail=_detail(module),
        output_shape=own_calls[-1].output_shape if own_calls else None,
        call_shapes=tuple(c.output_shape for c in own_calls if c.output_shape is not None),
        params=sum(p.numel() for p in module.parameters(recurse=False)),
        total_params=sum(p.numel() for p in module.parameters()),
        macs=sum(call_macs(module, c) for c in own_calls) + sum(c.macs for c in children),
        children=children,
        conv=_conv_spec("", name, module) if isinstance(module, nn.Conv2d) else None,
    )


# ---------------------------------------------------------------- stages and blocks


def _conv_spec(block: str, name: str, conv: nn.Conv2d) -> ConvSpec:
    """`name` relative to `block` ("conv2" in "layer1.0"); the whole path when `block` is ""."""
    return ConvSpec(
        name=name[len(block) + 1 :] if block else name,
        kernel=pair(conv.kernel_size)[0],
        stride=pair(conv.stride)[0],
        in_channels=conv.in_channels,
        out_channels=conv.out_channels,
        groups=conv.groups,
    )


def _block_row(
    model: nn.Module,
    b: BlockReading,
    node: LayerNode,
    calls: dict[str, list[Call]],
    g_in: Geometry,
) -> tuple[BlockRow, Geometry]:
    name = b.name
    branch = [(n, model.get_submodule(n)) for n in b.branch]
    shortcut = [(n, model.get_submodule(n)) for n in b.shortcut]
    g_branch = g_in.along(branch, calls)
    # The sum F(x) + S(x) sees what either path sees; the residual branch always sees more.
    g_out = Geometry(max(g_branch.rf, g_in.along(shortcut, calls).rf), g_branch.jump,
                     g_branch.offset)  # fmt: skip
    convs = [(n, m) for n, m in branch if isinstance(m, nn.Conv2d)]
    projection = [_conv_spec(name, n, m) for n, m in shortcut if isinstance(m, nn.Conv2d)]
    strided = [n for n, m in convs if pair(m.stride)[0] > 1]
    c_in = calls[name][0].input_shape[1]  # type: ignore[index]
    c_out = node.output_shape[1]  # type: ignore[index]
    stride = math.prod(pair(m.stride)[0] for _, m in convs)
    reasons = ([f"stride {stride}"] if stride > 1 else []) + (
        [f"channels {c_in}→{c_out}"] if c_in != c_out else []
    )
    row = BlockRow(
        name=name,
        type=type(model.get_submodule(name)).__name__,
        in_channels=c_in,
        width=convs[0][1].out_channels if convs else c_out,
        out_channels=c_out,
        output_shape=node.output_shape,  # type: ignore[arg-type]
        stride=stride,
        stride_layer=strided[0][len(name) + 1 :] if strided else None,
        shortcut=b.shortcut_kind,
        reason=", ".join(reasons) if shortcut else "",
        convs=sum(isinstance(m, (nn.Conv2d, nn.Linear)) for _, m in branch) + b.functional_convs,
        receptive_field=g_out.rf,
        params=node.total_params,
        macs=node.macs,
        branch=tuple(_conv_spec(name, n, m) for n, m in convs),
        projection=projection[0] if projection else None,
        steps=b.steps,
        relu_after_sum=b.relu_after_sum,
        shortcut_steps=b.shortcut_steps,
        branch_order=b.branch_order,
        attention=b.attention,
    )
    return row, g_out


def _split_pool(model: nn.Module, unit: str, calls: dict[str, list[Call]]) -> list[str]:
    """`unit` opened into its children while its last step is a pooling layer inside it, so
    that the pool can move to the first stage (the source notes' conv1 holds its max pool)."""
    module = model.get_submodule(unit)
    ran = sorted((calls[f"{unit}.{c}"][0].order, f"{unit}.{c}")
                 for c, _ in module.named_children() if f"{unit}.{c}" in calls)  # fmt: skip
    if isinstance(module, POOLING) or not ran:
        return [unit]
    inner = _split_pool(model, ran[-1][1], calls)
    if not isinstance(model.get_submodule(inner[-1]), POOLING):
        return [unit]
    return [n for _, n in ran[:-1]] + inner


def _stage_rows(
    model: nn.Module,
    reading: Reading,
    root: LayerNode,
    calls: dict[str, list[Call]],
    order: dict[str, int],
) -> tuple[StageRow, ...]:
    nodes = {n.name: n for n in root.walk()}

    # The paper's Table 1 puts the stem's max pool at the start of conv2_x (layer1).
    stem = list(reading.stem)
    if stem:
        stem[-1:] = _split_pool(model, stem[-1], calls)
    moved: list[str] = []
    while stem and isinstance(model.get_submodule(stem[-1]), POOLING):
        moved.insert(0, stem.pop())
    groups: list[tuple[str, list[str], tuple[str, ...]]] = [("stem", stem, ())] if stem else []
    for i, st in enumerate(reading.stages):
        own = [st.name] if st.module else list(st.blocks)
        groups.append((st.name, (moved if i == 0 else []) + own, st.blocks))
    groups += [("head", list(reading.head), ())] if reading.head else []
    blocks = {b.name: b for b in reading.blocks}

    rows = []
    g = Geometry()
    for index, (row_name, members, stage_blocks) in enumerate(groups):
        rows_in: list[BlockRow] = []
        for member in members:
            if any(member == b or b.startswith(member + ".") for b in stage_blocks):
                continue  # the stage's blocks are walked one by one below
            g = g.along(sorted(leaves(model.get_submodule(member), member),
                               key=lambda p: order.get(p[0], 0)), calls)  # fmt: skip
        for name in stage_blocks:
            row, g = _block_row(model, blocks[name], nodes[name], calls, g)
            rows_in.append(row)
        last = max(members, key=lambda m: calls[m][-1].order if m in calls else -1)
        stage_index = index - (1 if groups[0][0] == "stem" else 0)
        # Table 1's rows; a stage named otherwise (timm's "stages.0") by its place
        paper = PAPER_NAMES.get(row_name) or (
            f"conv{stage_index + 2}_x" if stage_blocks else row_name
        )
        rows.append(
            StageRow(
                name=row_name,
                paper_name=paper,
                modules=tuple(members),
                output_shape=nodes[last].output_shape,  # type: ignore[arg-type]
                stride=g.jump,
                receptive_field=g.rf,
                block_rows=tuple(rows_in),
                params=sum(nodes[m].total_params for m in members),
                macs=sum(nodes[m].macs for m in members),
            )
        )
    return tuple(rows)


# ---------------------------------------------------------------- entry point and cache


def check_input_size(input_size: object) -> int:
    if isinstance(input_size, bool) or not isinstance(input_size, int):
        raise ExplorerError.text("err_input_whole", size=input_size)
    if not MIN_INPUT <= input_size <= MAX_INPUT:
        raise ExplorerError.text("err_input_range", lo=MIN_INPUT, hi=MAX_INPUT, size=input_size)
    return input_size


def summarize(model: nn.Module, input_size: int, name: str, title: str) -> ArchitectureSummary:
    """Analyse a built model from one traced pass (meta stand-ins for its weights where its
    forward allows: no arithmetic)."""
    try:
        flow = trace_model(model, input_size)
    except TraceError as err:
        raise size_error(model, err, input_size, title, None) from err
    except RuntimeError as err:
        raise ExplorerError(
            f"{title} cannot run on a {input_size}×{input_size} input: {err}"
        ) from err
    calls = flow.by_module()
    order = {name: records[0].order for name, records in calls.items()}
    reading = remember(model, read_model(model, flow, title))
    root = _node("", model, calls)
    depth = depth_breakdown(model, reading, {n: len(c) for n, c in calls.items()})
    stages = _stage_rows(model, reading, root, calls, order)
    return ArchitectureSummary(name, title, input_size, depth, stages, root)


_CACHE_SIZE = 128  # (model, input size) pairs; one ResNet-152 summary is ~1 MB of records
_cache: OrderedDict[tuple[str, int], ArchitectureSummary] = OrderedDict()
_cache_lock = threading.Lock()
_key_locks: dict[tuple[str, int], threading.Lock] = {}


def analyze(model: str | nn.Module, input_size: int | None = None) -> ArchitectureSummary:
    """The architecture summary of a registry name, custom spec or any residual network module.

    `input_size` None: the model's own size (32 for the CIFAR-10 networks, 64 for the demo
    models), else 224. Registry names are analysed on the meta device and cached per (name,
    input size); a module is traced once, with meta stand-ins for its weights where its forward
    allows, in eval mode, and not cached (its weights may change).
    """
    if isinstance(model, nn.Module):
        info = getattr(model, "explorer_info", None)
        name = info.name if info is not None else type(model).__name__
        title = info.title if info is not None else name
        size = check_input_size(input_size if input_size is not None else model_size(model))
        return summarize(model, size, name, title)
    entry = get_entry(model)
    size = check_input_size(input_size if input_size is not None else entry.input_size)
    key = (entry.name, size)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:  # one analysis per key even when the warm-up thread and a request race
        with _cache_lock:
            if key in _cache:
                return _cache[key]
        summary = summarize(entry.build(device="meta"), size, entry.name, entry.title)
        with _cache_lock:
            _cache[key] = summary
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
            _key_locks.pop(key, None)
    return summary


def module_tree(model: str | nn.Module, input_size: int | None = None) -> LayerNode:
    """The layer tree of any model that runs (no residual blocks needed): what the Architecture
    tab still shows for a network the explorer does not read as a ResNet."""
    if isinstance(model, nn.Module):
        module, size = model, input_size or model_size(model)
    else:
        entry = get_entry(model)
        module, size = entry.build(device="meta"), input_size or entry.input_size
    try:
        flow = trace_model(module, check_input_size(size))
    except RuntimeError as err:
        raise ExplorerError(f"{type(module).__name__} cannot run on a {size}×{size} input: "
                            f"{err}") from err  # fmt: skip
    return _node("", module, flow.by_module())


@dataclass(frozen=True)
class Cost:
    """What building and running an architecture once would take, known before either: counted
    on the meta device, so an 11-billion-parameter spec costs nothing to price."""

    params: int
    macs: int  # multiply-accumulates of one forward pass of one image
    activation_bytes: int  # float32 outputs of every layer call of that pass (kept for backward)

    @property
    def param_bytes(self) -> int:
        return 4 * self.params


def cost(model: str, input_size: int = 224) -> Cost:
    """Parameters, MACs and activation memory of a registry name or custom spec at
    `input_size`, from its (cached) meta-device analysis."""
    summary = analyze(model, input_size)
    outputs = sum(math.prod(shape) for node in summary.layers.walk() if not node.children
                  for shape in node.call_shapes)  # fmt: skip
    return Cost(summary.total_params, summary.total_macs, 4 * outputs)


def warm_cache(names: Iterable[str] | None = None, input_size: int = 224) -> None:
    """Analyse every registry model (or `names`) so that later calls return at once."""
    for name in list_models() if names is None else names:
        analyze(name, input_size)
