"""Backbones for vectors: the tabular MLPs."""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import Tensor, nn

from bench.core.errors import UserError
from encoders.blocks import run_blocks
from encoders.staged import Hidden


class MLP(nn.Module):
    """``depth`` blocks of Linear -> BatchNorm -> ReLU, ``width`` units each.

    The output of the last block is the representation the probe sees. Mix layers 1 to
    ``depth``: after each block (after the last: the features, before the projection head).
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
        self.mix_layers = depth

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1))

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        blocks = [self.net[3 * i:3 * i + 3] for i in range(self.mix_layers)]
        return run_blocks(blocks, x.flatten(1) if start == 0 else x, start, end)


class Maxout(nn.Module):
    """Max over ``pieces`` consecutive groups of units."""

    def __init__(self, pieces: int) -> None:
        super().__init__()
        self.pieces = pieces

    def forward(self, x: Tensor) -> Tensor:
        return x.unflatten(1, (-1, self.pieces)).amax(dim=2)


class PaperMLP(nn.Module):
    """The official i-Mix tabular encoder (kibok90/imix ``models/mlp.py``, ``mlp_5layer``).

    An input layer to 64 units: one Linear per column group when ``groups`` is given
    (CoverType: 10 continuous, 4 wilderness, 40 soil columns, each group its own Linear, no
    activation), else Linear -> BatchNorm -> ReLU on the whole row. Then four
    Linear -> BatchNorm -> ReLU layers of 2048, 2048, 4096, 4096 units, a Linear to 8192 and
    one maxout over ``pieces`` = 4 consecutive units: 2048-d features, about 63.4M parameters
    on CoverType. ``scale`` multiplies the hidden widths (the official ``width`` / 64), so
    0.125 gives 256-256-512-512-1024 for runs that cannot afford the full model.
    Mix layers 1 to 6: after the input layer, after each of the four hidden layers, and after
    the last Linear and maxout (the features).
    """

    mix_layers = 6

    widths = (2048, 2048, 4096, 4096, 8192)
    stem = 64  # units per input group

    def __init__(self, in_features: int, pieces: int = 4, scale: float = 1.0,
                 groups: Sequence[int] | None = None) -> None:
        super().__init__()
        if groups is not None and sum(groups) != in_features:
            raise UserError(f"paper-mlp: the column groups {list(groups)} add up to {sum(groups)}, "
                            f"but the rows have {in_features} columns.")
        self.groups = [int(g) for g in groups] if groups else None
        if self.groups:
            self.stems = nn.ModuleList(nn.Linear(g, self.stem) for g in self.groups)
            size = self.stem * len(self.groups)
        else:
            self.stems = nn.ModuleList([nn.Sequential(
                nn.Linear(in_features, self.stem), nn.BatchNorm1d(self.stem), nn.ReLU(inplace=True))])
            size = self.stem
        widths = [max(pieces, math.ceil(w * scale)) for w in self.widths]
        layers: list[nn.Module] = []
        for width in widths[:-1]:
            layers += [nn.Linear(size, width), nn.BatchNorm1d(width), nn.ReLU(inplace=True)]
            size = width
        self.body = nn.Sequential(*layers)
        self.last = nn.Linear(size, widths[-1] - widths[-1] % pieces)
        self.maxout = Maxout(pieces)
        self.feature_dim = self.last.out_features // pieces

    def forward(self, x: Tensor) -> Tensor:
        return self.maxout(self.last(self.body(self._input_layer(x))))

    def _input_layer(self, x: Tensor) -> Tensor:
        x = x.flatten(1)
        if self.groups:
            return torch.cat([stem(part) for stem, part in zip(self.stems, x.split(self.groups, dim=1))], dim=1)
        return self.stems[0](x)

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden:
        hidden = [self.body[3 * i:3 * i + 3] for i in range(len(self.body) // 3)]
        return run_blocks([self._input_layer, *hidden, lambda h: self.maxout(self.last(h))], x, start, end)
