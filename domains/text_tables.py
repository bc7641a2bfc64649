"""Labelled texts from a table file (CSV, TSV, Parquet, JSON lines) or a Hugging Face dataset.

Both give a ``TextTable``: texts and raw labels of the two splits, before anything is fitted.
Without a test split of its own, a seeded stratified fraction is held out with ``--split-seed``
by the same function for both sources (``hf_source.held_out``), so one table read as a file and
as a saved Hugging Face dataset gives the same split. A bad row is named by its file and number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.core.errors import UserError
from domains.kit.split import stratified_split

from . import hf_source as hf
from .kit import drop_missing_labels

SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl"}
COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")


@dataclass
class TextTable:
    """Texts and raw labels; ``*_rows`` say where each row came from, for error messages."""

    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    test_rows: list[str]
    name: str  # the record's dataset name
    info: dict[str, Any] = field(default_factory=dict)

    def subset(self, max_samples: int | None, seed: int = 0) -> "TextTable":
        """At most ``max_samples`` rows in all, the same stratified fraction of each split (fixed seed)."""
        total = len(self.train_texts) + len(self.test_texts)
        if max_samples is None or max_samples >= total:
            return self
        fraction = max_samples / total
        keep_train = stratified_rows(self.train_labels, fraction, seed)
        keep_test = stratified_rows(self.test_labels, fraction, seed)
        pick = lambda values, rows: [values[i] for i in rows]
        return replace(self, train_texts=pick(self.train_texts, keep_train), train_labels=self.train_labels[keep_train],
                       test_texts=pick(self.test_texts, keep_test), test_labels=self.test_labels[keep_test],
                       test_rows=pick(self.test_rows, keep_test), name=f"{self.name}-{max_samples}",  # its own table row
                       info={**self.info, "subset": f"{max_samples} of {total} rows, a stratified fraction "
                                                    f"{fraction:.4g} of each split (seed {seed})"})


def stratified_rows(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Sorted row indices of a seeded, stratified ``fraction`` of ``labels`` (at least two rows)."""
    from sklearn.model_selection import train_test_split

    n_keep = max(2, round(len(labels) * fraction))
    if n_keep >= len(labels):
        return np.arange(len(labels))
    counts = np.unique(labels.astype(str), return_counts=True)[1]
    stratify = labels if counts.min() >= 2 and n_keep >= len(counts) else None
    keep, _ = train_test_split(np.arange(len(labels)), train_size=n_keep, random_state=seed, stratify=stratify)
    return np.sort(keep)


def table_kind(path: Path) -> str | None:
    """csv, tsv, parquet or jsonl, from the file's name (a compression suffix is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED:
        suffixes = suffixes[:-1]
    return SUFFIXES.get(suffixes[-1] if suffixes else "")


def read_text_file(path: str | Path, flag: str = "--data") -> pd.DataFrame:
    """A table file by its suffix (compressed CSV/TSV/JSON lines too)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{flag} {path}: no such file. The text domain's csv dataset reads a CSV, TSV, Parquet or "
                        "JSON-lines file with a text column and a label column.")
    kind = table_kind(path)
    if kind is None:
        raise UserError(f"{flag} {path}: cannot tell the table format from its name; use one of "
                        f"{', '.join(sorted(SUFFIXES))} (optionally compressed: {', '.join(COMPRESSED)}).")
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        if kind == "jsonl":
            return pd.read_json(path, lines=True, dtype=False)
        # only an empty field is missing: a text may well read "NA" or "null"
        return pd.read_csv(path, sep="\t" if kind == "tsv" else ",", keep_default_na=False, na_values=[""])
    except ImportError:
        raise UserError("reading Parquet needs pyarrow: pip install 'imix-bench[parquet]'.") from None
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as error:
        raise UserError(f"could not read {flag} {path} as a {kind} table: {str(error).splitlines()[0]}") from None


def header_lines(path: str | Path) -> int:
    """Lines before the first data row where the file has lines (CSV, TSV: 1; JSON lines: 0), else -1."""
    return {"csv": 1, "tsv": 1, "jsonl": 0}.get(table_kind(Path(path)) or "", -1)


def row_name(where: str, index: int, header_lines: int) -> str:
    """``file row N`` (counting data rows from 1), with the line number where the file has lines."""
    line = f", line {index + 1 + header_lines}" if header_lines >= 0 else ""
    return f"{where} row {index + 1}{line}"


