"""The demo models' architecture: torchvision's ResNet with its own BasicBlock/Bottleneck, made
narrow for 64-pixel images and 2 CPU cores.

Two changes from ImageNet's ResNet, each for a reason: a 3×3 stride-1 stem conv (a 7×7 stride-2
conv would throw away half of a 64-px image), and a dilated layer4 (torchvision's
replace_stride_with_dilation) so that Grad-CAM at layer4 sees an 8×8 grid instead of 2×2.
"""

from __future__ import annotations

from typing import Literal

from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

WIDTHS = (16, 32, 64, 128)  # planes of layer1..layer4 (ImageNet ResNets: 64..512)
LAYERS = (1, 1, 1, 1)  # one block per stage: depth 10 with BasicBlock, 14 with Bottleneck


class DemoResNet(ResNet):
    """torchvision's ResNet with narrow stages, a small-image stem and a dilated layer4."""

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: tuple[int, ...],
                 widths: tuple[int, ...], num_classes: int) -> None:  # fmt: skip
        nn.Module.__init__(self)  # ResNet.__init__ hard-codes 64..512 planes and the 7×7 stem
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = widths[0], 1, 1, 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2, dilate=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def build(block: Literal["basic", "bottleneck"], num_classes: int) -> DemoResNet:
    return DemoResNet(BasicBlock if block == "basic" else Bottleneck, LAYERS, WIDTHS, num_classes)
