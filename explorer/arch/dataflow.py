"""One forward pass recorded as dataflow: every module call and every torch operation, with the
values each one read and wrote, so that later code can ask where a tensor came from.

Module hooks (through hooks.hooked) say which module call is running; a TorchFunctionMode sees
each torch function and tensor method (`conv2d`, `add`, `add_`, `relu`, `view`, ...). Values are
numbered, an in-place op gives its tensor a new number, and only shapes are kept, never data.
Knows nothing of ResNets: reading.py finds the residual blocks in what this records.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from .hooks import hooked

Shape = tuple[int, ...]

# torch functions that add two tensors: `a + b`, `a += b` and `a.add_(b)` ("add_"), torch.add
ADDS = frozenset({"add", "add_", "__add__", "__iadd__", "__radd__"})
# Normalisations give a tensor of their input's shape. On the meta device torch computes that
# shape through Python decompositions (about 1.6 ms a call, 60% of tracing ResNet-152), so the
# recorder answers it directly: same shape, dtype and device, and no values either way.
SAME_SHAPE_ON_META = frozenset({"batch_norm", "layer_norm", "group_norm", "instance_norm"})


@dataclass(frozen=True)
class Call:
    """One execution of a module during the traced forward pass."""

    order: int  # position of the call's start among all calls
    input_shape: Shape | None
    output_shape: Shape | None


@dataclass(frozen=True)
class Op:
    """One torch function or tensor method, as the forward pass ran it."""

    index: int
    name: str  # the function's own name: "conv2d", "add_", "relu", "mean", "__getitem__"
    call: int  # the innermost module call that ran it (an index into Flow.calls)
    inputs: tuple[int, ...]  # values of its tensor arguments, in argument order
    outputs: tuple[int, ...]  # values it returned or overwrote
    shapes: tuple[Shape, ...]  # the shapes of `inputs`
    out_shape: Shape | None  # the shape of its first output
    zero: bool  # a number argument is 0 (x * 0: a path that carries nothing)


@dataclass(frozen=True)
class ModuleCall:
    """One module call with the values it took and gave and the ops that ran inside it."""

    index: int
    name: str  # dotted module path, "" for the model itself
    parent: int  # the enclosing module call, -1 for the model's own
    leaf: bool  # the module has no children
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    first_op: int  # ops[first_op:end_op] ran during this call
    end_op: int
    record: Call


@dataclass
class Flow:
    """What one traced forward pass did; `producer` maps a value to the op that made it."""

    ops: list[Op] = field(default_factory=list)
    calls: list[ModuleCall] = field(default_factory=list)
    producer: dict[int, int] = field(default_factory=dict)
    input_value: int = 0
    output_values: tuple[int, ...] = ()

    def by_module(self) -> dict[str, list[Call]]:
        """Every module's calls in order, keyed by module name (what trace.trace returned)."""
        out: dict[str, list[Call]] = {}
        for c in sorted(self.calls, key=lambda c: c.record.order):
            out.setdefault(c.name, []).append(c.record)
        return out

    def ancestors(self, value: int, lo: int, hi: int) -> set[int]:
        """The ops in ops[lo:hi] that `value` was computed from, itself included."""
        seen: set[int] = set()
        todo = [value]
        while todo:
            op = self.producer.get(todo.pop())
            if op is None or op in seen or not lo <= op < hi:
                continue
            seen.add(op)
            todo.extend(self.ops[op].inputs)
        return seen

    def reaches(self, value: int, targets: set[int], lo: int, hi: int) -> bool:
        """Whether `value` was computed from one of `targets` by ops in ops[lo:hi] (or is one)."""
        if value in targets:
            return True
        return any(v in targets for op in self.ancestors(value, lo, hi)
                   for v in self.ops[op].inputs)  # fmt: skip

    def leaf_of(self, op: Op) -> ModuleCall | None:
        """The leaf module call an op ran inside, or None for an op of a container's forward."""
        call = self.calls[op.call] if op.call >= 0 else None
        return call if call is not None and call.leaf else None


