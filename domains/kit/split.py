"""A seeded held-out fraction of every class: the test split of data that does not fix one."""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.core.errors import UserError


def stratified_split(labels: Any, test_size: float, seed: int, flag: str = "--test-size"
                     ) -> tuple[np.ndarray, np.ndarray, str]:
    """Row indices of the training and test splits, and a description for the record.

    scikit-learn's ``train_test_split`` with ``random_state=seed``: stratified by ``labels`` when
    every class has at least two rows, else a plain seeded fraction. The same labels, fraction and
    seed always give the same rows.
    """
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise UserError(f"{flag} must be a fraction in (0, 1), got {test_size}.")
    labels = np.asarray(labels)
    _, counts = np.unique(labels.astype(str) if labels.dtype == object else labels, return_counts=True)
    stratify = labels if counts.min() >= 2 else None
    train, test = train_test_split(np.arange(len(labels)), test_size=test_size, random_state=seed, stratify=stratify)
    described = f"seeded {'stratified ' if stratify is not None else ''}{test_size:g} fraction (seed {seed})"
    return train, test, described
