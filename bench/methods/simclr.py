"""SimCLR in the N-pair form that i-Mix builds on.

Each query's classes are the N key views of the batch; its own key is the positive and the
query's sibling views are not negatives. Unlike NT-Xent, every query shares the same N
classes, so the virtual labels can be mixed.
"""

from __future__ import annotations

from torch import Tensor
from torch.nn import functional as F

from encoders.heads import projection_head

from ..mixing import Mix
from .base import Method
from .virtual_labels import mixed_cross_entropy, virtual_labels


def npair_loss(query: Tensor, key: Tensor, mix: Mix, temperature: float) -> Tensor:
    """N-way softmax of cos(q_i, k_n)/tau over the N keys, with mixed virtual labels.

    ``query`` and ``key`` are (N, D) and L2-normalised.
    """
    logits = query @ key.T / temperature
    return mixed_cross_entropy(logits, virtual_labels(query.shape[0], query.device), mix)


class SimCLR(Method):
    name = "simclr"
    summary = "SimCLR, N-pair form: N-way softmax over the second views"

    def __init__(self, backbone, feature_dim: int, *, temperature: float, proj_hidden: int, proj_dim: int) -> None:
        super().__init__(backbone)
        self.projector = projection_head(feature_dim, proj_hidden, proj_dim)
        self.temperature = temperature

    def embed(self, x: Tensor) -> Tensor:
        return F.normalize(self.projector(self.backbone(x)), dim=1)

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        return npair_loss(self.embed(query), self.embed(key), mix, self.temperature)
