"""Reading a table (CSV, TSV or Parquet) and finding its label column, as every domain reads one.

``--no-header``: the file has no header row and its columns are named 0, 1, ...; ``--label``: a
column name or a 0-based position (negative from the end), by default the column named ``label``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.core.errors import UserError
from bench.core.log import logger

from .split import stratified_split


@dataclass
class LabelledTable:
    """A table split in two, before any fitting; ``info`` says where it came from and how it was split."""

    train: pd.DataFrame
    test: pd.DataFrame
    label: str | int
    info: dict


def labelled_table(path: str | None, options: dict[str, Any], seed: int) -> LabelledTable:
    """A table file with a label column, split by the file flags (``kit.flags.FILE_FLAGS``): the test
    split is a second file (``test_data``), the last rows (``test_last``, where the adapter offers
    it), or a seeded stratified fraction (``test_size``, seeded by the run's ``seed``)."""
    if path is None:
        raise UserError("--data PATH is needed: a CSV or Parquet file (and --label COLUMN).")
    header, test_path, test_last = options["header"], options.get("test_data"), options.get("test_last")
    frame = read_table(path, header)
    column = label_column(frame, options.get("label"), path)
    frame, dropped = drop_missing_labels(frame, column, path)
    if test_path is not None:
        test = read_table(test_path, header)
        if column not in test.columns:
            raise UserError(f"the test file {test_path} has no label column {column!r}.")
        train, rule = frame, f"test file {test_path}"
        test, dropped_test = drop_missing_labels(test, column, test_path)
        dropped += dropped_test
    elif test_last is not None:
        if not 0 < test_last < len(frame):
            raise UserError(f"--test-last must be between 1 and {len(frame) - 1} rows, got {test_last}.")
        train, test, rule = frame.iloc[:-test_last], frame.iloc[-test_last:], f"last {test_last} rows"
    else:
        rows, test_rows, rule = stratified_split(frame[column].to_numpy(), options["test_size"], seed)
        train, test = frame.iloc[rows], frame.iloc[test_rows]
    info = {"source": str(path), "test_split": rule}
    if dropped:
        info["dropped_rows_missing_label"] = dropped
    return LabelledTable(train, test, column, info)


def read_table(path: str | Path | None, header: bool = True) -> pd.DataFrame:
    """Read a CSV (any compression pandas knows) or Parquet file."""
    if path is None:
        raise UserError("--data PATH is needed: a CSV or Parquet file.")
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


def label_column(frame: pd.DataFrame, label: str | int | None, path: str | Path) -> str | int:
    """The label column: by name, else by 0-based position (negative from the end); without
    ``--label``, the column named ``label``."""
    columns = list(frame.columns)
    listed = f"{', '.join(map(str, columns[:30]))}{' ...' if len(columns) > 30 else ''}"
    if label is None:
        if "label" in map(str, columns):
            label = "label"
        else:
            raise UserError(f"name the label column with --label (a name, or a 0-based position, -1 for the "
                            f"last); {Path(path).name} has no column 'label'; its columns: {listed}.")
    label = str(label)
    if label in map(str, columns):
        return columns[[str(c) for c in columns].index(label)]
    try:
        position = int(label)
    except ValueError:
        position = None
    if position is not None and -len(columns) <= position < len(columns):
        return columns[position]
    raise UserError(
        f"label column {label!r} is not in {Path(path).name}; its columns are: {listed}. "
        "Give --label a column name, or a 0-based position (-1 for the last) with --no-header."
    )


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
