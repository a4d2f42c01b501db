"""Residual networks written by hand, as a student or the source notes write them: none of them
uses torchvision's classes or attribute names. Importable as `handwritten.py:ResNet50` by the CLI.

`ResNet50` is the source notes' own code (../shared/seeds/004_b6641cdfbdcf00e3.txt), as written,
without its prints: its `Bottleneck`, `Conv1`, `make_layer` and the `AvgPool2d(7)` head.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------- the source notes' ResNet-50


class Bottleneck(nn.Module):
    def __init__(self, in_c, out_c, stride=1, downsampling=False, expansion=4):
        super().__init__()
        self.downsampling = downsampling
        self.expansion = expansion
        self.bottleneck = nn.Sequential(
            nn.Conv2d(in_c, out_c, kernel_size=1, stride=1, bias=False),
            nn.BatchNorm2d(out_c),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_c, out_c, kernel_size=3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_c),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_c, out_c * self.expansion, kernel_size=1, stride=1, bias=False),
            nn.BatchNorm2d(out_c * self.expansion),
        )
        if self.downsampling:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_c, out_c * self.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_c * self.expansion),
            )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.bottleneck(x)
        out_1 = x
        if self.downsampling:
            out_1 = self.downsample(x)
        out += out_1
        out = self.relu(out)
        return out


def Conv1(in_c=3, out_c=64, stride=2):
    return nn.Sequential(
        nn.Conv2d(in_c, out_c, kernel_size=7, stride=stride, padding=3, bias=False),
        nn.BatchNorm2d(out_c),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )


class ResNet(nn.Module):
    def __init__(self, blocks, number_classes, expensions=4):
        super().__init__()
        self.expensions = expensions
        self.conv1 = Conv1(3, 64, stride=2)
        self.layer1 = self.make_layer(64, 64, blocks[0], stride=1)
        self.layer2 = self.make_layer(256, 128, blocks[1], stride=2)
        self.layer3 = self.make_layer(512, 256, blocks[2], stride=2)
        self.layer4 = self.make_layer(1024, 512, blocks[3], stride=2)
        self.avgpool = nn.AvgPool2d(7, stride=1)
        self.liner = nn.Linear(2048, number_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def make_layer(self, in_c, out_c, block, stride):
        layers = []
        layers.append(Bottleneck(in_c, out_c, stride=stride, downsampling=True))
        for _ in range(1, block):
            layers.append(Bottleneck(out_c * self.expensions, out_c))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        x = self.liner(x)
        return x


def ResNet50():
    return ResNet([3, 4, 6, 3], number_classes=1000)


# ---------------------------------------------------------------- a student's variants


class Pair(nn.Module):
    """A BasicBlock under other names: two 3×3 convs `a` and `b`, the shortcut `skip`."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.a = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.na = nn.BatchNorm2d(c_out)
        self.b = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.nb = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU()
        self.skip = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                   nn.BatchNorm2d(c_out))
                     if stride != 1 or c_in != c_out else nn.Identity())  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.nb(self.b(self.act(self.na(self.a(x)))))
        return self.act(self.skip(x) + y)  # the shortcut first: operand order is read, too


class FunctionalPair(Pair):
    """The same block written with F.relu and torch.add."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.nb(self.b(F.relu(self.na(self.a(x)))))
        return F.relu(torch.add(y, self.skip(x)))


class PreActPair(nn.Module):
    """He et al. 2016's order: BN → ReLU → conv, twice, and nothing after the sum."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.n1, self.c1 = nn.BatchNorm2d(c_in), nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.n2, self.c2 = nn.BatchNorm2d(c_out), nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.proj = (nn.Conv2d(c_in, c_out, 1, stride, bias=False)
                     if stride != 1 or c_in != c_out else None)  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = F.relu(self.n1(x))
        y = self.c2(F.relu(self.n2(self.c1(pre))))
        return y + (x if self.proj is None else self.proj(pre))


class Net34(nn.Module):
    """A ResNet-34 of `Pair` blocks (3, 4, 6, 3) with its own names: `body.s1` … `body.s4`, in a
    ModuleDict when `as_dict`; `block` picks the block class."""

    def __init__(self, block: type[nn.Module] = Pair, counts=(3, 4, 6, 3), classes: int = 1000,
                 as_dict: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.entry = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                                   nn.ReLU(), nn.MaxPool2d(3, 2, 1))  # fmt: skip
        stages, c = {}, 64
        for i, (n, width) in enumerate(zip(counts, (64, 128, 256, 512), strict=True)):
            blocks = [block(c, width, 1 if i == 0 else 2)]
            blocks += [block(width, width) for _ in range(n - 1)]
            stages[f"s{i + 1}"] = nn.Sequential(*blocks)
            c = width
        self.body = nn.ModuleDict(stages) if as_dict else nn.Sequential(*stages.values())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.out = nn.Linear(512, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.entry(x)
        if isinstance(self.body, nn.ModuleDict):
            for stage in self.body.values():
                x = stage(x)
        else:
            x = self.body(x)
        return self.out(torch.flatten(self.pool(x), 1))


def FunctionalNet():
    return Net34(FunctionalPair, (2, 2, 2, 2))


def PreActNet():
    return Net34(PreActPair, (2, 2, 2, 2))


def DictNet():
    return Net34(Pair, (2, 2, 2, 2), as_dict=True)


class PlainCNN(nn.Module):
    """No shortcut anywhere: three convs and an fc."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(),
                                      nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                                      nn.Conv2d(32, 32, 3, 2, 1), nn.ReLU(),
                                      nn.AdaptiveAvgPool2d(1), nn.Flatten())  # fmt: skip
        self.fc = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))
