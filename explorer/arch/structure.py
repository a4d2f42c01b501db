"""Where the stem, the stages, the residual blocks and the head sit in any residual network, and
how to run one block with its sum F(x) + S(x) in the caller's hands.

The reading comes from one traced pass (dataflow.py, reading.py), on the meta device when the
model's tensors can be swapped for meta ones, and is kept per model object. No class or attribute
name of any library is looked up here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from ..errors import ExplorerError
from .dataflow import ADDS, Flow, TraceError, trace_flow
from .reading import WEIGHTED, BlockReading, Reading, read_model

POOLING = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
DEFAULT_SIZE = 224

_readings: weakref.WeakKeyDictionary[nn.Module, Reading] = weakref.WeakKeyDictionary()
_blocks: weakref.WeakKeyDictionary[nn.Module, BlockReading] = weakref.WeakKeyDictionary()


def leaves(module: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """Modules without children under `module`, with their full names."""
    return [
        (f"{prefix}.{name}" if prefix and name else name or prefix, m)
        for name, m in module.named_modules()
        if not any(True for _ in m.children())
    ]


def model_size(model: nn.Module) -> int:
    """The image side `model` is meant for: its registry entry's, else 224."""
    info = getattr(model, "explorer_info", None)
    return getattr(info, "input_size", None) or DEFAULT_SIZE


def trace_model(model: nn.Module, input_size: int) -> Flow:
    """One traced pass at `input_size`: with meta stand-ins for the weights when that works (no
    arithmetic), else on the model's own device."""
    param = next(model.parameters(), None)
    dtype = param.dtype if param is not None and param.is_floating_point() else torch.float32
    return trace_input(model, torch.zeros(1, 3, input_size, input_size, dtype=dtype))


def trace_input(model: nn.Module, x: Tensor) -> Flow:
    """`trace_flow` of `model` on an input shaped like `x`, on the meta device when it can be."""
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    if device.type != "meta":
        try:
            with on_meta(model):
                return trace_flow(model, torch.empty_like(x, device="meta"))
        except (RuntimeError, TypeError, NotImplementedError) as err:
            if isinstance(err, TraceError) and "meta" not in str(err) and "device" not in str(err):
                raise  # the model itself refuses the input: no need to try it for real
            # a tensor the module keeps outside its parameters: trace it as it is
    return trace_flow(model, torch.zeros_like(x, device=device))


def on_meta(model: nn.Module):  # type: ignore[no-untyped-def]
    """The model's parameters and buffers replaced by meta stand-ins of their shapes for the
    duration (a context manager): its forward then computes shapes only."""
    return _swapped(model, {n: torch.empty_like(t, device="meta") for n, t in
                            [*model.named_parameters(), *model.named_buffers()]})  # fmt: skip


@contextmanager
def _swapped(model: nn.Module, tensors: dict[str, Tensor]) -> Iterator[None]:
    """The model's parameters and buffers replaced by `tensors` for the duration."""
    saved = []
    try:
        for name, t in tensors.items():
            owner_name, _, attr = name.rpartition(".")
            owner = model.get_submodule(owner_name)
            store = owner._parameters if attr in owner._parameters else owner._buffers
            saved.append((store, attr, store[attr]))
            store[attr] = t  # type: ignore[assignment]
        yield
    finally:
        for store, attr, value in saved:
            store[attr] = value


def reading_of(model: nn.Module, title: str | None = None, input_size: int | None = None
               ) -> Reading:  # fmt: skip
    """The blocks, stages, stem and head of `model`, read once per model object."""
    held = _readings.get(model)
    if held is None:
        size = input_size or model_size(model)
        name = title or type(model).__name__
        # A loaded registry model is read from a meta build of its own entry: the shared,
        # served module is never swapped, not even for a moment.
        info = getattr(model, "explorer_info", None)
        traced = model
        if info is not None:
            from .registry import get_entry

            traced = get_entry(info.name).build(device="meta")
        try:
            flow = trace_model(traced, size)
        except RuntimeError as err:
            raise ExplorerError(f"{name} cannot run on a {size}×{size} input: {err}") from err
        held = remember(model, read_model(traced, flow, name))
    return held


def remember(model: nn.Module, reading: Reading) -> Reading:
    """Keep `reading` for `model` and each of its blocks (a block knows its sum from then on)."""
    _readings[model] = reading
    for b in reading.blocks:
        _blocks[model.get_submodule(b.name)] = b
    return reading


def block_reading(block: nn.Module, x: Tensor | None = None) -> BlockReading:
    """The reading of a block: kept from its model's reading, or read on its own from an input
    shaped like `x` (a block copied out of its model)."""
    held = _blocks.get(block)
    if held is None:
        if x is None:
            raise RuntimeError(f"{type(block).__name__} is not a block of a model read so far")
        alone = nn.Sequential(block)
        found = read_model(alone, trace_input(alone, x[:1].detach()), type(block).__name__)
        if [b.name for b in found.blocks] != ["0"]:
            raise ExplorerError.text("err_not_residual", model=type(block).__name__,
                                     found=type(block).__name__)  # fmt: skip
        held = _blocks[block] = found.blocks[0]
    return held


