"""Readers for the tabular datasets: each returns raw feature and label arrays per split (files are
read by the adapter kit, ``domains/kit``).

Fitting (scaling, one-hot codes) happens in ``kit.encoding`` on the training split only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bench.core.atomic import atomic_write
from bench.core.errors import UserError

from .download import fetch
from .kit import LabelledTable, read_table, split_table

COVTYPE_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz"
HIGGS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/00280/HIGGS.csv.gz"
COVTYPE_TRAIN_ROWS = 15_120  # the paper's split: 11,340 train + 3,780 validation
HIGGS_TEST_ROWS = 500_000
HIGGS_SUBSETS = {"higgs": None, "higgs100k": 100_000, "higgs1m": 1_000_000}


def covtype_table(path: str | None, root: str) -> LabelledTable:
    """Forest CoverType: the first 15,120 rows train, the remaining 565,892 test."""
    if path is None:
        path = fetch(COVTYPE_URL, Path(root) / "covtype" / "covtype.data.gz", "pass --data PATH/covtype.data.gz")
    frame = read_table(path, header=False)
    if frame.shape[1] != 55:
        raise UserError(f"{path} has {frame.shape[1]} columns; covtype.data has 54 features and the label (55).")
    frame[54] = frame[54] - 1  # cover types 1..7 -> 0..6
    return LabelledTable(
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


def higgs_table(dataset: str, path: str | None, root: str, features: str) -> LabelledTable:
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
    return LabelledTable(
        pd.DataFrame(np.asarray(train)[:, columns]), pd.DataFrame(np.asarray(test)[:, columns]), 0,
        {"source": str(path or "download"), "test_split": f"last {n_test} rows", "features": features},
    )


def hf_table(source: str | None, options: dict, seed: int) -> tuple[LabelledTable, str]:
    """A Hugging Face dataset of scalar columns as a raw table (the table encoder fits it later);
    ClassLabel codes become their names, so classes read as in a CSV.

    The whole training split becomes one frame that goes through ``kit.split_table``, the rule of
    ``--dataset csv``: so one CSV file gives the same columns, split, row order and arrays both ways.
    """
    from . import hf_source as hf

    if source and Path(source).expanduser().is_file() and Path(source).suffix.lower() in (".csv", ".tsv"):
        read_table(Path(source).expanduser(), options.get("header", True))  # the csv path's checks: repeated names
    splits = hf.open_hf(source, options)
    label = hf.guess_label(splits.train, options.get("label"))
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

    test = frame(splits.test) if splits.test is not None else None
    table = split_table(frame(splits.train), test, {**options, "label": label}, seed, f"Hugging Face datasets: {source}",
                        f"the data set's {splits.info['test_split_name']!r} split")
    info = {**splits.info, **table.info, "label_column": label, "feature_columns": columns}
    return LabelledTable(table.train, table.test, table.label, info), splits.name
