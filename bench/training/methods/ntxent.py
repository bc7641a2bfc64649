"""The original SimCLR loss (NT-Xent), kept as an extra baseline.

Each of the 2N views is classified against the other 2N - 1, so every anchor has its own
set of classes. Virtual labels therefore differ per anchor and cannot be mixed: i-Mix is
refused for this method and applies to the N-pair form (``simclr``) instead.
Under torchrun each process's 2n anchors are compared with the 2N views of all processes.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from bench.training import distributed
from bench.training.mixing import Mix
from bench.training.methods.simclr import SimCLR


def ntxent_loss(z1: Tensor, z2: Tensor, temperature: float,
                all1: Tensor | None = None, all2: Tensor | None = None, offset: int = 0) -> Tensor:
    """Cross-entropy of each view against its partner among the other 2N - 1 views.

    ``z1``, ``z2`` (n, D) are this process's views; ``all1``, ``all2`` (N, D) those of all
    processes (default: the same), in which this process's rows start at ``offset``.
    """
    all1 = z1 if all1 is None else all1
    all2 = z2 if all2 is None else all2
    n, big_n = z1.shape[0], all1.shape[0]
    own = torch.arange(offset, offset + n, device=z1.device)
    logits = (torch.cat([z1, z2]) @ torch.cat([all1, all2]).T / temperature).float()
    rows = torch.arange(2 * n, device=z1.device)
    logits[rows, torch.cat([own, own + big_n])] = float("-inf")  # a view is not its own candidate
    targets = torch.cat([own + big_n, own])
    return F.cross_entropy(logits, targets)


class NTXent(SimCLR):
    """The SimCLR network (backbone + projector) with the 2N-view loss."""

    name = "ntxent"
    aliases = ()
    exclusive = {}  # not SimCLR's --npair-group: the groups are N-pair's
    summary = "SimCLR's original NT-Xent loss with 2N-2 negatives (baseline only)"
    supports_imix = False
    imix_refusal = (
        "NT-Xent gives every anchor its own set of 2N-1 classes, so its virtual labels "
        "cannot be mixed. Use --method simclr (the N-pair form i-Mix is defined for)."
    )

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        if not bool((mix.lam == 1).all()):
            raise ValueError(self.imix_refusal)
        z1, z2 = self.embed_pair(query, key)
        return ntxent_loss(z1, z2, self.temperature, distributed.gather_with_grad(z1),
                           distributed.gather_with_grad(z2), offset=distributed.rank() * z1.shape[0])
