"""SimCLR in the N-pair form that i-Mix builds on.

Each query's classes are the N key views of the batch; its own key is the positive and the
query's sibling views are not negatives. Unlike NT-Xent, every query shares the same N
classes, so the virtual labels can be mixed.

Under torchrun the keys of all processes are gathered (with gradients), so every query is
classified over the global batch; a process's own keys start at column rank * local batch,
which is where its virtual labels point. The i-Mix permutation is drawn per process within
its local batch (inputs are mixed before the encoder, on the process that holds them), so a
mixed partner's label is also offset by the rank.

Both views go through the network in one pass, as in the official code, so BatchNorm
normalises each with statistics of the 2N views together.

With ``local_logits`` (--npair-group) nothing is gathered: each process, or each group of its batch,
contrasts its queries with its own keys only, as the official code does on every GPU.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from encoders.heads import projection_head

from bench.training import distributed
from bench.training.mixing import Mix
from bench.training.methods.base import BuildContext, Method
from bench.training.methods.virtual_labels import mixed_cross_entropy, virtual_labels


def npair_loss(query: Tensor, key: Tensor, mix: Mix, temperature: float, offset: int = 0) -> Tensor:
    """N-way softmax of cos(q_i, k_n)/tau over the N keys, with mixed virtual labels.

    ``query`` (n, D) and ``key`` (N, D) are L2-normalised; query i's own key is row offset + i
    (n == N and offset 0 on one process).
    """
    logits = query @ key.T / temperature
    return mixed_cross_entropy(logits, virtual_labels(query.shape[0], query.device, offset), mix)


class SimCLR(Method):
    name = "simclr"
    aliases = ("npair",)
    exclusive = {"npair_group": "--method simclr (N-pair) only, not --method {method}."}
    summary = "SimCLR, N-pair form: N-way softmax over the second views"

    def __init__(self, backbone, feature_dim: int, *, temperature: float, proj_hidden: int, proj_dim: int,
                 proj_head: str = "mlpbn1", local_logits: bool = False) -> None:
        super().__init__(backbone)
        self.projector = projection_head(feature_dim, proj_hidden, proj_dim, proj_head)
        self.temperature = temperature
        self.local_logits = local_logits

    @classmethod
    def from_config(cls, cfg, backbone, feature_dim: int, context: BuildContext) -> "SimCLR":
        return cls(backbone, feature_dim, temperature=cfg.temperature, local_logits=cfg.npair_group is not None,
                   **cls.head_settings(cfg, feature_dim))

    def embed(self, x: Tensor) -> Tensor:
        return F.normalize(self.projector(self.backbone(x)), dim=1)

    def embed_pair(self, query: Tensor, key: Tensor) -> tuple[Tensor, Tensor]:
        """Both views in one forward pass: BatchNorm sees the (mixed) queries and keys together."""
        both = self.embed(torch.cat([query, key]))
        return both[: query.shape[0]], both[query.shape[0]:]

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        q, k = self.embed_pair(query, key)
        if self.local_logits:
            return npair_loss(q, k, mix, self.temperature)
        return npair_loss(q, distributed.gather_with_grad(k), mix, self.temperature,
                          offset=distributed.rank() * q.shape[0])
