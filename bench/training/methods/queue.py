"""MoCo's first-in-first-out memory of past keys."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F


class KeyQueue(nn.Module):
    """A ring buffer of L2-normalised keys; the oldest keys are overwritten first.

    It starts with random unit vectors, as MoCo does, so early steps have negatives too.
    Stored as a buffer so it moves with ``.to(device)`` and is saved in checkpoints.
    """

    def __init__(self, size: int, dim: int, generator: torch.Generator | None = None) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(f"queue size must be at least 1, got {size}")
        initial = F.normalize(torch.randn(size, dim, generator=generator), dim=1)
        self.register_buffer("keys", initial)
        self.register_buffer("pointer", torch.zeros((), dtype=torch.long))

    def __len__(self) -> int:
        return self.keys.shape[0]

    @torch.no_grad()
    def push(self, keys: Tensor) -> None:
        """Write ``keys`` over the oldest entries, wrapping around the end."""
        keys = keys.detach().to(self.keys.dtype)
        if keys.shape[0] > len(self):
            keys = keys[-len(self):]
        start = int(self.pointer)
        positions = (start + torch.arange(keys.shape[0], device=self.keys.device)) % len(self)
        self.keys[positions] = keys
        self.pointer.fill_((start + keys.shape[0]) % len(self))
