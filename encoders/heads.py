"""Heads that sit on a backbone during pretraining and are thrown away for evaluation.

Three kinds, named as the official i-Mix code's ``--proj`` / ``--pred`` choices (builder.py):
``mlpbn1`` Linear -> BN -> ReLU -> Linear (SimCLR/MoCo v2/BYOL style), ``mlpbn`` the same with
a BatchNorm on the output too (official for N-pair on CIFAR and every speech and tabular head),
and ``mlp`` without BatchNorm (MoCo v2's original head).
"""

from __future__ import annotations

from torch import Tensor, nn

from bench.core.errors import unknown_choice

# kind -> (BatchNorm in the hidden layer, BatchNorm on the output)
HEAD_KINDS = {"mlpbn1": (True, False), "mlpbn": (True, True), "mlp": (False, False)}


class MLPHead(nn.Module):
    """Linear -> BatchNorm -> ReLU -> Linear [-> BatchNorm]: SimCLR's and MoCo v2's projector,
    BYOL's projector and predictor. BatchNorm in the hidden layer is what SimCLR and BYOL use."""

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, batch_norm: bool = True,
                 out_batch_norm: bool = False) -> None:
        super().__init__()
        self.out_dim = out_dim
        layers: list[nn.Module] = [nn.Linear(in_dim, hidden_dim, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers += [nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim)]
        if out_batch_norm:
            layers.append(nn.BatchNorm1d(out_dim))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def make_head(kind: str, in_dim: int, hidden_dim: int, out_dim: int) -> MLPHead:
    if kind not in HEAD_KINDS:
        raise unknown_choice("head", kind, list(HEAD_KINDS))
    hidden_bn, out_bn = HEAD_KINDS[kind]
    return MLPHead(in_dim, hidden_dim, out_dim, batch_norm=hidden_bn, out_batch_norm=out_bn)


def projection_head(in_dim: int, hidden_dim: int, out_dim: int, kind: str = "mlpbn1") -> MLPHead:
    return make_head(kind, in_dim, hidden_dim, out_dim)


def byol_predictor(dim: int, hidden_dim: int, kind: str = "mlpbn1") -> MLPHead:
    """BYOL's predictor maps the projection back to the same space."""
    return make_head(kind, dim, hidden_dim, dim)
