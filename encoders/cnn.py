"""A small, fast 2-D CNN for CPU-scale runs on images and spectrograms."""

from __future__ import annotations

from torch import Tensor, nn

from encoders.blocks import pool_flatten, run_blocks
from encoders.staged import Hidden


def conv_block(in_channels: int, out_channels: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class SmallCNN(nn.Module):
    """Four 3x3 conv blocks (32, 64, 128, 256 channels at width 1), global average pool.

    The last three blocks halve the resolution. ``stem_stride=2`` halves it in the first
    block too, which makes the network about 4x cheaper on 1x40x101 spectrograms.
    Mix layers 1 to 4: after each conv block (block 5 pools).
    """

    mix_layers = 4

    def __init__(self, in_channels: int = 3, width: float = 1.0, stem_stride: int = 1) -> None:
        super().__init__()
        channels = [max(4, int(round(c * width))) for c in (32, 64, 128, 256)]
        blocks = [conv_block(in_channels, channels[0], stem_stride)]
        blocks += [conv_block(a, b, stride=2) for a, b in zip(channels, channels[1:])]
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.feature_dim = channels[-1]

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(self.features(x)).flatten(1)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        return run_blocks([*self.features, pool_flatten(self.pool)], x, start, end)
