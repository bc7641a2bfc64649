"""A seeded held-out fraction of every class: the test split of data that does not fix one.

One rule for every loader that splits (``--dataset csv``, ``--dataset hf``, signal arrays): the
fraction is ``--test-size``; the seed is ``--split-seed`` where given, else the run's ``--seed``
(``split_seed``); the rows come in scikit-learn's shuffled order, the same for every loader.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from bench.core.errors import UserError


def split_seed(options: dict[str, Any], run_seed: int) -> int:
    """The seed of a held-out split: --split-seed when given, else the run's --seed."""
    given = options.get("split_seed")
    return run_seed if given is None else int(given)


def smallest_stratified_size(n_classes: int, test_size: float) -> int:
    """The fewest rows for which a stratified ``test_size`` split holds a row of every class on both sides
    (scikit-learn's counts: ceil(test_size x n) test rows, the rest training)."""
    n = 2 * n_classes
    while math.ceil(test_size * n) < n_classes or n - math.ceil(test_size * n) < n_classes:
        n += 1
    return n


def stratified_split(labels: Any, test_size: float, seed: int, flag: str = "--test-size"
                     ) -> tuple[np.ndarray, np.ndarray, str]:
    """Row indices of the training and test splits, and a description for the record.

    scikit-learn's ``train_test_split`` with ``random_state=seed``: stratified by ``labels`` when
    every class has at least two rows, else a plain seeded fraction. The same labels, fraction and
    seed always give the same rows. Too few rows for that is a UserError naming the smallest usable size.
    """
    from sklearn.model_selection import train_test_split

    if not 0 < test_size < 1:
        raise UserError(f"{flag} must be a fraction in (0, 1), got {test_size}.")
    labels = np.asarray(labels)
    _, counts = np.unique(labels.astype(str) if labels.dtype == object else labels, return_counts=True)
    stratify = labels if counts.min() >= 2 else None
    n, n_test = len(labels), math.ceil(test_size * len(labels))
    classes = len(counts) if stratify is not None else 1
    if n_test < classes or n - n_test < classes:
        least = smallest_stratified_size(classes, test_size)
        raise UserError(
            f"{n} rows{f' of {classes} classes' if classes > 1 else ''} are too few for a {test_size:g} test split "
            f"({n_test} test and {n - n_test} training rows; each side needs {'a row of every class' if classes > 1 else 'a row'}). "
            f"At {flag} {test_size:g} the smallest usable table has {least} rows; give more rows, another {flag}, "
            "or the test rows yourself (--test-data FILE, or --test-last N for a table).")
    train, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed, stratify=stratify)
    described = f"seeded {'stratified ' if stratify is not None else ''}{test_size:g} fraction (seed {seed})"
    return train, test, described
