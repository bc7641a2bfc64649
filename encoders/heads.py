"""Heads that sit on a backbone during pretraining and are thrown away for evaluation."""

from __future__ import annotations

from torch import Tensor, nn


class MLPHead(nn.Module):
    """Linear -> BatchNorm -> ReLU -> Linear: SimCLR's and MoCo v2's projector, BYOL's
    projector and predictor. BatchNorm in the hidden layer is what SimCLR and BYOL use."""

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, batch_norm: bool = True) -> None:
        super().__init__()
        self.out_dim = out_dim
        layers: list[nn.Module] = [nn.Linear(in_dim, hidden_dim, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers += [nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def projection_head(in_dim: int, hidden_dim: int, out_dim: int) -> MLPHead:
    return MLPHead(in_dim, hidden_dim, out_dim)


def byol_predictor(dim: int, hidden_dim: int) -> MLPHead:
    """BYOL's predictor maps the projection back to the same space."""
    return MLPHead(dim, hidden_dim, dim)