def num_classes(model: nn.Module) -> int:
    """The width of the model's output (its classes), from its reading."""
    return reading_of(model).classes


@dataclass(frozen=True)
class Parts:
    """What the model's forward applies, in order, as (name, module) pairs."""

    stem: tuple[tuple[str, nn.Module], ...]  # conv1, bn1, relu, maxpool
    blocks: tuple[tuple[str, nn.Module], ...]  # ("layer3.1", block), every block of every stage
    head: tuple[tuple[str, nn.Module], ...]  # avgpool, the flatten forward does, fc
    reading: Reading

    def block(self, name: str) -> BlockReading:
        return self.reading.block(name)

    def run_stem(self, x: Tensor) -> Tensor:
        """The stem on the model's input: the first block's input."""
        for _, module in self.stem:
            x = module(x)
        return x

    def run_head(self, a: Tensor) -> Tensor:
        """The head on the last block's output: the logits."""
        for _, module in self.head:
            a = module(a)
        return a


_GLUE: dict[str, Callable[[], nn.Module]] = {"flatten": lambda: nn.Flatten(1), "relu": nn.ReLU}


def network_parts(model: nn.Module) -> Parts:
    """The modules of the model's forward pass, so that it can be run step by step."""
    reading = reading_of(model)
    if reading.chain or reading.between:
        why = reading.chain or f"{reading.between[0]} sits between two blocks"
        raise ExplorerError.text("err_no_chain", model=type(model).__name__, why=why)
    glue = dict(reading.glue)

    def steps(names: tuple[str, ...]) -> tuple[tuple[str, nn.Module], ...]:
        out: list[tuple[str, nn.Module]] = []
        for name in names:
            if name in glue:
                out.append((glue[name], _GLUE[glue[name]]()))
            out.append((name, model.get_submodule(name)))
        return tuple(out)

    blocks = tuple((b.name, model.get_submodule(b.name)) for b in reading.blocks)
    return Parts(steps(reading.stem), blocks, steps(reading.head), reading)


def weighted(module: nn.Module) -> bool:
    return isinstance(module, WEIGHTED)


# ---------------------------------------------------------------- running one block


Join = Callable[[Tensor, Tensor], Tensor]


@dataclass
class BlockRun:
    """What one call of a block computed: F(x), S(x), the value it went on with, its output."""

    branch: Tensor
    shortcut: Tensor
    joined: Tensor
    output: Tensor


class _Sum(TorchFunctionMode):
    """Finds the block's residual add among its two-tensor adds and hands it to `join`."""

    def __init__(self, reading: BlockReading, join: Join, keep: bool) -> None:
        super().__init__()
        self.reading, self.join, self.keep = reading, join, keep
        self.seen = 0
        self.run: BlockRun | None = None

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        if (name not in ADDS or len(args) < 2 or not all(isinstance(a, Tensor) for a in args[:2])
                or args[0].shape != args[1].shape):  # fmt: skip
            return func(*args, **kwargs)
        if self.seen != self.reading.add_index:
            self.seen += 1
            return func(*args, **kwargs)
        self.seen += 1
        inplace = name.endswith("_") or name == "__iadd__"
        f, s = args[self.reading.branch_arg], args[1 - self.reading.branch_arg]
        if inplace:  # the first operand is overwritten: keep what it was
            f = f.clone() if self.reading.branch_arg == 0 else f
            s = s.clone() if self.reading.branch_arg == 1 else s
        joined = self.join(f, s)
        self.run = BlockRun(f, s, joined, joined)
        if inplace:
            target = args[0]
            if target.shape == joined.shape:
                target.copy_(joined)
            else:  # the batch grew (lesions): the tensor takes the new shape
                grown = joined.clone() if self.keep else joined  # `keep`: the caller's own
                target.set_(grown.detach() if not target.requires_grad else grown)
            return target
        # a later in-place activation must not overwrite the sum a caller keeps
        return joined.clone() if self.keep else joined


def _add(f: Tensor, s: Tensor) -> Tensor:
    return f + s


def run_block(block: nn.Module, reading: BlockReading, x: Tensor, join: Join = _add,
              keep: bool = False) -> BlockRun:  # fmt: skip
    """Run `block` on `x` with its residual sum replaced by join(F(x), S(x)) (default: the sum
    itself); `keep` leaves the joined tensor untouched by what the block does after it."""
    mode = _Sum(reading, join, keep)
    with mode:
        out = block(x)
    if mode.run is None:
        raise RuntimeError(f"{reading.name} ran without its residual sum")
    mode.run.output = out
    return mode.run
