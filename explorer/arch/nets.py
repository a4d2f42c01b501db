"""The architectures torchvision does not build itself, all from its own ResNet parts: the 2015
paper's v1 Bottleneck, the narrow demo ResNet for 64-pixel images and 2 CPU cores, and the paper's
other networks (CIFAR-10's, Table 2's plain nets, Table 3's shortcut options, pre-activation).

The registry decides which to build and with what numbers; this module only assembles modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import torch
from torch import Tensor, nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet, conv1x1, conv3x3

if TYPE_CHECKING:
    from .registry import BlockKind, Shortcut


class BottleneckV1(Bottleneck):
    """The 2015 paper's Bottleneck: a stage's stride sits on the first 1×1 conv, not on the 3×3.

    torchvision moved the stride to the 3×3 ("v1.5"), so its 3×3 and the 1×1 reduce see the full
    resolution; that is why its ResNet-50 costs 4.09 G MACs where the paper's costs 3.86 G.
    """

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
        groups: int = 1,
        base_width: int = 64,
        dilation: int = 1,
        norm_layer: Callable[..., nn.Module] | None = None,
    ) -> None:
        super().__init__(
            inplanes, planes, stride, downsample, groups, base_width, dilation, norm_layer
        )
        width = self.conv1.out_channels
        # Reassigning keeps the attribute's place in _modules, so the tree order is unchanged.
        self.conv1 = conv1x1(inplanes, width, stride)
        self.conv2 = conv3x3(width, width, 1, groups, dilation)


def resnet(block: BlockKind, layers: Sequence[int], groups: int = 1, width_per_group: int = 64,
           *, v1: bool = False) -> ResNet:  # fmt: skip
    """torchvision's ResNet with any stage counts; `v1` puts a Bottleneck's stride on the 1×1."""
    block_cls: type[BasicBlock | Bottleneck]
    if block == "basic":
        block_cls = BasicBlock
    else:
        block_cls = BottleneckV1 if v1 else Bottleneck
    return ResNet(block_cls, list(layers), groups=groups, width_per_group=width_per_group)


def _init_like_torchvision(model: nn.Module) -> None:
    """torchvision's ResNet initialisation: Kaiming (fan-out) convs, BN as the identity."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


class DemoResNet(ResNet):
    """torchvision's ResNet with narrow stages, a small-image stem and a stride-1 layer4.

    Two changes from ImageNet's ResNet, each for a reason: a 3×3 stride-1 stem conv (a 7×7 stride-2
    conv would throw away half of a 64-px image), and a layer4 without its stride (torchvision's
    replace_stride_with_dilation) so that Grad-CAM at layer4 sees an 8×8 grid instead of 2×2.
    That option dilates only the blocks after a stage's first, and each stage here has one block:
    layer4's conv keeps dilation 1, so layer4 is a stride-1 stage, not a dilated one.
    """

    def __init__(self, block: BlockKind, layers: Sequence[int], widths: Sequence[int],
                 num_classes: int) -> None:  # fmt: skip
        nn.Module.__init__(self)  # ResNet.__init__ hard-codes 64..512 planes and the 7×7 stem
        block_cls = BasicBlock if block == "basic" else Bottleneck
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = widths[0], 1, 1, 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block_cls, widths[0], layers[0])
        self.layer2 = self._make_layer(block_cls, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block_cls, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block_cls, widths[3], layers[3], stride=2, dilate=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block_cls.expansion, num_classes)
        _init_like_torchvision(self)


# ---------------------------------------------------------------- the paper's other networks
#
# Section 4.2's CIFAR-10 networks, Table 3's shortcut options, the plain networks of Table 2 and
# He et al. 2016's pre-activation blocks. Each block keeps torchvision's module names (conv1, bn1,
# …, downsample), so the analysis reads them as it reads torchvision's, and says how it joins its
# two paths through three methods: residual(x) = F(x), shortcut(x) = S(x), join(F, S).


