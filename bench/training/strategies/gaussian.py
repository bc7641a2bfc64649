"""Gaussian-noise positives: the trivial domain-agnostic baseline (the one DACL, Verma et al. ICML 2021,
compares Mixup noise with).

A positive of sample x is x+ = x + sigma * eps, eps ~ N(0, I) drawn per element, in the units of
the model input (the domain's preprocessed values: standardised columns for tables, normalised
pixels for images). Each view draws its own noise; the labels are untouched.
"""

from __future__ import annotations

import torch
from torch import Tensor

from bench.core.rng import Rng


def gaussian_noise(x: Tensor, sigma: float, rng: Rng) -> Tensor:
    """x + sigma * N(0, I), drawn from the run's seeded generator."""
    eps = torch.randn(x.shape, generator=rng.torch, device=rng.torch.device, dtype=x.dtype).to(x.device)
    return x + sigma * eps
