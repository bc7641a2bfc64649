"""Where signals come from: MNIST-1D generated offline, or the user's own arrays and CSV files.

Every source gives float arrays shaped (N, channels, length) and raw labels; the domain
splits, encodes and standardises them.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.core.errors import UserError

from .kit import cached, drop_missing_labels, drop_row_index, label_column, read_array, read_npz, read_table

MNIST1D_SEED = 42  # the package's default: every user who generates the set gets the same one
MNIST1D_DEFAULT_SAMPLES = 5000  # the package's default: 4,000 train / 1,000 test


@dataclass
class SignalArrays:
    """Train (and, where the source has one, test) signals as (N, C, L) arrays with raw labels."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _generate_mnist1d(num_samples: int) -> dict[str, np.ndarray]:
    """The package's make_dataset with its default arguments and templates, never its download.

    make_dataset reseeds Python's and numpy's global generators; they are restored after.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")  # mnist1d imports pyplot; no display is needed
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise UserError("MNIST-1D needs the mnist1d package: pip install mnist1d") from None
    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, MNIST1D_SEED
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        made = make_dataset(args)
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
    return {"x": made["x"], "y": made["y"], "x_test": made["x_test"], "y_test": made["y_test"]}


def mnist1d_arrays(num_samples: int, root: str) -> SignalArrays:
    """MNIST-1D (Greydanus 2020), cached as .npz under ``root`` after the first generation."""
    if num_samples < 20 or num_samples % 10:
        raise UserError(f"--num-samples must be a multiple of 10 (one share per digit), at least 20; "
                        f"got {num_samples}. The default {MNIST1D_DEFAULT_SAMPLES} gives 4,000 train / 1,000 test.")
    cache = Path(root) / "mnist1d" / f"mnist1d-{num_samples}-seed{MNIST1D_SEED}.npz"
    arrays = cached(cache, lambda: _generate_mnist1d(num_samples), lambda value, file: np.savez(file, **value),
                    lambda path: dict(np.load(path, allow_pickle=False)))
    as_signals = lambda a: a.astype(np.float32)[:, None, :]
    return SignalArrays(as_signals(arrays["x"]), arrays["y"], as_signals(arrays["x_test"]), arrays["y_test"],
                        info={"source": "mnist1d.data.make_dataset (default args and templates)",
                              "num_samples": num_samples, "generator_seed": MNIST1D_SEED,
                              "test_split": "the package's: last 20% of the generated samples"})


def as_channels_first(x: np.ndarray, layout: str, where: str) -> np.ndarray:
    """(N, L) -> (N, 1, L); (N, C, L) kept; (N, L, C) transposed when layout is 'nlc'."""
    if x.ndim == 2:
        x = x[:, None, :]
    elif x.ndim == 3:
        x = x.transpose(0, 2, 1) if layout == "nlc" else x
    else:
        raise UserError(f"{where} holds an array shaped {x.shape}; signals are (N, length) or "
                        "(N, channels, length) (or (N, length, channels) with --layout nlc).")
    if not np.issubdtype(x.dtype, np.number):
        raise UserError(f"{where} holds {x.dtype} values; signals must be numbers.")
    return x.astype(np.float32)


def npz_arrays(path: str, layout: str) -> SignalArrays:
    """An .npz with arrays ``x`` and ``y``, and optionally ``x_test`` and ``y_test``."""
    archive = read_npz(path, ("x", "y"), (("x_test", "y_test"),))
    test = "x_test" in archive
    return SignalArrays(as_channels_first(archive["x"], layout, path), archive["y"],
                        as_channels_first(archive["x_test"], layout, path) if test else None,
                        archive["y_test"] if test else None, info={"source": path})


def array_files(path: str | None, labels: str | None, layout: str, flag: str = "--data") -> SignalArrays:
    """--data signals.npz, or the pair --data x.npy --labels y.npy (``flag`` names the file in errors)."""
    if path is None:
        raise UserError("the arrays dataset reads --data FILE.npz (arrays x, y[, x_test, y_test]) "
                        "or --data X.npy --labels Y.npy.")
    if not Path(path).is_file():
        raise UserError(f"{flag} {path}: no such file.")
    if path.endswith(".npz"):
        return npz_arrays(path, layout)
    if labels is None:
        raise UserError(f"{flag} {path} holds signals only; give their labels with "
                        f"{'--labels' if flag == '--data' else '--test-labels'} Y.npy "
                        "(or pack both into an .npz with arrays x and y).")
    return SignalArrays(as_channels_first(read_array(path, flag), layout, path),
                        read_array(labels, "--labels"), info={"source": path, "labels": labels})


def csv_signals(path: str | None, label: str | None, header: bool, channels: int) -> SignalArrays:
    """One row per sequence: a label column and channels x length values, channel after channel."""
    import pandas as pd

    if path is None:
        raise UserError("the csv dataset reads --data FILE.csv (one row per sequence).")
    table, _, _ = drop_row_index(read_table(path, header), None, path)
    column = label_column(table, label, path)
    table, _ = drop_missing_labels(table, column, path)
    values = table.drop(columns=[column])
    if not all(pd.api.types.is_numeric_dtype(t) for t in values.dtypes):
        raise UserError(f"{path}: every column but the label {column!r} must hold numbers.")
    x = values.to_numpy(np.float32)
    if channels < 1 or x.shape[1] % channels:
        raise UserError(f"{path}: {x.shape[1]} values per row do not split into --channels {channels} "
                        "of equal length; rows hold channel 0's values, then channel 1's, ...")
    return SignalArrays(x.reshape(len(x), channels, -1), table[column].to_numpy(),
                        info={"source": path, "label_column": str(column), "channels": channels})


def hf_signals(source: str | None, options: dict[str, Any], seed: int = 0) -> tuple[SignalArrays, str]:
    """A Hugging Face dataset of fixed-length sequences: a list-of-numbers column (one channel),
    a list of lists or an Array2D (channels x length; --layout nlc for length x channels), or,
    without such a column, the scalar columns of each row as one channel."""
    from . import hf_source as hf

    splits = hf.open_hf(source, options)
    label = hf.guess_label(splits.train, options.get("label"))
    splits = hf.with_test(splits, label, options, seed)
    features = splits.train.features
    column = options.get("signal_column")
    if column is not None and column not in features:
        raise UserError(f"--signal-column {column!r} is not a column; the columns: {hf.describe(features)}.")
    if column is None:
        sequences = [c for c, f in features.items()
                     if c != label and type(f).__name__ in ("List", "Sequence", "LargeList", "Array2D")]
        column = sequences[0] if sequences else None
    scalars = [c for c, f in features.items() if c != label and type(f).__name__ == "Value"]
    if column is None and not scalars:
        raise UserError(f"no sequence or numeric columns besides the label {label!r}; the columns: "
                        f"{hf.describe(features)}. Name the sequences with --signal-column.")

    def values(dataset) -> np.ndarray:
        table = dataset.with_format("numpy")
        if column is None:
            return np.stack([np.asarray(table[c], dtype=np.float32) for c in scalars], axis=1)
        try:
            array = np.asarray(table[column])
            return as_channels_first(array.astype(np.float32), options.get("layout", "ncl"), f"column {column!r}")
        except ValueError:  # ragged rows
            raise UserError(f"column {column!r} holds sequences of different lengths; signals need one "
                            "length (pad or crop them first).") from None

    y_train, y_test, _ = hf.label_arrays(splits.train, splits.test, label)
    x_train, x_test = values(splits.train), values(splits.test)
    if x_train.ndim == 2:
        x_train, x_test = x_train[:, None, :], x_test[:, None, :]
    info = {**splits.info, "signal_column": column or f"scalar columns {', '.join(scalars)}", "label_column": label}
    return SignalArrays(x_train, y_train, x_test, y_test, info), splits.name
