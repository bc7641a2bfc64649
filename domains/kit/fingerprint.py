"""A short content digest of a data set, stored in every record as ``data.data_fingerprint``.

Tables tell records of different data apart by it (two files both called pendigits are two rows).
It digests the data the loader read *before* anything the run's seed chooses (a seeded test split,
a seeded class subset), so the seeds of one data set share one fingerprint; a loader that makes
such a choice records the digest of what it chose from (``info["data_fingerprint"]``), and the run
digests the final splits otherwise. Tables are digested column by column in a form that does not
depend on which reader made the frame (numbers as float64, everything else as text).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({str(c): frame[c].astype("float64") if pd.api.types.is_numeric_dtype(frame[c])
                         else frame[c].fillna("<missing>").astype(str) for c in frame.columns})


def _array(part: Any) -> np.ndarray:
    array = part.numpy() if hasattr(part, "numpy") and not isinstance(part, np.ndarray) else np.asarray(part)
    return array.astype(str) if array.dtype == object else np.ascontiguousarray(array)


def content_fingerprint(*parts: Any) -> str:
    """16 hex digits of BLAKE2b over ``parts``: arrays or tensors (dtype, shape, bytes), data frames
    (column names, then a hash per row), strings; None stands for a part that is absent."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        if part is None or isinstance(part, str):
            digest.update(repr(part).encode())
        elif isinstance(part, pd.DataFrame):
            canonical = _canonical(part)
            digest.update(repr(list(canonical.columns)).encode())
            digest.update(pd.util.hash_pandas_object(canonical, index=False).to_numpy().tobytes())
        else:
            array = _array(part)
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(array)  # a C-contiguous buffer: hashed in place, not copied
    return digest.hexdigest()
