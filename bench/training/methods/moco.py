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

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.core.log import logger
from bench.training import distributed
from bench.training.mixing import Mix
from bench.training.methods.base import BuildContext, Method
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


def official_negatives(imix: bool) -> str:
    """The official code's MoCo form per arm: (1+K) for the baseline, (N+K) with i-Mix (`mocon`)."""
    return "batch+queue" if imix else "queue"


def queue_size_for(requested: int, n_train: int, batch_size: int) -> int:
    """Clamp the queue so it never holds keys of the very samples it is contrasted with.

    A queue as long as the training set would hold an old key of every sample, so each
    query would meet a stale copy of its own positive among the negatives.
    """
    limit = max(n_train - batch_size, batch_size)
    if requested > limit:
        logger.warning(
            "MoCo queue of %d keys is too long for %d training samples at batch %d; using %d. "
            "Pass --queue-size to choose another length.", requested, n_train, batch_size, limit,
        )
        return limit
    return requested


class MoCo(Method):
    name = "moco"
    aliases = ("mocov2",)
    summary = "MoCo v2: EMA key encoder, FIFO queue of negatives; (1+K)-way, (N+K)-way with i-Mix"
    exclusive = {"shuffle_bn": "MoCo's key encoder only, not --method {method}; use --sync-bn.",
                 "moco_negatives": "--method moco only, not --method {method}."}

    @classmethod
    def check(cls, cfg: RunConfig) -> None:
        super().check(cfg)
        if cfg.imix and cfg.moco_negatives == "queue":
            raise UserError(
                "--imix cannot use --moco-negatives queue: the (1+K)-way loss holds only each query's own key, "
                "so the mixed partner's key, which carries part of the virtual label, is not among the logits. "
                "Use --moco-negatives batch+queue (the official i-Mix form) or leave the flag unset.")

    @classmethod
    def complete(cls, cfg: RunConfig) -> None:
        if cfg.moco_negatives is None:  # the official choice per arm, stored so the record says what ran
            cfg.moco_negatives = official_negatives(cfg.imix)

    @classmethod
    def from_config(cls, cfg: RunConfig, backbone, feature_dim: int, context: BuildContext) -> "MoCo":
        return cls(backbone, feature_dim, temperature=cfg.temperature, momentum=cfg.ema,
                   queue_size=queue_size_for(cfg.queue_size, context.n_train, cfg.batch_size),
                   generator=context.generator, shuffle_bn=cfg.shuffle_bn,
                   negatives=cfg.moco_negatives or official_negatives(cfg.imix), **cls.head_settings(cfg, feature_dim))

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
