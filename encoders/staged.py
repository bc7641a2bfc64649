"""Encoders that can be run in parts, so that i-Mix can mix a hidden state instead of the input.

The official i-Mix code mixes at any layer (``--mix-layers`` in main_pretext.py, with
``forward_partial(start, end)`` in models/resnet.py); DABS's e-Mix mixes right after the
embedding layer, the only place where discrete inputs such as tokens can be mixed at all. An
encoder takes part by declaring ``mix_layers`` (the largest k it can be mixed after) and
``forward_partial(x, start, end)``: blocks ``start`` to ``end`` (``end=None``: to the features),
so that ``forward_partial(forward_partial(x, 0, k), k, None)`` equals ``forward(x)`` for every k.
Mix layer 0 is the input itself. For the text encoders block 1 is the embedding step, so mix
layer 1 is "the embedded tokens".

Hidden states are tensors, except for token sequences: there a padding mask travels with the
embeddings (``Masked``), and a mixed sequence keeps every real token of both of its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union, runtime_checkable

import torch
from torch import Tensor


@dataclass
class Masked:
    """Embedded tokens with their padding mask: ``values`` (N, L, D); ``mask`` (N, L) bool, True for a real token."""

    values: Tensor
    mask: Tensor

    def __len__(self) -> int:
        return self.values.shape[0]

    def __getitem__(self, index) -> "Masked":
        return Masked(self.values[index], self.mask[index])


Hidden = Union[Tensor, Masked]


@runtime_checkable
class Staged(Protocol):
    """An encoder that can be run in parts (see the module docstring)."""

    mix_layers: int

    def forward_partial(self, x: Hidden, start: int, end: int | None = None) -> Hidden: ...


def mix_hidden(h: Hidden, perm: Tensor, lam: Tensor) -> Hidden:
    """Sample i becomes lam_i * h_i + (1 - lam_i) * h_perm(i): MixUp of any hidden state.

    For masked sequences the values mix the same way and a position is real when it is real in
    either part (mask_i | mask_perm(i)), so no real token of either sequence is masked out.
    """
    values = h.values if isinstance(h, Masked) else h
    weight = lam.to(values.dtype).view((-1,) + (1,) * (values.dim() - 1))
    mixed = weight * values + (1.0 - weight) * values[perm]
    if isinstance(h, Masked):
        return Masked(mixed, h.mask | h.mask[perm])
    return mixed


def cat_hidden(parts: list[Hidden]) -> Hidden:
    """Stack hidden states along the batch (both views in one pass, as N-pair runs them)."""
    if isinstance(parts[0], Masked):
        return Masked(torch.cat([p.values for p in parts]), torch.cat([p.mask for p in parts]))
    return torch.cat(parts)
