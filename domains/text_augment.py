"""Random views of token sequences, batched on the training device, each draw per sequence.

Sequences are (N, L) integer ids with the real tokens first and padding after (id 0). Every view
keeps that layout and at least one real token: a contiguous crop, random deletion, local
shuffling (no token moves more than a few places, as the word shuffle of Lample et al. 2018)
and token masking (a token becomes [MASK]), in that order. All draws come from the generator
passed in, on its device.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from encoders.text_embedding import PAD_ID

from .tokenize import MASK_ID


@dataclass(frozen=True)
class TextViews:
    crop: float = 0.8  # a view keeps a contiguous run of at least this fraction of the tokens
    delete: float = 0.1  # each token is dropped with this probability
    shuffle: int = 3  # no token moves more than this many places (0: off)
    mask: float = 0.15  # each token becomes [MASK] with this probability


def _uniform(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> Tensor:
    return torch.rand(shape, generator=generator, device=generator.device).to(device)


def real_tokens(x: Tensor) -> Tensor:
    return x != PAD_ID


def compact(x: Tensor, keep: Tensor) -> Tensor:
    """The kept tokens of each row moved to its front, in order; padding after them."""
    positions = torch.arange(x.shape[1], device=x.device).expand_as(x)
    order = torch.where(keep, positions, positions + x.shape[1]).argsort(dim=1)
    moved = x.gather(1, order)
    return moved.masked_fill(positions >= keep.sum(1, keepdim=True), PAD_ID)


def crop(x: Tensor, min_fraction: float, generator: torch.Generator) -> Tensor:
    """A contiguous run of ceil(f * length) tokens, f ~ U(min_fraction, 1), at a uniform start."""
    if min_fraction >= 1:
        return x
    length = real_tokens(x).sum(1)
    fraction = min_fraction + (1 - min_fraction) * _uniform((x.shape[0],), generator, x.device)
    size = (fraction * length).ceil().long().clamp(1)
    start = (_uniform((x.shape[0],), generator, x.device) * (length - size + 1)).floor().long()
    positions = torch.arange(x.shape[1], device=x.device)
    keep = (positions >= start[:, None]) & (positions < (start + size)[:, None])
    return compact(x, keep & real_tokens(x))


def delete(x: Tensor, rate: float, generator: torch.Generator) -> Tensor:
    """Drop each token with probability ``rate``; a row that would lose them all keeps them all."""
    if rate <= 0:
        return x
    real = real_tokens(x)
    keep = real & (_uniform(tuple(x.shape), generator, x.device) >= rate)
    keep = torch.where(keep.any(1, keepdim=True), keep, real)
    return compact(x, keep)


def local_shuffle(x: Tensor, distance: int, generator: torch.Generator) -> Tensor:
    """Sort positions by i + U(0, distance + 1): a token moves at most ``distance`` places."""
    if distance <= 0:
        return x
    positions = torch.arange(x.shape[1], device=x.device).expand_as(x).to(torch.float32)
    keys = positions + (distance + 1) * _uniform(tuple(x.shape), generator, x.device)
    keys = torch.where(real_tokens(x), keys, positions + 2 * x.shape[1] + distance + 1)  # padding stays last
    return x.gather(1, keys.argsort(dim=1))


def mask_tokens(x: Tensor, rate: float, generator: torch.Generator) -> Tensor:
    """Replace each real token by [MASK] with probability ``rate``."""
    if rate <= 0:
        return x
    chosen = real_tokens(x) & (_uniform(tuple(x.shape), generator, x.device) < rate)
    return x.masked_fill(chosen, MASK_ID)


def text_view(x: Tensor, views: TextViews, generator: torch.Generator) -> Tensor:
    x = crop(x, views.crop, generator)
    x = delete(x, views.delete, generator)
    x = local_shuffle(x, views.shuffle, generator)
    return mask_tokens(x, views.mask, generator)
