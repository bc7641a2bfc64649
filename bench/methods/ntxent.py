"""The original SimCLR loss (NT-Xent), kept as an extra baseline.

Each of the 2N views is classified against the other 2N - 1, so every anchor has its own
set of classes. Virtual labels therefore differ per anchor and cannot be mixed: i-Mix is
refused for this method and applies to the N-pair form (``simclr``) instead.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from ..mixing import Mix
from .simclr import SimCLR


def ntxent_loss(z1: Tensor, z2: Tensor, temperature: float) -> Tensor:
    """Cross-entropy of each view against its partner among the other 2N - 1 views."""
    n = z1.shape[0]
    z = torch.cat([z1, z2])
    logits = (z @ z.T / temperature).float()
    logits.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(logits, targets)


class NTXent(SimCLR):
    """The SimCLR network (backbone + projector) with the 2N-view loss."""

    name = "ntxent"
    summary = "SimCLR's original NT-Xent loss with 2N-2 negatives (baseline only)"
    supports_imix = False
    imix_refusal = (
        "NT-Xent gives every anchor its own set of 2N-1 classes, so its virtual labels "
        "cannot be mixed. Use --method simclr (the N-pair form i-Mix is defined for)."
    )

    def loss(self, query: Tensor, key: Tensor | None, mix: Mix, labels: Tensor) -> Tensor:
        if not bool((mix.lam == 1).all()):
            raise ValueError(self.imix_refusal)
        return ntxent_loss(self.embed(query), self.embed(key), self.temperature)