class ZeroPadShortcut(nn.Module):
    """Option A: the identity, subsampled by `stride` and zero-padded to `out_channels`.

    No parameters: the added channels are zeros, so that stage's first block adds its residual
    branch to the input for the old channels and to nothing for the new ones.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride

    def forward(self, x: Tensor) -> Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.out_channels - self.in_channels))

    def extra_repr(self) -> str:
        return f"{self.in_channels}→{self.out_channels}, stride={self.stride}, zero-padded"


class ResidualBlock:
    """The explicit form of a block: forward(x) = join(residual(x), shortcut(x))."""

    has_shortcut = True
    relu_after_sum = True  # ReLU(F(x) + S(x)); the pre-activation block returns F(x) + S(x)

    def residual(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def shortcut(self, x: Tensor) -> Tensor:
        downsample = self.downsample  # type: ignore[attr-defined]
        return x if downsample is None else downsample(x)

    def join(self, f: Tensor, s: Tensor) -> Tensor:
        return self.relu(f + s)  # type: ignore[attr-defined]

    def forward(self, x: Tensor) -> Tensor:
        return self.join(self.residual(x), self.shortcut(x))


class _ExplicitBasicBlock(ResidualBlock, BasicBlock):
    """torchvision's BasicBlock, ReLU(F(x) + S(x)), with its two paths as methods."""

    def residual(self, x: Tensor) -> Tensor:
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))


class PlainBasicBlock(_ExplicitBasicBlock):
    """The same two convs without a shortcut: ReLU(F(x)), a block of the paper's plain nets."""

    has_shortcut = False

    def __init__(self, inplanes: int, planes: int, stride: int = 1, *args: object,
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(inplanes, planes, stride)

    def shortcut(self, x: Tensor) -> Tensor:
        """Zeros of the block's output shape that still depend on x, so that a gradient through
        them is defined (and zero) where a plain block is measured as a residual one."""
        stride = self.conv1.stride[0]
        x = x[:, :, ::stride, ::stride]
        return nn.functional.pad(x, (0, 0, 0, 0, 0, self.conv2.out_channels - x.shape[1])) * 0

    def forward(self, x: Tensor) -> Tensor:
        # The zero shortcut is added, so that the dataflow shows the block and its empty side
        # path (x · 0); F(x) + 0 is F(x) bit for bit.
        return self.relu(self.residual(x) + self.shortcut(x))


class _PreActivation(ResidualBlock):
    """He et al. 2016: (BN → ReLU → conv) for every conv, and F(x) + S(x) with nothing after the
    sum. A projection shortcut (and only it) takes the pre-activated input, as in the paper's code.
    """

    relu_after_sum = False

    def _pre(self, x: Tensor) -> Tensor:
        return self.relu(self.bn1(x))  # type: ignore[attr-defined]

    def _rest(self, pre: Tensor) -> Tensor:
        raise NotImplementedError

    def residual(self, x: Tensor) -> Tensor:
        return self._rest(self._pre(x))

    def shortcut(self, x: Tensor) -> Tensor:
        downsample = self.downsample  # type: ignore[attr-defined]
        return x if downsample is None else downsample(self._pre(x))

    def join(self, f: Tensor, s: Tensor) -> Tensor:
        return f + s

    def forward(self, x: Tensor) -> Tensor:
        pre = self._pre(x)
        downsample = self.downsample  # type: ignore[attr-defined]
        return self._rest(pre) + (x if downsample is None else downsample(pre))


class PreActBasicBlock(_PreActivation, BasicBlock):
    """The pre-activation BasicBlock: BN → ReLU → 3×3 conv, twice."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:  # fmt: skip
        nn.Module.__init__(self)  # registration order is execution order: BN, ReLU, conv
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.downsample = downsample
        self.stride = stride

    def _rest(self, pre: Tensor) -> Tensor:
        return self.conv2(self.relu(self.bn2(self.conv1(pre))))


class PreActBottleneck(_PreActivation, Bottleneck):
    """The pre-activation Bottleneck: BN → ReLU → conv for the 1×1 reduce, the 3×3 (which
    carries the stride) and the 1×1 expand ×4."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:  # fmt: skip
        nn.Module.__init__(self)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = conv1x1(inplanes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, stride)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, planes * self.expansion)
        self.downsample = downsample
        self.stride = stride

    def _rest(self, pre: Tensor) -> Tensor:
        out = self.conv2(self.relu(self.bn2(self.conv1(pre))))
        return self.conv3(self.relu(self.bn3(out)))


