"""BYOL: regress the EMA target's embedding of the other view; with i-Mix, a mixed target.

The i-Mix form replaces the target t_i by the lam-weighted pair (t_i, t_perm(i)) inside
the similarity: 2 - 2 * (lam * s(p_i, t_i) + (1 - lam) * s(p_i, t_perm(i))).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from encoders.heads import byol_predictor, projection_head

from bench.training.mixing import Mix
from bench.training.methods.base import BuildContext, Method
from bench.training.methods.ema import ema_update, frozen_copy


def byol_loss(prediction: Tensor, target: Tensor, mix: Mix) -> Tensor:
    """Mean of 2 - 2 * mixed cosine similarity; both inputs are (N, D) unit vectors."""
    own = (prediction * target).sum(dim=1)
    partner = (prediction * target[mix.perm]).sum(dim=1)
    similarity = mix.lam * own.float() + (1.0 - mix.lam) * partner.float()
    return (2.0 - 2.0 * similarity).mean()


class BYOL(Method):
    name = "byol"
    summary = "BYOL: online projector + predictor regress an EMA target; no negatives"

    def __init__(
        self, backbone, feature_dim: int, *, proj_hidden: int, proj_dim: int, momentum: float,
        proj_head: str = "mlpbn1", pred_head: str = "mlpbn1",
    ) -> None:
        super().__init__(backbone)
        self.projector = projection_head(feature_dim, proj_hidden, proj_dim, proj_head)
        self.predictor = byol_predictor(proj_dim, proj_hidden, pred_head)
        self.target_backbone = frozen_copy(backbone)
        self.target_projector = frozen_copy(self.projector)
        self.momentum = momentum

    @classmethod
    def from_config(cls, cfg, backbone, feature_dim: int, context: BuildContext) -> "BYOL":
        return cls(backbone, feature_dim, momentum=cfg.ema, pred_head=cfg.pred_head,
                   **cls.head_settings(cfg, feature_dim))

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        p = F.normalize(self.predictor(self.projector(self.backbone(query))), dim=1)
        with torch.no_grad():
            t = F.normalize(self.target_projector(self.target_backbone(key)), dim=1)
        return byol_loss(p, t, mix)

    @torch.no_grad()
    def after_step(self) -> None:
        ema_update(self.target_backbone, self.backbone, self.momentum)
        ema_update(self.target_projector, self.projector, self.momentum)

    def between_directions(self) -> None:
        self.after_step()  # builder.py updates the target before each direction of --sym
