"""MoCo v2, in the official code's two forms, with an EMA key encoder and a queue of negatives.

``queue`` (the official baseline, standard MoCo v2): each query is classified over 1 + K
columns, its own key followed by the K queued keys of earlier batches.
``batch+queue`` (the official i-Mix arm, `mocon`): over N + K columns, the N keys of this batch
(the virtual classes, which i-Mix mixes) followed by the K queued keys. i-Mix needs this form:
a mixed query's partner key must be among its classes.

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

from bench.training import distributed
from bench.training.mixing import Mix
from bench.training.methods.base import Method
from bench.training.methods.batch_shuffle import shuffled
from bench.training.methods.ema import ema_update, frozen_copy
from bench.training.methods.queue import KeyQueue
from bench.training.methods.virtual_labels import mixed_cross_entropy, virtual_labels


def moco_loss(query: Tensor, key: Tensor, queue: Tensor, mix: Mix, temperature: float, offset: int = 0,
              negatives: str = "batch+queue") -> Tensor:
    """(N+K)-way (``batch+queue``) or (1+K)-way (``queue``) cross-entropy of unit vectors.

    ``query`` (n, D), ``key`` (N, D) and ``queue`` (K, D); query i's own key is row offset + i
    of ``key`` (n == N and offset 0 on one process). The (1+K) form takes no mixing.
    """
    if negatives == "queue":
        if not bool((mix.lam == 1).all()):
            raise ValueError("the (1+K)-way MoCo loss cannot take mixed virtual labels: the partner's key "
                             "is not among its logits; use negatives='batch+queue'")
        own = key[offset:offset + query.shape[0]]
        logits = torch.cat([(query * own).sum(1, keepdim=True), query @ queue.T], dim=1) / temperature
        return F.cross_entropy(logits, torch.zeros(query.shape[0], dtype=torch.long, device=query.device))
    logits = torch.cat([query @ key.T, query @ queue.T], dim=1) / temperature
    return mixed_cross_entropy(logits, virtual_labels(query.shape[0], query.device, offset), mix)


class MoCo(Method):
    name = "moco"
    summary = "MoCo v2: EMA key encoder, FIFO queue of negatives; (1+K)-way, (N+K)-way with i-Mix"

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
        negatives: str = "batch+queue",
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
        self.negatives = negatives
        self._pending_keys: list[Tensor] = []

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        q = F.normalize(self.projector(self.backbone(query)), dim=1)
        with torch.no_grad():
            k = shuffled(self.encode_key, key) if self.shuffle_bn else self.encode_key(key)
            keys = distributed.gather(k)
        self._pending_keys.append(keys.float())
        return moco_loss(q, keys, self.queue.keys.clone().detach(), mix, self.temperature,
                         offset=distributed.rank() * q.shape[0], negatives=self.negatives)

    def encode_key(self, x: Tensor) -> Tensor:
        return F.normalize(self.key_projector(self.key_backbone(x)), dim=1)

    @torch.no_grad()
    def after_step(self) -> None:
        # Updating after the optimiser step equals MoCo's update before the next forward.
        ema_update(self.key_backbone, self.backbone, self.momentum)
        ema_update(self.key_projector, self.projector, self.momentum)
        self._push_pending()

    @torch.no_grad()
    def between_directions(self) -> None:
        # builder.py's second direction: its keys see the queue with the first direction's keys,
        # from a key encoder updated once more (by the same online weights: no optimiser step between).
        self._push_pending()
        ema_update(self.key_backbone, self.backbone, self.momentum)
        ema_update(self.key_projector, self.projector, self.momentum)

    def _push_pending(self) -> None:
        for keys in self._pending_keys:
            self.queue.push(keys)
        self._pending_keys.clear()
