"""What every probe returns, and the one validation split they all choose their setting on.

Kept apart from ``probe.py`` so the SGD and official probes can build on it while ``probe.py``
dispatches to them, without an import cycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from domains.kit.split import stratified_split

VALIDATION_FRACTION = 0.2


@dataclass
class ProbeResult:
    """A probe's test accuracy and the setting it chose on validation (the accuracy of each candidate).

    The logistic probe chooses ``c``; the SGD and official probes choose ``lr`` and record their
    schedule. Settings a probe does not have are left out of the record.
    """

    accuracy: float
    c: float | None
    validation_accuracy: dict[str, float]
    lr: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    momentum: float | None = None
    milestones: list[int] | None = None  # official probe: epochs where the rate is multiplied by lr_decay
    lr_decay: float | None = None
    weight_decay: float | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def validation_split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the fit and validation parts of a training split, stratified where every class
    has two samples; every probe chooses its setting on this same split."""
    fit, validation, _ = stratified_split(y, VALIDATION_FRACTION, seed)
    return fit, validation
