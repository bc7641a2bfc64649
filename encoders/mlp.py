"""Backbones for vectors: the tabular MLPs."""

from __future__ import annotations

import math

from torch import Tensor, nn


class MLP(nn.Module):
    """``depth`` blocks of Linear -> BatchNorm -> ReLU, ``width`` units each.

    The output of the last block is the representation the probe sees.
    """

    def __init__(self, in_features: int, width: int = 512, depth: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        size = in_features
        for _ in range(depth):
            layers += [nn.Linear(size, width, bias=False), nn.BatchNorm1d(width), nn.ReLU(inplace=True)]
            size = width
        self.net = nn.Sequential(*layers)
        self.feature_dim = width

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1))


class Maxout(nn.Module):
    """Max over ``pieces`` consecutive groups of units."""

    def __init__(self, pieces: int) -> None:
        super().__init__()
        self.pieces = pieces

    def forward(self, x: Tensor) -> Tensor:
        return x.unflatten(1, (-1, self.pieces)).amax(dim=2)


class PaperMLP(nn.Module):
    """The i-Mix paper's tabular encoder: 5 layers of 2048-2048-4096-4096-8192 maxout units.

    Each layer is Linear -> Maxout(pieces) -> BatchNorm. ``scale`` shrinks every width
    (0.125 gives 256-256-512-512-1024) for runs that cannot afford the full model.
    """

    widths = (2048, 2048, 4096, 4096, 8192)

    def __init__(self, in_features: int, pieces: int = 4, scale: float = 1.0) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        size = in_features
        for width in self.widths:
            width = max(1, math.ceil(width * scale))
            layers += [nn.Linear(size, width * pieces), Maxout(pieces), nn.BatchNorm1d(width)]
            size = width
        self.net = nn.Sequential(*layers)
        self.feature_dim = size

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1))
