"""The seeded random sources of one run.

Augmentations draw on the training device from a torch generator; mixing coefficients
come from a numpy generator because torch cannot draw Beta samples from a seeded generator.
Keeping both in one object lets the trainer save and restore them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hashlib

import numpy as np
import torch


@dataclass
class Rng:
    torch: torch.Generator
    numpy: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int, device: torch.device | str = "cpu") -> "Rng":
        generator = torch.Generator(device=device)
        generator.manual_seed(seed)
        return cls(torch=generator, numpy=np.random.default_rng(seed))

    def state_dict(self) -> dict[str, Any]:
        return {"torch": self.torch.get_state(), "numpy": self.numpy.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.torch.set_state(state["torch"])
        self.numpy.bit_generator.state = state["numpy"]


def process_seed(seed: int, rank: int) -> int:
    """The augmentation/mixing seed of process ``rank``: ``seed`` itself on rank 0, a hash otherwise.

    Rank 0 keeps the run's seed, so one-process results do not change; the other ranks hash
    (seed, rank), so rank 1 of seed s does not repeat the draws of rank 0 of seed s + 1.
    """
    if rank == 0:
        return seed
    digest = hashlib.sha256(f"imix-bench process seed {seed} {rank}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % 2**63
