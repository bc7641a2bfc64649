"""Readers for the tabular datasets: each returns raw feature and label arrays per split.

Fitting (scaling, one-hot codes) happens in ``table_encoding`` on the training split only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.atomic import atomic_write
from bench.errors import UserError
from bench.log import logger

from .download import fetch

COVTYPE_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz"
HIGGS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/00280/HIGGS.csv.gz"
COVTYPE_TRAIN_ROWS = 15_120  # the paper's split: 11,340 train + 3,780 validation
HIGGS_TEST_ROWS = 500_000
HIGGS_SUBSETS = {"higgs": None, "higgs100k": 100_000, "higgs1m": 1_000_000}


@dataclass
class RawTable:
    """A table split in two, before any fitting."""

    train: pd.DataFrame
    test: pd.DataFrame
    label: str | int
    info: dict


def read_table(path: str | Path, header: bool = True) -> pd.DataFrame:
    """Read a CSV (any compression pandas knows) or Parquet file."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}. Pass --data with the path of a CSV or Parquet file.")
    if path.is_dir():
        raise UserError(f"{path} is a folder; the csv dataset reads one CSV or Parquet file. Pass the file's path.")
    if path.suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except ImportError:
            raise UserError("reading Parquet needs pyarrow: pip install 'imix-bench[parquet]'.") from None
    try:
        frame = pd.read_csv(
            path, header=0 if header else None, sep="\t" if path.suffix == ".tsv" else ",",
            skipinitialspace=True, na_values=["?"],
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise UserError(f"could not read {path} as a table: {error}") from None
    except OSError as error:
        raise UserError(f"could not read {path}: {error.strerror or error}") from None
    if frame.empty:
        raise UserError(f"{path} holds no data rows{' (only a header)' if len(frame.columns) else ''}. "
                        "Pass a table with one row per sample.")
    return drop_row_index(frame, path) if header else frame


def drop_row_index(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Drop a first column that only numbers the rows, as R and pandas write them (no header, 1..N or 0..N-1).

    Left in, it would be a feature that tells the model where a row sits in the file.
    """
    first = frame.columns[0]
    if not (str(first) == "" or str(first).startswith("Unnamed: 0")) or len(frame.columns) < 2:
        return frame
    values = pd.to_numeric(frame[first], errors="coerce").to_numpy()
    for start in (1, 0):
        if np.array_equal(values, np.arange(start, start + len(frame))):
            logger.warning("dropped the first column of %s: it numbers the rows %d..%d (an exported row index), "
                           "it is not a feature", Path(path).name, start, start + len(frame) - 1)
            return frame.drop(columns=[first])
    return frame


def resolve_label(frame: pd.DataFrame, label: str | None, path: str | Path) -> str | int:
    """The label column, by name or by (possibly negative) position."""
    columns = list(frame.columns)
    if label is None:
        raise UserError(
            f"--label is required for a CSV table; {Path(path).name} has columns: "
            f"{', '.join(map(str, columns[:30]))}{' ...' if len(columns) > 30 else ''}."
        )
    if label in map(str, columns):
        return columns[[str(c) for c in columns].index(label)]
    try:
        position = int(label)
    except ValueError:
        position = None
    if position is not None and -len(columns) <= position < len(columns):
        return columns[position]
    raise UserError(
        f"label column {label!r} is not in {Path(path).name}; its columns are: "
        f"{', '.join(map(str, columns[:30]))}{' ...' if len(columns) > 30 else ''}. "
        "Give --label a column name, or a 0-based position (-1 for the last) with --no-header."
    )


def csv_table(
    path: str | None,
    label: str | None,
    *,
    header: bool,
    test_path: str | None,
    test_size: float,
    test_last: int | None,
    seed: int,
) -> RawTable:
    """Any table with a label column; the test split is a second file, the last rows, or a
    seeded stratified fraction."""
    if path is None:
        raise UserError("--dataset csv needs --data PATH (a CSV or Parquet file) and --label COLUMN.")
    frame = read_table(path, header)
    label_column = resolve_label(frame, label, path)
    frame, dropped = drop_missing_labels(frame, label_column, path)
    if test_path is not None:
        test = read_table(test_path, header)
        if label_column not in test.columns:
            raise UserError(f"the test file {test_path} has no label column {label_column!r}.")
        train, rule = frame, f"test file {test_path}"
        test, dropped_test = drop_missing_labels(test, label_column, test_path)
        dropped += dropped_test
    elif test_last is not None:
        if not 0 < test_last < len(frame):
            raise UserError(f"--test-last must be between 1 and {len(frame) - 1} rows, got {test_last}.")
        train, test, rule = frame.iloc[:-test_last], frame.iloc[-test_last:], f"last {test_last} rows"
    else:
        from sklearn.model_selection import train_test_split

        if not 0 < test_size < 1:
            raise UserError(f"--test-size must be a fraction in (0, 1), got {test_size}.")
        labels = frame[label_column]
        stratify = labels if labels.value_counts().min() >= 2 else None
        train, test = train_test_split(frame, test_size=test_size, random_state=seed, stratify=stratify)
        rule = f"seeded {'stratified ' if stratify is not None else ''}{test_size:g} fraction (seed {seed})"
    info = {"source": str(path), "test_split": rule}
    if dropped:
        info["dropped_rows_missing_label"] = dropped
    return RawTable(train, test, label_column, info)


def drop_missing_labels(frame: pd.DataFrame, label: str | int, path: str | Path) -> tuple[pd.DataFrame, int]:
    """Rows with a label, and how many had none (counted in a note and in the record's data info)."""
    kept = frame.dropna(subset=[label])
    dropped = len(frame) - len(kept)
    if kept.empty:
        raise UserError(f"every row of {path} has a missing value in the label column {label!r}. Check --label "
                        "(and --no-header if the file has no header row).")
    if dropped:
        logger.warning("dropped %d of %d rows of %s whose label (column %r) is missing", dropped, len(frame),
                       Path(path).name, label)
    return kept, dropped


def covtype_table(path: str | None, root: str) -> RawTable:
    """Forest CoverType: the first 15,120 rows train, the remaining 565,892 test."""
    if path is None:
        path = fetch(COVTYPE_URL, Path(root) / "covtype" / "covtype.data.gz", "pass --data PATH/covtype.data.gz")
    frame = read_table(path, header=False)
    if frame.shape[1] != 55:
        raise UserError(f"{path} has {frame.shape[1]} columns; covtype.data has 54 features and the label (55).")
    frame[54] = frame[54] - 1  # cover types 1..7 -> 0..6
    return RawTable(
        frame.iloc[:COVTYPE_TRAIN_ROWS], frame.iloc[COVTYPE_TRAIN_ROWS:], 54,
        {"source": str(path), "test_split": f"rows after the first {COVTYPE_TRAIN_ROWS}"},
    )


def higgs_arrays(path: str | None, root: str) -> np.ndarray:
    """All of HIGGS as float32 (label first), parsed once and cached as .npy beside the root."""
    cache = Path(root) / "higgs" / "HIGGS.npy"
    if path is None and cache.exists():
        return np.load(cache, mmap_mode="r", allow_pickle=False)
    if path is None:
        path = fetch(HIGGS_URL, Path(root) / "higgs" / "HIGGS.csv.gz", "pass --data PATH/HIGGS.csv.gz")
    values = pd.read_csv(path, header=None, dtype=np.float32).to_numpy()
    if values.shape[1] != 29:
        raise UserError(f"{path} has {values.shape[1]} columns; HIGGS has a label and 28 features (29).")
    if Path(path) == Path(root) / "higgs" / "HIGGS.csv.gz":
        with atomic_write(cache) as file:  # complete or absent: a half-written cache would be loaded next time
            np.save(file, values)
    return values


def higgs_table(dataset: str, path: str | None, root: str, features: str) -> RawTable:
    """HIGGS: the last 500,000 rows test; higgs100k/higgs1m are fixed subsets of the rest.

    The subset is drawn as the official ``tabular.higgs`` draws its 100k rows:
    ``np.random.seed(1); np.random.choice(n_train, size, replace=False)``. (Its "1M" mode keeps
    every training row instead; the suite's ``higgs`` is that, ``higgs1m`` a real 1M subset.)
    """
    values = higgs_arrays(path, root)
    n_test = min(HIGGS_TEST_ROWS, len(values) // 5)  # small files (tests) keep a fifth for testing
    train, test = values[:-n_test], values[-n_test:]
    size = HIGGS_SUBSETS[dataset]
    if size is not None and size < len(train):
        # Seed 1 of the legacy generator, as the official code: every run seed sees the same rows.
        keep = np.sort(np.random.RandomState(1).choice(len(train), size=size, replace=False))
        train = train[keep]
    n_features = 21 if features == "low" else 28
    columns = list(range(n_features + 1))
    return RawTable(
        pd.DataFrame(np.asarray(train)[:, columns]), pd.DataFrame(np.asarray(test)[:, columns]), 0,
        {"source": str(path or "download"), "test_split": f"last {n_test} rows", "features": features},
    )


def hf_table(source: str | None, options: dict) -> tuple[RawTable, str]:
    """A Hugging Face dataset of scalar columns as a raw table (the table encoder fits it later);
    ClassLabel codes become their names, so classes read as in a CSV."""
    from . import hf_source as hf

    splits = hf.open_hf(source, options)
    label = hf.guess_label(splits.train, options.get("label"))
    splits = hf.with_test(splits, label, options)
    features = splits.train.features
    if options.get("feature_columns"):
        columns = [c.strip() for c in options["feature_columns"].split(",") if c.strip()]
        unknown = [c for c in columns if c not in features]
        if unknown:
            raise UserError(f"--feature-columns {', '.join(unknown)}: no such column; the columns: "
                            f"{hf.describe(features)}.")
    else:
        columns = [c for c, f in features.items() if c != label and type(f).__name__ in ("Value", "ClassLabel")]
    if not columns:
        raise UserError(f"no scalar feature columns besides the label {label!r}; the columns: "
                        f"{hf.describe(features)}. Name them with --feature-columns A,B,C.")

    def frame(dataset) -> pd.DataFrame:
        table = dataset.select_columns([*columns, label]).to_pandas()
        for column in [*columns, label]:
            feature = features[column]
            if type(feature).__name__ == "ClassLabel":
                table[column] = [feature.int2str(int(v)) if v is not None and v >= 0 else None for v in table[column]]
        return table

    info = {**splits.info, "label_column": label, "feature_columns": columns}
    return RawTable(frame(splits.train), frame(splits.test), label, info), splits.name
