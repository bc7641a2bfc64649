"""Batched random views of signals shaped (N, C, L): each sample draws its own parameters.

All draws come from one torch generator on the batch's device, so a seed gives the same
views on the same device. Every transform keeps the shape; the channels of a sample move
together (a crop or shift of a multichannel signal keeps its channels aligned).
"""

from __future__ import annotations

import torch
from torch import Tensor


def _uniform(n: int, low: float, high: float, generator: torch.Generator, like: Tensor) -> Tensor:
    draw = torch.rand(n, generator=generator, device=generator.device).to(like.device, like.dtype)
    return low + (high - low) * draw


def sample_at(x: Tensor, positions: Tensor) -> Tensor:
    """Linear interpolation of each sample at its own fractional time positions (N, L')."""
    length = x.shape[-1]
    positions = positions.clamp(0, length - 1)
    low = positions.floor().long()
    high = (low + 1).clamp(max=length - 1)
    weight = (positions - low).unsqueeze(1).to(x.dtype)
    expand = lambda index: index.unsqueeze(1).expand(-1, x.shape[1], -1)
    return x.gather(2, expand(low)) * (1 - weight) + x.gather(2, expand(high)) * weight


def crop_resize(x: Tensor, min_fraction: float, generator: torch.Generator) -> Tensor:
    """Keep a random window of a fraction U(min_fraction, 1) of the length; stretch it back."""
    if min_fraction >= 1:
        return x
    n, length = x.shape[0], x.shape[-1]
    fraction = _uniform(n, min_fraction, 1.0, generator, x)
    start = _uniform(n, 0.0, 1.0, generator, x) * (1 - fraction)
    grid = torch.linspace(0, 1, length, device=x.device, dtype=x.dtype)
    return sample_at(x, (start[:, None] + fraction[:, None] * grid) * (length - 1))


def shift(x: Tensor, max_steps: int, generator: torch.Generator) -> Tensor:
    """Circular shift by a random whole number of steps in [-max_steps, max_steps].

    Circular, as MNIST-1D's own translation is: nothing is invented at the borders.
    """
    if max_steps <= 0:
        return x
    n, length = x.shape[0], x.shape[-1]
    steps = torch.randint(-max_steps, max_steps + 1, (n,), generator=generator, device=generator.device)
    source = (torch.arange(length, device=x.device) - steps.to(x.device)[:, None]) % length
    return x.gather(2, source.unsqueeze(1).expand(-1, x.shape[1], -1))


def scale(x: Tensor, spread: float, generator: torch.Generator) -> Tensor:
    """Multiply each sample by a factor U(1 - spread, 1 + spread)."""
    if spread <= 0:
        return x
    return x * _uniform(x.shape[0], 1 - spread, 1 + spread, generator, x).view(-1, 1, 1)


def jitter(x: Tensor, sigma: float, generator: torch.Generator) -> Tensor:
    """Add Gaussian noise of standard deviation ``sigma`` to every value."""
    if sigma <= 0:
        return x
    noise = torch.randn(x.shape, generator=generator, device=generator.device).to(x.device, x.dtype)
    return x + sigma * noise


def time_mask(x: Tensor, max_fraction: float, generator: torch.Generator) -> Tensor:
    """Zero one window per sample of a random length up to ``max_fraction`` of the signal."""
    if max_fraction <= 0:
        return x
    n, length = x.shape[0], x.shape[-1]
    width = (_uniform(n, 0.0, max_fraction, generator, x) * length).round()
    start = (_uniform(n, 0.0, 1.0, generator, x) * (length - width + 1)).floor().clamp(max=length - width)
    t = torch.arange(length, device=x.device, dtype=x.dtype)
    inside = (t >= start[:, None]) & (t < (start + width)[:, None])
    return x.masked_fill(inside.unsqueeze(1), 0.0)
