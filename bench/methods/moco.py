"""MoCo v2 with virtual labels over the in-batch keys and a queue of extra negatives.

The key encoder is an EMA of the query encoder. Each query is classified over N + K
columns: the N keys of this batch (the virtual classes, which i-Mix mixes) followed by
the K queued keys of earlier batches (negatives for every query).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from encoders.heads import projection_head

from ..mixing import Mix
from .base import Method
from .ema import ema_update, frozen_copy
from .queue import KeyQueue
from .virtual_labels import mixed_cross_entropy, virtual_labels


def moco_loss(query: Tensor, key: Tensor, queue: Tensor, mix: Mix, temperature: float) -> Tensor:
    """(N+K)-way cross-entropy; ``query``, ``key`` (N, D) and ``queue`` (K, D) are unit vectors."""
    logits = torch.cat([query @ key.T, query @ queue.T], dim=1) / temperature
    return mixed_cross_entropy(logits, virtual_labels(query.shape[0], query.device), mix)


class MoCo(Method):
    name = "moco"
    summary = "MoCo v2: EMA key encoder, FIFO queue of negatives, (N+K)-way virtual labels"

    def __init__(
        self,
        backbone,
        feature_dim: int,
        *,
        temperature: float,
        proj_hidden: int,
        proj_dim: int,
        momentum: float,
        queue_size: int,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__(backbone)
        self.projector = projection_head(feature_dim, proj_hidden, proj_dim)
        self.key_backbone = frozen_copy(backbone)
        self.key_projector = frozen_copy(self.projector)
        self.queue = KeyQueue(queue_size, proj_dim, generator=generator)
        self.temperature = temperature
        self.momentum = momentum
        self._pending_keys: list[Tensor] = []

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        q = F.normalize(self.projector(self.backbone(query)), dim=1)
        with torch.no_grad():
            k = F.normalize(self.key_projector(self.key_backbone(key)), dim=1)
        self._pending_keys.append(k.float())
        return moco_loss(q, k, self.queue.keys.clone().detach(), mix, self.temperature)

    @torch.no_grad()
    def after_step(self) -> None:
        # Updating after the optimiser step equals MoCo's update before the next forward.
        ema_update(self.key_backbone, self.backbone, self.momentum)
        ema_update(self.key_projector, self.projector, self.momentum)
        for keys in self._pending_keys:
            self.queue.push(keys)
        self._pending_keys.clear()
