"""MoCo v2 with virtual labels over the in-batch keys and a queue of extra negatives.

The key encoder is an EMA of the query encoder. Each query is classified over N + K
columns: the N keys of this batch (the virtual classes, which i-Mix mixes) followed by
the K queued keys of earlier batches (negatives for every query).

Under torchrun the keys of all processes are gathered before they are used: the in-batch
classes are the global batch (this process's own keys start at column rank * local batch),
and every process pushes the same global keys, so the queues stay identical.
With --shuffle-bn the key encoder sees a random share of the global batch (batch_shuffle.py).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from encoders.heads import projection_head

from .. import distributed
from ..mixing import Mix
from .base import Method
from .batch_shuffle import shuffled
from .ema import ema_update, frozen_copy
from .queue import KeyQueue
from .virtual_labels import mixed_cross_entropy, virtual_labels


def moco_loss(query: Tensor, key: Tensor, queue: Tensor, mix: Mix, temperature: float, offset: int = 0) -> Tensor:
    """(N+K)-way cross-entropy; ``query`` (n, D), ``key`` (N, D) and ``queue`` (K, D) are unit vectors.

    Query i's own key is row offset + i of ``key`` (n == N and offset 0 on one process).
    """
    logits = torch.cat([query @ key.T, query @ queue.T], dim=1) / temperature
    return mixed_cross_entropy(logits, virtual_labels(query.shape[0], query.device, offset), mix)


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
        shuffle_bn: bool = False,
        proj_head: str = "mlpbn1",
    ) -> None:
        super().__init__(backbone)
        self.projector = projection_head(feature_dim, proj_hidden, proj_dim, proj_head)
        self.key_backbone = frozen_copy(backbone)
        self.key_projector = frozen_copy(self.projector)
        self.queue = KeyQueue(queue_size, proj_dim, generator=generator)
        self.temperature = temperature
        self.momentum = momentum
        self.shuffle_bn = shuffle_bn
        self._pending_keys: list[Tensor] = []

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        q = F.normalize(self.projector(self.backbone(query)), dim=1)
        with torch.no_grad():
            k = shuffled(self.encode_key, key) if self.shuffle_bn else self.encode_key(key)
            keys = distributed.gather(k)
        self._pending_keys.append(keys.float())
        return moco_loss(q, keys, self.queue.keys.clone().detach(), mix, self.temperature,
                         offset=distributed.rank() * q.shape[0])

    def encode_key(self, x: Tensor) -> Tensor:
        return F.normalize(self.key_projector(self.key_backbone(x)), dim=1)

    @torch.no_grad()
    def after_step(self) -> None:
        # Updating after the optimiser step equals MoCo's update before the next forward.
        ema_update(self.key_backbone, self.backbone, self.momentum)
        ema_update(self.key_projector, self.projector, self.momentum)
        for keys in self._pending_keys:
            self.queue.push(keys)
        self._pending_keys.clear()
