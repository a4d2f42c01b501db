"""The two architectures torchvision does not build itself, both from its own ResNet parts: the
2015 paper's v1 Bottleneck, and the narrow demo ResNet for 64-pixel images and 2 CPU cores.

The registry decides which to build and with what numbers; this module only assembles modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet, conv1x1, conv3x3

if TYPE_CHECKING:
    from .registry import BlockKind


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
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
