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

from .fingerprint import content_fingerprint
from .split import split_seed, stratified_split


@dataclass
class LabelledTable:
    """A table split in two, before any fitting; ``info`` says where it came from and how it was split."""

    train: pd.DataFrame
    test: pd.DataFrame
    label: str | int
    info: dict


# pandas' reading of a CSV file, the same for --dataset csv and for --dataset hf's csv builder (which
# passes these to pandas), so both paths read the same values.
CSV_READ = {"skipinitialspace": True, "na_values": ["?"]}


def labelled_table(path: str | None, options: dict[str, Any], seed: int) -> LabelledTable:
    """A table file with a label column, split by the file flags (``kit.flags.FILE_FLAGS``): see ``split_table``."""
    if path is None:
        raise UserError("--data PATH is needed: a CSV or Parquet file (and --label COLUMN).")
    header, test_path = options["header"], options.get("test_data")
    frame = read_table(path, header)
    test = read_table(test_path, header) if test_path is not None else None
    return split_table(frame, test, options, seed, str(path), f"test file {test_path}")


def split_table(frame: pd.DataFrame, test: pd.DataFrame | None, options: dict[str, Any], seed: int,
                source: str, test_rule: str = "the data set's test split") -> LabelledTable:
    """The one rule of a table, whichever loader read it (``--dataset csv`` or ``hf``).

    In order: a leading row-index column is dropped (``drop_row_index``); the label column is found
    (``label_column``) and rows without a label dropped; the test split is ``test`` when the data has
    one (a second file, the data set's own split), else the last ``test_last`` rows, else a stratified
    ``test_size`` fraction seeded by --split-seed or the run's ``seed`` (``kit.split``).
    """
    frame, test, index_note = drop_row_index(frame, test, source)
    column = label_column(frame, options.get("label"), source)
    frame, dropped = drop_missing_labels(frame, column, source)
    test_last, given = options.get("test_last"), test  # given: a test split of the data's own, else None
    if test is not None:
        if column not in test.columns:
            raise UserError(f"the test split ({test_rule}) has no label column {column!r}.")
        train, rule = frame, test_rule
        test, dropped_test = drop_missing_labels(test, column, test_rule)
        dropped += dropped_test
    elif test_last is not None:
        if not 0 < test_last < len(frame):
            raise UserError(f"--test-last must be between 1 and {len(frame) - 1} rows, got {test_last}.")
        train, test, rule = frame.iloc[:-test_last], frame.iloc[-test_last:], f"last {test_last} rows"
    else:
        rows, test_rows, rule = stratified_split(frame[column].to_numpy(), options["test_size"],
                                                 split_seed(options, seed))
        train, test = frame.iloc[rows], frame.iloc[test_rows]
    info = {"source": source, "test_split": rule, "row_index_column": index_note,
            "data_fingerprint": content_fingerprint(frame, given, str(column))}  # before the seeded split
    if dropped:
        info["dropped_rows_missing_label"] = dropped
    return LabelledTable(train, test, column, info)


def read_table(path: str | Path | None, header: bool = True) -> pd.DataFrame:
    """Read a CSV (any compression pandas knows) or Parquet file; repeated column names are refused."""
    if path is None:
        raise UserError("--data PATH is needed: a CSV or Parquet file.")
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}. Pass --data with the path of a CSV or Parquet file.")
    if path.is_dir():
        raise UserError(f"{path} is a folder; the csv dataset reads one CSV or Parquet file. Pass the file's path.")
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except ImportError:
            raise UserError("reading Parquet needs pyarrow: pip install 'imix-bench[parquet]'.") from None
        return refuse_repeated_columns(list(frame.columns), path, frame)
    try:
        frame = pd.read_csv(path, header=0 if header else None, sep="\t" if path.suffix == ".tsv" else ",", **CSV_READ)
        names = list(pd.read_csv(path, header=None, nrows=1, sep="\t" if path.suffix == ".tsv" else ",",
                                 **CSV_READ).iloc[0]) if header and not frame.empty else []
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise UserError(f"could not read {path} as a table: {error}") from None
    except OSError as error:
        raise UserError(f"could not read {path}: {error.strerror or error}") from None
    if frame.empty:
        raise UserError(f"{path} holds no data rows{' (only a header)' if len(frame.columns) else ''}. "
                        "Pass a table with one row per sample.")
    return refuse_repeated_columns(names, path, frame)


def refuse_repeated_columns(names: list[Any], path: str | Path, frame: pd.DataFrame) -> pd.DataFrame:
    """A header that names two columns alike is refused (pandas would rename one silently: a, a.1)."""
    seen = [str(n) for n in names if not (isinstance(n, float) and np.isnan(n))]
    repeated = sorted({n for n in seen if seen.count(n) > 1})
    if repeated:
        raise UserError(f"{Path(path).name} has several columns named {', '.join(map(repr, repeated))}; every column "
                        "needs its own name (rename them in the file, so that --label and the record can tell them apart).")
    return frame


def row_index_numbers(frame: pd.DataFrame) -> tuple[str, int] | None:
    """(name, first number) when the first column only numbers the rows, as R and pandas write an index:
    no header of its own (pandas reads it as '' or 'Unnamed: 0') and values 1..N or 0..N-1."""
    first = frame.columns[0]
    if not (str(first) == "" or str(first).startswith("Unnamed: 0")) or len(frame.columns) < 2:
        return None
    values = pd.to_numeric(frame[first], errors="coerce").to_numpy()
    for start in (1, 0):
        if np.array_equal(values, np.arange(start, start + len(frame))):
            return str(first), start
    return None


def drop_row_index(frame: pd.DataFrame, test: pd.DataFrame | None, path: str | Path
                   ) -> tuple[pd.DataFrame, pd.DataFrame | None, str | None]:
    """Drop a leading row-index column (``row_index_numbers`` of the training table) from both splits, with
    a note for the record; None when there is none. Left in, it would tell the model where a row sits."""
    found = row_index_numbers(frame)
    if found is None:
        return frame, test, None
    name, start = found
    note = f"dropped {name!r}: an unnamed first column numbering the rows {start}..{start + len(frame) - 1}"
    logger.warning("dropped the first column of %s: it numbers the rows %d..%d (an exported row index), it is not "
                   "a feature", Path(str(path)).name, start, start + len(frame) - 1)
    test = test.drop(columns=[c for c in test.columns if str(c) == name]) if test is not None else None
    return frame.drop(columns=[frame.columns[0]]), test, note


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
