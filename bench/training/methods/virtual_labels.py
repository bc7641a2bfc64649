"""The one loss every contrastive method here shares: cross-entropy against mixed labels."""

from __future__ import annotations

import torch
from torch import Tensor

from bench.training.mixing import Mix


def mixed_cross_entropy(logits: Tensor, labels: Tensor, mix: Mix) -> Tensor:
    """Mean over rows of lam*CE(logits, labels) + (1-lam)*CE(logits, labels[perm]).

    For contrastive methods ``labels`` are the virtual labels (row i's positive column);
    for the supervised reference they are the real classes. With ``Mix.identity`` this
    is plain cross-entropy, which is how the baselines are computed.
    """
    log_probs = torch.log_softmax(logits.float(), dim=1)
    own = log_probs.gather(1, labels[:, None]).squeeze(1)
    partner = log_probs.gather(1, labels[mix.perm][:, None]).squeeze(1)
    return -(mix.lam * own + (1.0 - mix.lam) * partner).mean()


def virtual_labels(n: int, device: torch.device, offset: int = 0) -> Tensor:
    """Row i's positive is column i (+ offset when keys from other processes come first)."""
    return torch.arange(offset, offset + n, device=device)
