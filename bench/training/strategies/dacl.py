"""DACL's Mixup-noise positives (Verma et al., "Towards Domain-Agnostic Contrastive Learning", ICML 2021).

A positive of sample x is x+ = lam * x + (1 - lam) * x_j, with lam ~ U[alpha, 1] drawn per
sample and x_j another sample of the batch drawn at random, so the positive stays mostly x
(alpha near 1) but carries noise that follows the data's own distribution rather than an
isotropic one. Each view of a sample gets its own lam and partner, as each augmentation is
drawn afresh; the labels are untouched: this is an augmentation, not i-Mix.
"""

from __future__ import annotations

import torch
from torch import Tensor

from bench.core.rng import Rng


def other_samples(n: int, rng: Rng, device: torch.device) -> Tensor:
    """For each of n samples, the index of another one, uniform over the n - 1 others (never itself)."""
    shift = torch.randint(1, n, (n,), generator=rng.torch, device=rng.torch.device).to(device)
    return (torch.arange(n, device=device) + shift) % n


def mixup_noise(x: Tensor, alpha: float, rng: Rng) -> Tensor:
    """x+_i = lam_i * x_i + (1 - lam_i) * x_j(i), lam_i ~ U[alpha, 1], j(i) != i (for batches of 2 or more)."""
    n = x.shape[0]
    if n < 2:
        return x
    low = torch.full((n,), float(alpha), device=x.device)
    lam = low + (1.0 - low) * torch.rand(n, generator=rng.torch, device=rng.torch.device).to(x.device)
    weight = lam.view((n,) + (1,) * (x.dim() - 1)).to(x.dtype)
    return weight * x + (1.0 - weight) * x[other_samples(n, rng, x.device)]
