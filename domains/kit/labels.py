"""Class indices from raw labels, fitted on the training split: one rule for every domain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bench.core.errors import UserError
from bench.core.log import logger


@dataclass
class EncodedLabels:
    train: np.ndarray  # int64 class indices
    test: np.ndarray  # int64 class indices of the kept test rows
    class_names: list[str]
    keep: np.ndarray  # bool per test row: its label occurs in training (rows without one are dropped)

    @property
    def dropped(self) -> int:
        return int((~self.keep).sum())


def encode_labels(train: Any, test: Any) -> EncodedLabels:
    """Indices in sorted order of the training labels: numeric order for numbers, else text order.

    A test row whose label never occurs in training is dropped, with a warning (``keep`` marks the
    rest); a single training class, or no test row left, is an error.
    """
    train, test = pd.Series(np.asarray(train)), pd.Series(np.asarray(test))
    values = train.unique().tolist()
    numeric = pd.api.types.is_numeric_dtype(train)
    classes = sorted(values) if numeric else sorted(values, key=str)
    if len(classes) < 2:
        raise UserError(f"the label column has a single class ({classes[0]!r}) in the training split; "
                        "a classifier needs at least two. Check --label.")
    lookup = {c: i for i, c in enumerate(classes)}
    test_codes = test.map(lookup)
    keep = test_codes.notna().to_numpy()
    unseen = sorted(map(str, test[~keep].unique()))
    if not keep.any():
        raise UserError(f"no test row has a label seen in training (test labels: {', '.join(unseen[:10])}; "
                        f"training labels: {', '.join(map(str, classes[:10]))}). Check the split "
                        "(--test-last, --test-data) and --label.")
    if not keep.all():
        logger.warning("dropped %d test rows whose label never occurs in training (%s)", int((~keep).sum()),
                       ", ".join(unseen[:10]))
    # copies: pandas may hand out read-only views, which torch.as_tensor warns about
    return EncodedLabels(np.array(train.map(lookup), dtype=np.int64), np.array(test_codes[keep], dtype=np.int64),
                         [str(c) for c in classes], keep)
