"""Any residual network read from its dataflow: which module calls are residual blocks, what each
block's two paths are, and how stem, stages and head chain together.

A residual block is the innermost module whose call adds two same-shaped feature maps that both
come from the call's own input: the branch F(x) (the operand with the convolutions) and the
shortcut S(x) (the input itself, a projection, option A's zero padding or, for a plain twin,
x · 0). Nothing here looks at class or attribute names; only at what the ops did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..errors import ExplorerError
from ..i18n import Phrase
from .dataflow import ADDS, Flow, ModuleCall, Op

WEIGHTED = (nn.Conv2d, nn.Linear)  # the paper's "weighted layers", as modules
WEIGHTED_OPS = frozenset({"conv1d", "conv2d", "conv3d", "linear"})
POOL_OPS = frozenset({"avg_pool2d", "max_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
                      "max_pool2d_with_indices", "_max_pool2d", "boolean_dispatch"})  # fmt: skip
ACTIVATIONS = frozenset({"relu", "relu_", "relu6", "silu", "silu_", "gelu", "elu", "leaky_relu",
                         "hardswish", "hardtanh", "mish", "threshold"})  # fmt: skip
MULS = frozenset({"mul", "mul_", "__mul__", "__rmul__", "__imul__"})
# ops between two modules that only reshape: a chain may pass its tensor through them
SHAPE_OPS = frozenset({"view", "reshape", "flatten", "contiguous", "squeeze", "__getitem__"})
STEP_OPS = {"conv2d": "conv", "batch_norm": "bn", "relu": "relu", "relu_": "relu",
            "linear": "fc", "group_norm": "gn", "layer_norm": "ln", "silu": "silu"}  # fmt: skip


@dataclass(frozen=True)
class BlockReading:
    """One residual block as its forward pass computed it: out = post(F(x) + S(x))."""

    name: str  # module path ("layer2.0", "stages.1.blocks.0")
    stage: str  # the stage it belongs to (StageReading.name)
    branch: tuple[str, ...]  # leaf modules of F(x), in execution order (a shared pre-act too)
    shortcut: tuple[str, ...]  # leaf modules that only S(x) runs (a projection's conv and norm)
    gate: tuple[str, ...]  # leaf modules of an attention gate inside F (SE, ECA): not counted
    post: tuple[str, ...]  # leaf modules run on the sum (the ReLU after it)
    steps: tuple[str, ...]  # F's layers in execution order: "conv", "bn", "relu", "attention"
    shortcut_steps: tuple[str, ...]  # S's layers ("conv", "bn"; "ZeroPadShortcut"; () identity)
    shortcut_kind: str  # identity | projection | pooled_projection | zero_pad | none
    branch_order: str  # "post" (conv first, as in 2015) or "pre" (norm first, He et al. 2016)
    relu_after_sum: bool  # an activation runs on the sum before the block returns
    attention: str | None  # "channel" (squeeze-excitation, ECA), "spatial", or None
    add_index: int  # which two-tensor add of the block's call (counting nested ones) is the sum
    branch_arg: int  # which operand of that add is F(x): 0 or 1
    functional_convs: int  # convs on F written as functional calls, not conv modules


@dataclass(frozen=True)
class StageReading:
    name: str  # the module holding just these blocks ("layer1", "stages.0"); else the first block
    module: bool  # `name` is a module (a stage of loose blocks has none)
    blocks: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """Where the stem, stages, blocks and head of one model are, from one traced pass."""

    units: tuple[str, ...]  # modules the forward chains through, in order: stem, blocks, head
    stem: tuple[str, ...]  # units before the first block
    stages: tuple[StageReading, ...]
    head: tuple[str, ...]  # units after the last block
    between: tuple[str, ...]  # units between blocks (a layer sitting inside a stage)
    blocks: tuple[BlockReading, ...]
    glue: tuple[tuple[str, str], ...]  # (unit, "flatten" | "relu"): a functional op before it
    chain: str  # "" when each unit takes the previous one's output; else why it does not
    output_shape: tuple[int, ...] = ()  # the model's output: (1, classes) for a classifier

    @property
    def classes(self) -> int:
        return self.output_shape[-1] if self.output_shape else 0

    def block(self, name: str) -> BlockReading:
        return next(b for b in self.blocks if b.name == name)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    @property
    def layer_ends(self) -> dict[str, str]:
        """Every stage and block → the block whose output is its output (a stage's last)."""
        return {st.name: st.blocks[-1] for st in self.stages} | {b.name: b.name for b in
                                                                 self.blocks}  # fmt: skip


def _is_add(op: Op) -> bool:
    return op.name in ADDS and len(op.inputs) == 2 and op.shapes[0] == op.shapes[1]


def _residual_call(flow: Flow, op: Op) -> int:
    """The innermost module call whose own input both operands of `op` were computed from."""
    c = op.call
    while c >= 0:
        call = flow.calls[c]
        targets = set(call.inputs)
        if all(flow.reaches(v, targets, call.first_op, op.index) for v in op.inputs):
            return c
        c = call.parent
    return -1


def _gate_ops(flow: Flow, ops: set[int], lo: int) -> tuple[set[int], str | None]:
    """Ops of an attention gate among `ops`: the side of a product x · g whose own ops reduce
    the map (a global pool for squeeze-excitation, a channel mean for spatial attention)."""
    gate: set[int] = set()
    kind = None
    for i in sorted(ops):
        op = flow.ops[i]
        if op.name not in MULS or len(op.inputs) != 2:
            continue
        sides = [flow.ancestors(v, lo, i) for v in op.inputs]
        for j in (0, 1):
            own = sides[j] - sides[1 - j]
            reduced = [flow.ops[k] for k in own if flow.ops[k].out_shape is not None
                       and op.out_shape is not None and len(flow.ops[k].out_shape) == 4
                       and math.prod(flow.ops[k].out_shape) < math.prod(op.out_shape)]  # fmt: skip
            if reduced and own:
                gate |= own
                shape = min(reduced, key=lambda o: math.prod(o.out_shape)).out_shape  # type: ignore[arg-type,return-value]
                kind = "channel" if shape[-2:] == (1, 1) else "spatial"  # type: ignore[index]
    return gate, kind


def _leaves_of(flow: Flow, ops: set[int]) -> list[str]:
    """The leaf modules whose calls ran `ops`, in execution order, each once."""
    out: list[str] = []
    for i in sorted(ops):
        leaf = flow.leaf_of(flow.ops[i])
        if leaf is not None and leaf.name not in out:
            out.append(leaf.name)
    return out


def _step(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        return "conv"
    if isinstance(module, _BatchNorm):
        return "bn"
    return "relu" if isinstance(module, nn.ReLU) else type(module).__name__


def _steps(flow: Flow, model: nn.Module, ops: set[int], gate: set[int]) -> list[str]:
    """What the ops did, layer by layer: a leaf module is one step, a functional layer op
    (F.relu, F.batch_norm in a fused norm-act module) another, an attention gate one."""
    steps: list[str] = []
    last_call = None
    for i in sorted(ops | gate):
        op = flow.ops[i]
        leaf = flow.leaf_of(op)
        if i in gate:
            continue  # the gate's own layers: one "attention" step where it multiplies
        if leaf is not None:
            if leaf.index != last_call:
                steps.append(_step(model.get_submodule(leaf.name)))
            last_call = leaf.index
        elif op.name in MULS and any(flow.producer.get(v) in gate for v in op.inputs):
            steps.append("attention")
        elif op.name in STEP_OPS:
            steps.append(STEP_OPS[op.name])
    return steps


def _read_block(flow: Flow, model: nn.Module, call: ModuleCall, add: Op, add_index: int
                ) -> BlockReading | None:  # fmt: skip
    lo, hi = call.first_op, add.index
    sides = [flow.ancestors(v, lo, hi) for v in add.inputs]
    own = [sides[0] - sides[1], sides[1] - sides[0]]
    gates = [_gate_ops(flow, sides[j], lo) for j in (0, 1)]

    def weight(j: int) -> tuple[int, int]:
        return (sum(flow.ops[k].name in WEIGHTED_OPS for k in own[j] - gates[j][0]), len(own[j]))

    f = 0 if weight(0) >= weight(1) else 1
    s = 1 - f
    if weight(f)[0] == 0:
        return None  # nothing with weights on either side: an add, not a residual block
    gate, attention = gates[f]
    branch_ops = sides[f] - gate
    side_ops = own[s]
    side = [flow.ops[k] for k in sorted(side_ops)]
    if any(o.name in MULS and o.zero for o in side):
        kind = "none"
    elif any(o.name in WEIGHTED_OPS for o in side):
        first_conv = next(o.index for o in side if o.name in WEIGHTED_OPS)
        pooled = any(o.name in POOL_OPS and o.index < first_conv for o in side)
        kind = "pooled_projection" if pooled else "projection"
    elif any(o.name == "pad" for o in side):
        kind = "zero_pad"
    else:
        kind = "identity"
    # ops after the sum that take it: the block's activation, if any
    taken = set(add.outputs)
    post_ops: set[int] = set()
    for op in flow.ops[add.index + 1 : call.end_op]:
        if taken.intersection(op.inputs):
            post_ops.add(op.index)
            taken.update(op.outputs)
    leaf_post = _leaves_of(flow, post_ops)
    post_leaves = [model.get_submodule(n) for n in leaf_post]
    after = any(flow.ops[k].name in ACTIVATIONS for k in post_ops) or any(
        isinstance(m, (nn.ReLU, nn.SiLU, nn.GELU, nn.ReLU6, nn.LeakyReLU)) for m in post_leaves
    )
    # pre-activation: the branch's first layer with weights or statistics is a norm, not a conv
    layers = [flow.ops[k].name for k in sorted(branch_ops)
              if flow.ops[k].name in WEIGHTED_OPS | {"batch_norm", "group_norm"}]  # fmt: skip
    order = "pre" if layers and layers[0] not in WEIGHTED_OPS else "post"
    inner = _leaves_of(flow, branch_ops)
    branch = inner + [n for n in leaf_post if n not in inner]
    functional = sum(flow.ops[k].name in WEIGHTED_OPS and flow.leaf_of(flow.ops[k]) is None
                     for k in branch_ops)  # fmt: skip
    return BlockReading(
        name=call.name, stage="", branch=tuple(branch),
        shortcut=tuple(n for n in _leaves_of(flow, side_ops) if n not in branch),
        gate=tuple(n for n in _leaves_of(flow, gate) if n not in branch),
        post=tuple(leaf_post),
        steps=tuple(_steps(flow, model, branch_ops, gate)),
        shortcut_steps=() if kind == "none" else tuple(
            _step(model.get_submodule(n)) for n in _leaves_of(flow, side_ops)),
        shortcut_kind=kind, branch_order=order, relu_after_sum=after, attention=attention,
        add_index=add_index, branch_arg=f, functional_convs=functional,
    )  # fmt: skip


def _not_residual(flow: Flow, title: str, inline: list[Op]) -> ExplorerError:
    """Why no block was found, saying what was found instead."""
    source = {flow.input_value}
    tokens = [op for op in flow.ops if _is_add(op) and len(op.shapes[0]) == 3
              and all(flow.reaches(v, source, 0, op.index) for v in op.inputs)]  # fmt: skip
    convs = sum(op.name == "conv2d" for op in flow.ops)
    if tokens:
        found = Phrase("found_tokens", {"count": len(tokens), "shape": "×".join(
            map(str, tokens[0].shapes[0][1:]))})  # fmt: skip
    elif inline:
        found = Phrase("found_inline", {"count": len(inline)})
    else:
        found = Phrase("found_plain", {"convs": convs})
    return ExplorerError.text("err_not_residual", model=title, found=found)


def _cover(model: nn.Module, called: dict[str, int], ran: set[str], inside: set[str]
           ) -> list[str]:  # fmt: skip
    """The highest modules that hold no block and all of whose leaves that ran (`ran`) are in
    `called` (leaf → its first call's order)."""
    chosen: list[str] = []
    for name, module in model.named_modules():
        if not name or any(name.startswith(c + ".") for c in chosen):
            continue
        if any(b == name or b.startswith(name + ".") for b in inside):
            continue  # a block, or a module holding blocks
        leaves = [n for n, m in module.named_modules(prefix=name) if not any(m.children())]
        used = [n for n in leaves if n in ran]
        if used and all(n in called for n in used):
            chosen.append(name)
    return chosen


def read_model(model: nn.Module, flow: Flow, title: str) -> Reading:
    """Find the blocks, stages, stem and head of `model` in `flow`."""
    blocks: list[tuple[ModuleCall, BlockReading]] = []
    inline: list[Op] = []
    adds_in: dict[int, list[Op]] = {}
    for op in flow.ops:
        if not _is_add(op) or len(op.shapes[0]) != 4:
            continue
        c = _residual_call(flow, op)
        if c < 0:
            continue
        if flow.calls[c].parent < 0:
            inline.append(op)  # written in the model's own forward: no module to call a block
            continue
        adds_in.setdefault(c, []).append(op)
    for c, adds in adds_in.items():
        call = flow.calls[c]
        counted = [op for op in flow.ops[call.first_op : call.end_op] if _is_add(op)]
        found = [(op, _read_block(flow, model, call, op, counted.index(op))) for op in adds]
        found = [(op, b) for op, b in found if b is not None]
        if len(found) > 1:
            raise ExplorerError.text("err_two_sums", model=title, block=call.name)
        if found:
            blocks.append((call, found[0][1]))
    if not blocks:
        raise _not_residual(flow, title, inline)
    names = [b.name for _, b in blocks]
    for name in names:
        if sum(c.name == name for c in flow.calls) > 1:
            raise ExplorerError.text("err_block_twice", model=title, block=name)
        if any(o != name and o.startswith(name + ".") for o in names):
            raise ExplorerError.text("err_nested_blocks", model=title, block=name)
    blocks.sort(key=lambda p: p[0].record.order)
    block_calls = {call.index for call, _ in blocks}

    def in_block(call: ModuleCall) -> bool:
        c = call.index
        while c >= 0:
            if c in block_calls:
                return True
            c = flow.calls[c].parent
        return False

    called: dict[str, int] = {}
    for call in flow.calls:
        if call.leaf and not in_block(call) and call.name not in called:
            called[call.name] = call.record.order
    units_outside = _cover(model, called, {c.name for c in flow.calls if c.leaf}, set(names))
    order = {u: min(called[n] for n in called if n == u or n.startswith(u + "."))
             for u in units_outside}  # fmt: skip
    for call, b in blocks:
        order[b.name] = call.record.order
    units = sorted(order, key=order.__getitem__)
    first, last = units.index(names[0]), units.index(names[-1])
    stages = _stages([b for _, b in blocks], [c for c, _ in blocks], names)
    stage_of = {n: s.name for s in stages for n in s.blocks}
    readings = tuple(replace(b, stage=stage_of[b.name]) for _, b in blocks)
    glue, chain = _chain(flow, model, units)
    return Reading(
        units=tuple(units), stem=tuple(units[:first]),
        stages=stages, head=tuple(units[last + 1 :]),
        between=tuple(u for u in units[first : last + 1] if u not in names),
        blocks=readings, glue=glue, chain=chain,
        output_shape=next((c.record.output_shape or () for c in flow.calls if c.parent < 0), ()),
    )  # fmt: skip


def _stages(readings: list[BlockReading], calls: list[ModuleCall], names: list[str]
            ) -> tuple[StageReading, ...]:  # fmt: skip
    """Runs of consecutive blocks under one parent module; loose blocks (the model's own
    children) split where a block changes the map's shape."""
    groups: list[list[int]] = []
    for i, name in enumerate(names):
        parent = name.rsplit(".", 1)[0] if "." in name else ""
        prev = names[i - 1].rsplit(".", 1)[0] if i and "." in names[i - 1] else None
        changes = calls[i].record.input_shape != calls[i].record.output_shape
        if groups and parent == prev and (parent or not changes):
            groups[-1].append(i)
        else:
            groups.append([i])
    out = []
    for group in groups:
        members = [names[i] for i in group]
        parent = members[0].rsplit(".", 1)[0] if "." in members[0] else ""
        if not parent:
            out.append(StageReading(members[0], False, tuple(members)))
            continue
        name = parent
        while "." in name:  # climb while the ancestor holds no other block
            up = name.rsplit(".", 1)[0]
            if any(n.startswith(up + ".") and n not in members for n in names):
                break
            name = up
        if any(n.startswith(name + ".") and n not in members for n in names):
            name = parent
        out.append(StageReading(name, True, tuple(members)))
    return tuple(out)


def _chain(flow: Flow, model: nn.Module, units: list[str]
           ) -> tuple[tuple[tuple[str, str], ...], str]:  # fmt: skip
    """Whether the forward pass is units[0] → units[1] → … with only reshapes or a functional
    ReLU between two of them; the glue to replay, and "" or the reason it is not a chain."""
    first_call = {}
    for call in flow.calls:
        if call.name in units and call.name not in first_call:
            first_call[call.name] = call
    glue: list[tuple[str, str]] = []
    prev = {flow.input_value}
    prev_name = "input"

    def link(value: int, unit: str) -> str | None:
        ops: list[Op] = []
        while value not in prev:
            op_index = flow.producer.get(value)
            if op_index is None:
                return None
            op = flow.ops[op_index]
            if op.name not in SHAPE_OPS and op.name not in ("relu", "relu_"):
                return None
            ops.append(op)
            value = op.inputs[0]
        if not ops:
            return ""
        kinds = {op.name for op in ops}
        if kinds & {"relu", "relu_"}:
            return "relu" if kinds <= {"relu", "relu_"} else None
        start, end = ops[-1].shapes[0], ops[0].out_shape
        if end is not None and len(end) == 2 and len(start) > 2:
            return "flatten"
        return "" if end == start else None

    for unit in units:
        if sum(c.name == unit for c in flow.calls) > 1:
            return (), f"{unit} runs more than once"
        call = first_call[unit]
        if len(call.inputs) != 1:
            return (), f"{unit} takes {len(call.inputs)} tensors"
        how = link(call.inputs[0], unit)
        if how is None:
            return (), f"{unit} does not take what {prev_name} gave"
        if how:
            glue.append((unit, how))
        prev, prev_name = set(call.outputs), unit
    if not flow.output_values or link(flow.output_values[0], "output") is None:
        return (), f"the model's output is not what {prev_name} gave"
    return tuple(glue), ""