def columns(frame: pd.DataFrame, text: str, label: str, where: str, header_lines: int
            ) -> tuple[list[str], np.ndarray, list[str]]:
    """The texts, labels and row names of a frame: missing columns listed, empty texts refused."""
    listed = ", ".join(map(str, frame.columns[:30]))
    for flag, column in (("--text-column", text), ("--label-column", label)):
        if column not in frame.columns:
            raise UserError(f"{where} has no column {column!r} (the {flag[2:].replace('-', ' ')}); its columns: "
                            f"{listed}. Name it with {flag} NAME.")
    frame, _ = drop_missing_labels(frame, label, where)
    values = frame[text]
    empty = values.isna().to_numpy() | np.array([not str(v).strip() for v in values])
    if empty.any():
        first = int(np.flatnonzero(empty)[0])
        raise UserError(f"{row_name(where, int(frame.index[first]), header_lines)} has an empty text in column "
                        f"{text!r} ({int(empty.sum())} such rows). Every sample needs a text: drop or fill those rows.")
    rows = [row_name(where, int(i), header_lines) for i in frame.index]
    return [str(v) for v in values], frame[label].to_numpy(), rows


def held_out_table(texts: list[str], labels: np.ndarray, rows: list[str], options: dict[str, Any], name: str,
                   info: dict[str, Any]) -> TextTable:
    """A seeded stratified test fraction of one table (``--test-size``, ``--split-seed``)."""
    test_size, seed = float(options["test_size"]), int(options["split_seed"])
    train, test, _ = stratified_split(labels, test_size, seed)  # the rule every table loader shares
    rule = f"seeded stratified {test_size:g} of the rows (split seed {seed}, the same for every run seed)"
    return TextTable([texts[i] for i in train], labels[train], [texts[i] for i in test], labels[test],
                     [rows[i] for i in test], name, {**info, "test_split": rule})


def file_table(path: str | None, options: dict[str, Any]) -> TextTable:
    """--dataset csv: --data FILE, and --test-data FILE or a held-out fraction."""
    if path is None:
        raise UserError("--dataset csv needs --data FILE: a CSV, TSV, Parquet or JSON-lines table with a text column "
                        "(--text-column, default 'text') and a label column (--label-column, default 'label').")
    text, label = options.get("text_column") or "text", options.get("label") or "label"
    texts, labels, rows = columns(read_text_file(path), text, label, Path(path).name, header_lines(path))
    info = {"source": str(path), "text_column": text, "label_column": label}
    name = f"csv:{Path(path).name.split('.')[0]}"
    if options.get("test_data") is None:
        return held_out_table(texts, labels, rows, options, name, info)
    test_path = options["test_data"]
    test_texts, test_labels, test_rows = columns(read_text_file(test_path, "--test-data"), text, label,
                                                 Path(test_path).name, header_lines(test_path))
    return TextTable(texts, labels, test_texts, test_labels, test_rows, name,
                     {**info, "test_split": f"test file {options['test_data']}"})


def hf_table(source: str | None, options: dict[str, Any]) -> TextTable:
    """--dataset hf: the dataset's text column and label, its test split or a held-out fraction."""
    splits = hf.open_hf(source, options)
    label = hf.guess_label(splits.train, options.get("label"))
    text = text_column(splits.train, options.get("text_column"), label)
    parts = {}
    for split_name, dataset in (("train", splits.train), ("test", splits.test)):
        if dataset is None:
            continue
        frame = dataset.select_columns([text, label]).to_pandas()
        feature = dataset.features[label]
        if type(feature).__name__ == "ClassLabel":  # codes become their names, as a table file holds them
            frame[label] = [feature.int2str(int(v)) if v is not None and v >= 0 else None for v in frame[label]]
        where = f"{splits.name} split {splits.info['train_split'] if split_name == 'train' else splits.info['test_split_name']}"
        parts[split_name] = columns(frame, text, label, where, -1)
    info = {**splits.info, "text_column": text, "label_column": label}
    if "test" not in parts:
        return held_out_table(*parts["train"], options, splits.name, info)
    info["test_split"] = f"the dataset's split {splits.info['test_split_name']!r}"
    return TextTable(*parts["train"][:2], *parts["test"], splits.name, info)


def text_column(dataset: Any, given: str | None, label: str) -> str:
    """--text-column, else a column named text, else the only string column besides the label."""
    features = dataset.features
    if given is not None and given not in features:
        raise UserError(f"--text-column {given!r} is not a column; the columns: {hf.describe(features)}.")
    if given is not None:
        return given
    strings = [c for c, f in features.items() if c != label and getattr(f, "dtype", None) in ("string", "large_string")]
    if "text" in features:
        return "text"
    if len(strings) == 1:
        return strings[0]
    raise UserError(f"cannot tell the text column ({len(strings)} string columns); the columns: "
                    f"{hf.describe(features)}. Name it with --text-column COLUMN.")


def unseen_label_error(table: TextTable) -> UserError | None:
    """The first test row whose label never occurs in training, as an error saying what to do."""
    known = set(map(str, pd.unique(table.train_labels)))
    unseen = [i for i, v in enumerate(table.test_labels) if str(v) not in known]
    if not unseen:
        return None
    first = unseen[0]
    return UserError(f"{table.test_rows[first]} has the label {table.test_labels[first]!r}, which no training row has "
                     f"({len(unseen)} test rows have labels unseen in training). A probe cannot learn a class it "
                     "never sees: add training rows of it, or drop those test rows.")