def _shortcut(option: Shortcut, preact: bool, c_in: int, c_out: int, stride: int
              ) -> nn.Module | None:  # fmt: skip
    """The shortcut module of one block, or None for the identity (and for a plain block)."""
    changes = stride != 1 or c_in != c_out
    if option == "none" or (option in ("A", "B") and not changes):
        return None
    if option == "A":
        return ZeroPadShortcut(c_in, c_out, stride)
    if preact:  # the pre-activation paper's projection: a 1×1 conv on the pre-activated input
        return nn.Sequential(conv1x1(c_in, c_out, stride))
    return nn.Sequential(conv1x1(c_in, c_out, stride), nn.BatchNorm2d(c_out))


def _stage(block: type[BasicBlock | Bottleneck], c_in: int, planes: int, blocks: int,
           stride: int, option: Shortcut) -> nn.Sequential:  # fmt: skip
    preact = issubclass(block, _PreActivation)
    c_out = planes * block.expansion
    layers = []
    for i in range(blocks):
        s = stride if i == 0 else 1
        layers.append(block(c_in, planes, s, _shortcut(option, preact, c_in, c_out, s)))
        c_in = c_out
    return nn.Sequential(*layers)


class StagedResNet(nn.Module):
    """A ResNet whose stages, shortcuts and stem are chosen: the paper's CIFAR-10 networks
    ("cifar" stem: one 3×3 conv on 32×32 images, three stages of 16, 32, 64 filters), and its
    ImageNet networks with another shortcut option or none ("imagenet" stem: torchvision's).

    A pre-activation network has no BN/ReLU in its stem (the first block's BN follows the conv)
    and ends its last stage with BN → ReLU before the pooling.
    """

    def __init__(self, block: BlockKind, layers: Sequence[int],
                 widths: Sequence[int], num_classes: int, shortcut: Shortcut,
                 stem: Literal["imagenet", "cifar"], preact: bool = False) -> None:  # fmt: skip
        super().__init__()
        block_cls: type[BasicBlock | Bottleneck]
        if preact:
            block_cls = PreActBottleneck if block == "bottleneck" else PreActBasicBlock
        elif block == "bottleneck" and shortcut != "none":
            block_cls = Bottleneck  # torchvision's forward runs any shortcut module
        elif block == "bottleneck":
            raise ValueError("plain networks are built from BasicBlocks, as in the paper")
        else:
            # torchvision's own BasicBlock runs any shortcut module: option A's zero padding too
            block_cls = PlainBasicBlock if shortcut == "none" else BasicBlock
        c = widths[0]
        if stem == "cifar":
            self.conv1 = conv3x3(3, c)
        else:
            self.conv1 = nn.Conv2d(3, c, kernel_size=7, stride=2, padding=3, bias=False)
        if not preact:
            self.bn1 = nn.BatchNorm2d(c)
            self.relu = nn.ReLU(inplace=True)
        if stem == "imagenet":
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        for i, (n, planes) in enumerate(zip(layers, widths, strict=True)):
            stage = _stage(block_cls, c, planes, n, 1 if i == 0 else 2, shortcut)
            self.add_module(f"layer{i + 1}", stage)
            c = planes * block_cls.expansion
        if preact:
            self.bn = nn.BatchNorm2d(c)
            self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(c, num_classes)
        _init_like_torchvision(self)

    def forward(self, x: Tensor) -> Tensor:
        for module in self.children():
            x = torch.flatten(x, 1) if isinstance(module, nn.Linear) else x
            x = module(x)
        return x
