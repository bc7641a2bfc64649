"""CIFAR-style ResNets: a 3x3 stride-1 stem and no max-pool, for 32x32 images and spectrograms.

The residual blocks are torchvision's; only the stem, the widths and the head differ from
the ImageNet models, which would shrink a 32x32 input to 1x1 by the last stage.
"""

from __future__ import annotations

from torch import Tensor, nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from encoders.blocks import pool_flatten, run_blocks
from encoders.staged import Hidden

ARCHITECTURES: dict[str, tuple[type[nn.Module], tuple[int, ...]]] = {
    "resnet18": (BasicBlock, (2, 2, 2, 2)),
    "resnet34": (BasicBlock, (3, 4, 6, 3)),
    "resnet50": (Bottleneck, (3, 4, 6, 3)),
}


class CifarResNet(nn.Module):
    """``width`` scales every stage (64, 128, 256, 512 channels at width 1).

    Blocks as the official ``forward_partial`` (kibok90/imix models/resnet.py) numbers them:
    1 the stem, 2 to 5 the four stages, 6 pooling; it can be mixed after blocks 1 to 5, where
    the state is still a feature map (mixing the pooled features equals mixing after block 5).
    """

    mix_layers = 5

    def __init__(self, arch: str = "resnet18", in_channels: int = 3, width: float = 1.0) -> None:
        super().__init__()
        block, layers = ARCHITECTURES[arch]
        base = max(8, int(round(64 * width)))
        self.inplanes = base
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, base, kernel_size=3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(base),
            nn.ReLU(inplace=True),
        )
        stages = []
        for index, blocks in enumerate(layers):
            stages.append(self._stage(block, base * 2**index, blocks, stride=1 if index == 0 else 2))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.feature_dim = base * 8 * block.expansion
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def _stage(self, block: type[nn.Module], planes: int, blocks: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(self.stages(self.stem(x))).flatten(1)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        return run_blocks([self.stem, *self.stages, pool_flatten(self.pool)], x, start, end)
