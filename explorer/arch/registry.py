"""The model registry: every ResNet the explorer knows, by name, and how to build its architecture.

A name is a torchvision builder name ("resnet50"), one of the paper's v1 variants ("resnet50_v1"),
a demo model ("demo_basic") or a custom spec string ("bottleneck-2-2-2-2-g32-w4"). The registry
builds untrained architectures and says which weights, preprocessing and class names belong to a
name; loading weights is models/'s. Importing it loads no torch: listing names is instant, and
the web page is served before torch has loaded.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..errors import ExplorerError
from ..i18n import Phrase

if TYPE_CHECKING:
    import torch
    from torch import nn
    from torchvision.models._api import WeightsEnum
    from torchvision.transforms._presets import ImageClassification

BlockKind = Literal["basic", "bottleneck"]
Shortcut = Literal["A", "B", "C", "none"]  # Table 3's options; "none": a plain network

# Bounds for custom specs. They keep a random-initialised custom model within a few GB of memory;
# torchvision's deepest stage (ResNet-152's layer3) has 36 blocks.
MAX_STAGE_BLOCKS = 50
MAX_GROUPS = 64
MAX_GROUP_WIDTH = 512  # groups × width_per_group; ResNeXt-101 64×4d and Wide-ResNet use 256 and 128

# The offline demo models (trained by explorer/demo on shapes it generates). Every class is a solid
# shape: a ring's hole would be background in the exact mask, and a saliency map that rightly peaks
# at the ring's centre would then miss the object.
DEFAULT_SIZE = 224  # the image side of an ImageNet network, and of a model of yours by default
DEMO_CLASSES = ("circle", "square", "triangle", "star", "cross", "heart", "hexagon", "arrow")
DEMO_SIZE = 64  # pixels: the generated images' side, so preprocessing never crops
DEMO_LAYERS = (1, 1, 1, 1)  # one block per stage: depth 10 with BasicBlock, 14 with Bottleneck
DEMO_WIDTHS = (16, 32, 64, 128)  # planes of layer1..layer4 (ImageNet ResNets: 64..512)

# Section 4.2's CIFAR-10 networks: 6n+2 layers, three stages of 16, 32 and 64 filters on 32×32
# images, the data set's ten classes, and its per-channel statistics for preprocessing.
IMAGENET_WIDTHS = (64, 128, 256, 512)
CIFAR_WIDTHS = (16, 32, 64)
CIFAR_SIZE = 32
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                 "truck")  # fmt: skip
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
# The degradation experiment (explorer/experiments) trains four of them on ten classes of 32×32
# shapes; their weights ship with the package, so these four predict shapes, not CIFAR-10.
SHAPES32_CLASSES = ("circle", "square", "triangle", "star", "cross", "heart", "hexagon", "arrow",
                    "pentagon", "diamond")  # fmt: skip
TRAINED_ON_SHAPES = ("plain20", "plain56", "resnet20", "resnet56")


@dataclass(frozen=True)
class ModelEntry:
    """One registry name and the architecture it stands for."""

    # registry key: torchvision builder name, "<builder>_v1", a canonical custom spec, or
    # "timm/<name>"
    name: str
    title: str  # human name, e.g. "ResNeXt-50 32×4d"
    block: BlockKind | None  # residual block type; None: read from the modules (timm)
    layers: tuple[int, ...]  # blocks in layer1..layer4 (three stages for CIFAR-10); () for timm
    groups: int = 1  # groups of the 3×3 conv (ResNeXt cardinality)
    # 3×3 channels per group at layer1: 64 plain, 128 wide, 4 for ResNeXt 32×4d
    width_per_group: int = 64
    # where a Bottleneck downsamples: torchvision's v1.5 ("3x3") or the paper's v1 ("1x1")
    stride_on: Literal["3x3", "1x1"] = "3x3"
    source: Literal["torchvision", "paper", "custom", "demo", "timm"] = (
        "torchvision"  # who defines it
    )
    note: str = ""  # one line shown in listings
    input_size: int = 224  # the image side the model is meant for (the demo models: 64)
    shortcut: Shortcut = "B"  # Table 3: A zero-padding, B projection where the shape changes,
    # C projection everywhere; "none": the plain network
    preact: bool = False  # He et al. 2016's pre-activation blocks (BN → ReLU → conv)
    family: Literal["imagenet", "cifar"] = "imagenet"  # stem, widths, classes and input size
    classes: int = 1000  # outputs of the classifier (a model of yours may have any number)
    # builds a model of yours (a class or callable that needs no arguments)
    builder: Callable[[], nn.Module] | None = field(default=None, compare=False, repr=False)

    @property
    def staged(self) -> bool:
        """Built by nets.StagedResNet: any option torchvision's ResNet does not have."""
        return self.family == "cifar" or self.shortcut != "B" or self.preact

    @property
    def shipped(self) -> bool:
        """Trained weights ship inside the package: the demo models and the degradation
        experiment's four networks."""
        return self.source == "demo" or (self.source == "paper" and self.name in TRAINED_ON_SHAPES)

    @property
    def weights_enum(self) -> type[WeightsEnum] | None:
        """torchvision's weights enum for this builder, or None when no weights are published."""
        if self.source != "torchvision":
            return None
        from torchvision import models as tvm

        return tvm.get_model_weights(self.name)

    @property
    def weight_names(self) -> tuple[str, ...]:
        """Names accepted as `weights=` besides None and a file path ("DEFAULT" included)."""
        if self.shipped or self.source == "timm":
            return ("DEFAULT",)  # the project's own weights, or timm's pretrained ones
        enum = self.weights_enum
        return () if enum is None else ("DEFAULT", *(w.name for w in enum))

    def weights(self, name: str) -> WeightsEnum:
        """The torchvision weights called `name` ("DEFAULT" or an enum member name)."""
        enum = self.weights_enum
        if enum is None:
            raise ExplorerError(
                f"{self.name} has no published pretrained weights. Use weights=None for a random "
                "initialisation, or pass the path of a .safetensors/.pth file trained for it."
            )
        if name == "DEFAULT":
            return enum.DEFAULT
        try:
            return enum[name]
        except KeyError:
            valid = ", ".join(self.weight_names)
            raise ExplorerError(
                f"{self.name} has no weights called {name!r}. Valid: {valid}, None, or a file path."
            ) from None

    def preprocess(
        self, weights: str | None = None, stats: tuple[list[float], list[float]] | None = None
    ) -> ImageClassification:
        """The transform that turns an image into this model's input.

        Trained weights carry their own (resize/crop/mean/std); an architecture without published
        weights uses torchvision's ImageNet preset, whose defaults are the ImageNet statistics.
        A demo model is resized to its 64 pixels, normalised by `stats` (mean, std: the training
        images', stored with the bundled weights) or, without them, by nominal values.
        """
        from torchvision.transforms._presets import ImageClassification

        if self.source == "timm":
            cfg = _timm_module().get_pretrained_cfg(self.name.removeprefix(TIMM_PREFIX))
            crop = cfg.input_size[-1] if cfg else 224
            resize = round(crop / cfg.crop_pct) if cfg and cfg.crop_pct else 256 * crop // 224
            mean = tuple(cfg.mean) if cfg else (0.485, 0.456, 0.406)
            std = tuple(cfg.std) if cfg else (0.229, 0.224, 0.225)
            return ImageClassification(crop_size=crop, resize_size=resize, mean=mean, std=std)
        if self.source == "yours":
            return ImageClassification(crop_size=self.input_size,
                                       resize_size=256 * self.input_size // 224)  # fmt: skip
        if self.source == "demo":
            mean, std = stats if stats else ((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
            return ImageClassification(crop_size=self.input_size, resize_size=self.input_size,
                                       mean=tuple(mean), std=tuple(std))  # fmt: skip
        if self.family == "cifar":  # the shipped weights' own statistics, else CIFAR-10's
            mean, std = stats if stats else (CIFAR_MEAN, CIFAR_STD)
            return ImageClassification(crop_size=CIFAR_SIZE, resize_size=CIFAR_SIZE,
                                       mean=tuple(mean), std=tuple(std))  # fmt: skip
        if weights is not None and self.weights_enum is not None:
            return self.weights(weights).transforms()
        return ImageClassification(crop_size=224)

    @property
    def categories(self) -> tuple[str, ...]:
        """Class names in output order: the generated shapes, CIFAR-10's, or ImageNet-1k's."""
        if self.source == "demo":
            return DEMO_CLASSES
        if self.shipped:
            return SHAPES32_CLASSES
        if self.family == "cifar":
            return CIFAR_CLASSES
        if self.classes != 1000:  # a model of yours: its outputs by number
            return tuple(str(i) for i in range(self.classes))
        from torchvision import models as tvm

        weights = self.weights_enum or tvm.ResNet18_Weights
        return tuple(weights.DEFAULT.meta["categories"])

    @property
    def spec(self) -> str | None:
        """The custom spec string that builds the same architecture (None for the demo models
        and the paper's CIFAR, plain and other-shortcut networks, which no spec describes)."""
        if self.source in ("demo", "timm") or self.staged or self.block is None:
            return None
        return _canonical(
            self.block, self.layers, self.groups, self.width_per_group, self.stride_on == "1x1"
        )

    def build(self, device: torch.device | str | None = None) -> nn.Module:
        """A freshly initialised model (the caller seeds the RNG); eval mode."""
        import torch
        from torchvision import models as tvm

        from . import nets

        with torch.device(device or "cpu"):
            if self.source == "timm":
                model = _timm_module().create_model(self.name.removeprefix(TIMM_PREFIX),
                                                    pretrained=False)  # fmt: skip
            elif self.builder is not None:
                model = self.builder()
            elif self.source == "demo":
                model = nets.DemoResNet(self.block, DEMO_LAYERS, DEMO_WIDTHS, len(DEMO_CLASSES))
            elif self.staged:
                cifar = self.family == "cifar"
                model = nets.StagedResNet(
                    self.block, self.layers, CIFAR_WIDTHS if cifar else IMAGENET_WIDTHS,
                    len(self.categories), self.shortcut, self.family, self.preact)  # fmt: skip
            elif self.source == "torchvision":
                model = tvm.get_model(self.name, weights=None)
            else:
                model = nets.resnet(self.block, self.layers, self.groups, self.width_per_group,
                                    v1=self.stride_on == "1x1")  # fmt: skip
        return model.eval()


TIMM_PREFIX = "timm/"
# timm's residual families that the tests read (timm/<name>; any other timm name is tried too)
TIMM_MODELS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet50d",
               "resnet26t", "seresnet50", "resnext50_32x4d", "wide_resnet50_2", "resnetv2_50",
               "resnetrs50", "ecaresnet50d")  # fmt: skip


def _timm_module():  # type: ignore[no-untyped-def]
    try:
        import timm
    except ImportError:
        raise ExplorerError.text("err_no_timm") from None
    return timm


def timm_entry(name: str) -> ModelEntry:
    """The entry of timm's model `name` ("resnet50d"): known to timm, built by timm."""
    timm = _timm_module()
    if not timm.is_model(name):
        raise ExplorerError.text("err_unknown_timm", name=name, known=", ".join(TIMM_MODELS))
    note = "timm's model, read from its forward pass; random weights"
    return ModelEntry(f"{TIMM_PREFIX}{name}", f"{name} (timm)", None, (), source="timm",
                      note=note)  # fmt: skip


def timm_models() -> list[str]:
    """The timm families the explorer is tested on, as registry names; [] without timm. Asks
    whether timm is installed without importing it (that would load torch)."""
    if importlib.util.find_spec("timm") is None:
        return []
    return [f"{TIMM_PREFIX}{n}" for n in TIMM_MODELS]


# Models of yours, registered by `python -m explorer ... FILE.py:CALLABLE` or `serve --model`:
# code is imported from the command line of whoever starts the process, never from a request.
_YOURS: dict[str, ModelEntry] = {}


def add_your_model(name: str, builder: Callable[[], nn.Module], origin: str, input_size: int,
                   classes: int) -> ModelEntry:  # fmt: skip
    """Register a model of yours under `name` (a callable that builds it, no arguments)."""
    if name in _YOURS and _YOURS[name].note != origin:
        name = f"{name} ({origin})"  # two files' models of one name: both kept
    # Looked up by its exact name first, so "ResNet50" is yours and "resnet50" torchvision's.
    entry = ModelEntry(name, f"{name} from {origin}", None, (), source="yours", note=origin,
                       input_size=input_size,
                       classes=classes, builder=builder)  # fmt: skip
    _YOURS[name] = entry
    return entry


def your_models() -> list[str]:
    return list(_YOURS)


def plain_twin(name: str) -> str | None:
    """The paper's plain network with the same layers as `name` (resnet20 → plain20, resnet34 →
    plain34), when the registry has one."""
    entry = get_entry(name)
    twin = _ENTRIES.get("plain" + entry.name.removeprefix("resnet"))
    if not entry.name.startswith("resnet") or entry.shortcut == "none" or twin is None:
        return None
    return twin.name if (twin.block, twin.layers) == (entry.block, entry.layers) else None


def menu_models() -> list[str]:
    """What the page's menus offer, in groups: torchvision · the paper (and the demo) · timm
    (when installed) · yours."""
    return [*list_models(), *timm_models(), *your_models()]


def _tv(
    name: str,
    title: str,
    block: BlockKind,
    layers: tuple[int, int, int, int],
    groups: int = 1,
    width: int = 64,
    note: str = "",
) -> ModelEntry:
    return ModelEntry(name, title, block, layers, groups, width, note=note)


def _demo(name: str, title: str, block: BlockKind,
          note: str = "trained offline by this project on generated shapes (bundled with the "
                      "package)") -> ModelEntry:  # fmt: skip
    return ModelEntry(name, title, block, DEMO_LAYERS, source="demo", note=note,
                      input_size=DEMO_SIZE)  # fmt: skip


def _v1(name: str, title: str, layers: tuple[int, int, int, int]) -> ModelEntry:
    note = "paper's Bottleneck (stride on the first 1×1 conv); no published weights"
    return ModelEntry(name, title, "bottleneck", layers, stride_on="1x1", source="paper", note=note)


def _paper(name: str, title: str, block: BlockKind, layers: tuple[int, ...], note: str,
           shortcut: Shortcut = "B", preact: bool = False) -> ModelEntry:  # fmt: skip
    cifar = len(layers) == 3
    return ModelEntry(name, title, block, layers, source="paper", note=note,
                      input_size=CIFAR_SIZE if cifar else 224, shortcut=shortcut, preact=preact,
                      family="cifar" if cifar else "imagenet")  # fmt: skip


def _cifar(depth: int) -> tuple[ModelEntry, ModelEntry]:
    """Section 4.2's 6n+2-layer ResNet (option A shortcuts) and its plain twin."""
    n = (depth - 2) // 6
    note = f"CIFAR-10, 3 stages of {n} BasicBlocks (16, 32, 64 filters), 32×32 input"
    if f"resnet{depth}" in TRAINED_ON_SHAPES:
        note += "; trained here on 32×32 shapes (bundled)"
    return (_paper(f"resnet{depth}", f"ResNet-{depth} (CIFAR-10)", "basic", (n, n, n),
                   note + "; option A: zero-padding shortcuts", "A"),
            _paper(f"plain{depth}", f"Plain-{depth} (CIFAR-10)", "basic", (n, n, n),
                   note + "; no shortcuts", "none"))  # fmt: skip


_CIFAR = [e for depth in (20, 32, 44, 56, 110) for e in _cifar(depth)]
_CIFAR.sort(key=lambda e: e.name.startswith("plain"))  # the ResNets, then their plain twins

# fmt: off
_ENTRIES: dict[str, ModelEntry] = {e.name: e for e in (
    _tv("resnet18", "ResNet-18", "basic", (2, 2, 2, 2)),
    _tv("resnet34", "ResNet-34", "basic", (3, 4, 6, 3),
        note="Table 3 option B: projections where the shape changes, identity elsewhere"),
    _tv("resnet50", "ResNet-50", "bottleneck", (3, 4, 6, 3),
        note="torchvision v1.5 Bottleneck (stride on the 3×3 conv)"),
    _tv("resnet101", "ResNet-101", "bottleneck", (3, 4, 23, 3)),
    _tv("resnet152", "ResNet-152", "bottleneck", (3, 8, 36, 3)),
    _tv("wide_resnet50_2", "Wide ResNet-50-2", "bottleneck", (3, 4, 6, 3), 1, 128,
        note="Bottleneck 3×3 twice as wide"),
    _tv("wide_resnet101_2", "Wide ResNet-101-2", "bottleneck", (3, 4, 23, 3), 1, 128,
        note="Bottleneck 3×3 twice as wide"),
    _tv("resnext50_32x4d", "ResNeXt-50 32×4d", "bottleneck", (3, 4, 6, 3), 32, 4,
        note="grouped 3×3: 32 groups of 4 channels at layer1"),
    _tv("resnext101_32x8d", "ResNeXt-101 32×8d", "bottleneck", (3, 4, 23, 3), 32, 8,
        note="grouped 3×3: 32 groups of 8 channels at layer1"),
    _tv("resnext101_64x4d", "ResNeXt-101 64×4d", "bottleneck", (3, 4, 23, 3), 64, 4,
        note="grouped 3×3: 64 groups of 4 channels at layer1"),
    _v1("resnet50_v1", "ResNet-50 (paper v1)", (3, 4, 6, 3)),
    _v1("resnet101_v1", "ResNet-101 (paper v1)", (3, 4, 23, 3)),
    _v1("resnet152_v1", "ResNet-152 (paper v1)", (3, 8, 36, 3)),
    _paper("plain18", "Plain-18", "basic", (2, 2, 2, 2),
           "Table 2's plain network: ResNet-18's layers without shortcuts", "none"),
    _paper("plain34", "Plain-34", "basic", (3, 4, 6, 3),
           "Table 2's plain network: ResNet-34's layers without shortcuts", "none"),
    _paper("resnet34_a", "ResNet-34 A", "basic", (3, 4, 6, 3),
           "Table 3 option A: zero-padding identity shortcuts, no projection weights", "A"),
    _paper("resnet34_c", "ResNet-34 C", "basic", (3, 4, 6, 3),
           "Table 3 option C: every shortcut a 1×1 projection", "C"),
    *_CIFAR,
    _paper("preact_resnet110", "Pre-act ResNet-110 (CIFAR-10)", "basic", (18, 18, 18),
           "He et al. 2016: BN → ReLU → conv blocks, nothing after the addition", preact=True),
    _paper("preact_resnet164", "Pre-act ResNet-164 (CIFAR-10)", "bottleneck", (18, 18, 18),
           "He et al. 2016: pre-activation Bottlenecks, nothing after the addition",
           preact=True),
    _demo("demo_basic", "Demo ResNet-10 (BasicBlock)", "basic"),
    _demo("demo_bottleneck", "Demo ResNet-14 (Bottleneck)", "bottleneck"),
    _demo("demo_basic_shuffled", "Demo ResNet-10, shuffled labels", "basic",
          "demo_basic trained on randomly permuted labels: it predicts nothing (Adebayo et al.'s "
          "data randomisation test for the saliency sanity checks)"),
)}
# fmt: on

_SPEC_HELP = Phrase("spec_help", {"max": MAX_STAGE_BLOCKS})
CUSTOM_SPEC_HELP = str(_SPEC_HELP)


def list_models() -> list[str]:
    """Registry names, in display order (custom specs are accepted too but not listed)."""
    return list(_ENTRIES)


def _canonical(block: str, layers: tuple[int, ...], groups: int, width: int, v1: bool) -> str:
    options = ([f"g{groups}"] if groups != 1 else []) + ([f"w{width}"] if width != 64 else [])
    return "-".join([block, *(str(n) for n in layers), *options, *(["v1"] if v1 else [])])


def custom_spec(
    block: str,
    layers: tuple[int, ...] | list[int],
    groups: int = 1,
    width_per_group: int = 64,
    v1: bool = False,
) -> str:
    """The canonical spec string for a custom configuration (validated)."""
    counts = tuple(layers)
    spec = _canonical(block, counts, groups, width_per_group, v1)
    if len(counts) != 4 or not all(isinstance(n, int) and not isinstance(n, bool) for n in counts):
        raise _spec_error(spec, "why_counts")
    _check_stage_counts(spec, counts)  # before parsing: "-2" would read as spec syntax
    return parse_custom_spec(spec).name


def _check_stage_counts(spec: str, counts: tuple[int, ...]) -> None:
    if not all(1 <= n <= MAX_STAGE_BLOCKS for n in counts):
        raise _spec_error(spec, "why_stage_range", max=MAX_STAGE_BLOCKS, counts=counts)


def _spec_error(spec: str, why: str, **values: object) -> ExplorerError:
    """Why `spec` is not valid: i18n text `why` with its values, and the spec syntax."""
    return ExplorerError.text("err_spec", spec=spec, why=Phrase(why, values), help=_SPEC_HELP)


def parse_custom_spec(spec: str) -> ModelEntry:
    """Parse and validate "bottleneck-2-2-2-2[-g32][-w4][-v1]" into an entry."""
    tokens = spec.strip().lower().split("-")
    block = tokens[0]
    if block not in ("basic", "bottleneck"):
        raise _spec_error(spec, "why_block", block=block)
    counts = tokens[1:5]
    if len(counts) < 4 or not all(re.fullmatch(r"\d+", c) for c in counts):
        raise _spec_error(spec, "why_counts")
    layers = tuple(int(c) for c in counts)
    _check_stage_counts(spec, layers)
    groups, width, v1 = 1, 64, False
    seen: set[str] = set()
    for tok in tokens[5:]:
        key = "v1" if tok == "v1" else tok[:1]
        if key in seen:
            raise _spec_error(spec, "why_twice", option=key)
        seen.add(key)
        if tok == "v1":
            v1 = True
        elif re.fullmatch(r"g\d+", tok):
            groups = int(tok[1:])
        elif re.fullmatch(r"w\d+", tok):
            width = int(tok[1:])
        else:
            raise _spec_error(spec, "why_option", option=tok)
    if block == "basic" and (groups != 1 or width != 64 or v1):
        raise _spec_error(spec, "why_basic")
    if not 1 <= groups <= MAX_GROUPS:
        raise _spec_error(spec, "why_groups", max=MAX_GROUPS, groups=groups)
    if not 1 <= groups * width <= MAX_GROUP_WIDTH:
        raise _spec_error(spec, "why_group_width", max=MAX_GROUP_WIDTH, groups=groups, width=width)
    canonical = _canonical(block, layers, groups, width, v1)
    title = f"Custom {block} {'-'.join(str(n) for n in layers)}"
    return ModelEntry(
        canonical,
        title,
        block,
        layers,
        groups,
        width,  # type: ignore[arg-type]
        "1x1" if v1 else "3x3",
        source="custom",
    )


def get_entry(name: str) -> ModelEntry:
    """The registry entry for a name or custom spec; a clear error listing valid names otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise ExplorerError.text("err_no_model", known=", ".join(_ENTRIES))
    if name.strip() in _YOURS:
        return _YOURS[name.strip()]
    key = name.strip().lower()
    if key in _ENTRIES:
        return _ENTRIES[key]
    if key.startswith(TIMM_PREFIX):
        return timm_entry(name.strip()[len(TIMM_PREFIX) :])
    if key.split("-")[0] in ("basic", "bottleneck"):
        return parse_custom_spec(key)
    raise ExplorerError.text("err_unknown_model", name=name, known=", ".join(_ENTRIES),
                             help=_SPEC_HELP)  # fmt: skip
