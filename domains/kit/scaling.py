"""Z-scores with the statistics of the training split only, so no test value leaks into training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Standardiser:
    """``(x - mean) / std``, with ``mean`` and ``std`` fitted on training rows over ``axes``."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train: np.ndarray, axes: tuple[int, ...] = (0,), eps: float = 1e-6) -> "Standardiser":
        """Statistics over ``axes`` (features: ``(0,)``; channels of (N, C, L) signals: ``(0, 2)``);
        ``eps`` keeps a constant feature finite (it maps to 0)."""
        return cls(train.mean(axis=axes, keepdims=True), train.std(axis=axes, keepdims=True) + eps)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) / self.std
