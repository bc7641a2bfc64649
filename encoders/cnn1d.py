"""A small 1-D CNN for signals shaped (channels, length): MNIST-1D, sensor traces, ECG beats."""

from __future__ import annotations

from torch import Tensor, nn

from encoders.blocks import pool_flatten, run_blocks
from encoders.staged import Hidden


def conv1d_block(in_channels: int, out_channels: int, stride: int, kernel_size: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, padding=kernel_size // 2, bias=False),
        nn.BatchNorm1d(out_channels),
        nn.ReLU(inplace=True),
    )


class CNN1d(nn.Module):
    """``depth`` conv blocks (32, 64, 128, ... channels at width 1), then global average pooling.

    Every block after the first halves the length. Average pooling makes the representation
    invariant to where in time a pattern sits, which is what a shifted signal needs.
    Mix layers 1 to ``depth``: after each conv block (block ``depth + 1`` pools).
    """

    def __init__(self, in_channels: int, width: float = 1.0, depth: int = 3, kernel_size: int = 5) -> None:
        super().__init__()
        channels = [max(4, int(round(32 * 2 ** i * width))) for i in range(depth)]
        blocks = [conv1d_block(in_channels, channels[0], 1, kernel_size)]
        blocks += [conv1d_block(a, b, 2, kernel_size) for a, b in zip(channels, channels[1:])]
        self.features = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.feature_dim = channels[-1]
        self.mix_layers = depth

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(self.features(x)).flatten(1)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        return run_blocks([*self.features, pool_flatten(self.pool)], x, start, end)