def _tensors(value: Any) -> Iterator[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _tensors(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors(v)


def _shape(value: Any) -> Shape | None:
    return next((tuple(t.shape) for t in _tensors(value)), None)


class _Recorder(TorchFunctionMode):
    """Numbers tensors as they appear and records each op; module hooks keep the call stack."""

    def __init__(self, flow: Flow) -> None:
        super().__init__()
        self.flow = flow
        self.values: dict[int, tuple[torch.Tensor, int]] = {}  # id(tensor) → (tensor, value)
        self.counter = itertools.count()
        self.stack: list[int] = []

    def value(self, t: torch.Tensor) -> int:
        held = self.values.get(id(t))
        if held is None or held[0] is not t:
            held = (t, next(self.counter))  # the tensor is kept alive: its id is never reused
            self.values[id(t)] = held
        return held[1]

    def renumber(self, t: torch.Tensor, op: int) -> int:
        v = next(self.counter)
        self.values[id(t)] = (t, v)
        self.flow.producer[v] = op
        return v

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        kwargs = kwargs or {}
        name = getattr(func, "__name__", str(func))
        if name in ("__get__", "size", "dim", "numel", "__len__") or not self.stack:
            return func(*args, **kwargs)  # shape questions and properties are not dataflow
        given = list(_tensors((args, kwargs)))
        ins = tuple(self.value(t) for t in given)
        versions = [t._version for t in given]
        if name in SAME_SHAPE_ON_META and given and given[0].device.type == "meta":
            out = torch.empty_like(given[0])
        else:
            out = func(*args, **kwargs)
        index = len(self.flow.ops)
        outs = []
        for t in _tensors(out):
            same = [i for i, g in enumerate(given) if t is g]
            if same and all(given[i]._version == versions[i] for i in same):
                outs.append(ins[same[0]])  # handed back untouched (dropout in eval mode)
            elif same or id(t) not in self.values:
                outs.append(self.renumber(t, index))  # new, or written in place (add_, relu_)
            else:
                outs.append(self.value(t))
        numbers = [a for a in (*args, *kwargs.values())
                   if isinstance(a, (int, float)) and not isinstance(a, bool)]  # fmt: skip
        self.flow.ops.append(Op(index, name, self.stack[-1], ins, tuple(outs),
                                tuple(tuple(t.shape) for t in given), _shape(out),
                                any(n == 0 for n in numbers)))  # fmt: skip
        return out


def trace_flow(model: nn.Module, x: torch.Tensor) -> Flow:
    """Run `model(x)` once without autograd and record its module calls and ops."""
    flow = Flow()
    names = {m: n for n, m in model.named_modules()}
    leaf = {m: not any(True for _ in m.children()) for m in names}
    recorder = _Recorder(flow)
    open_calls: dict[nn.Module, list[dict[str, Any]]] = {}
    order = itertools.count()

    def pre(module: nn.Module, args: tuple[Any, ...]) -> None:
        entry = {
            "order": next(order),
            "parent": recorder.stack[-1] if recorder.stack else -1,
            "inputs": tuple(recorder.value(t) for t in _tensors(args)),
            "first": len(flow.ops),
            "shape": _shape(args),
            "slot": len(flow.calls),
        }
        flow.calls.append(None)  # type: ignore[arg-type]  # filled when the call returns
        open_calls.setdefault(module, []).append(entry)
        recorder.stack.append(entry["slot"])

    def post(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        entry = open_calls[module].pop()
        recorder.stack.pop()
        slot = entry["slot"]
        flow.calls[slot] = ModuleCall(
            slot, names[module], entry["parent"], leaf[module], entry["inputs"],
            tuple(recorder.value(t) for t in _tensors(output)), entry["first"], len(flow.ops),
            Call(entry["order"], entry["shape"], _shape(output)))  # fmt: skip

    with hooked(model) as hooks:
        for module in names:
            hooks.forward_pre(module, pre)
            hooks.forward(module, post)
        with torch.no_grad(), recorder:
            flow.input_value = recorder.value(x)
            try:
                out = model(x)
            except RuntimeError as err:
                inner = [(names[m], e[-1]["shape"]) for m, e in open_calls.items() if e]
                deepest = max(inner, key=lambda p: p[0].count(".") + bool(p[0]), default=("", None))
                flow.calls = [c for c in flow.calls if c is not None]  # those that returned
                raise TraceError(str(err), flow, *deepest) from err
            flow.output_values = tuple(recorder.value(t) for t in _tensors(out))
    return flow


class TraceError(RuntimeError):
    """A forward pass that failed, with what ran before and the module call that raised."""

    def __init__(self, message: str, flow: Flow, module: str, shape: Shape | None) -> None:
        super().__init__(message)
        self.flow, self.module, self.input_shape = flow, module, shape
