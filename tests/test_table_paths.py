"""One table, two loaders: `--dataset csv` and `--dataset hf` (datasets' csv builder) follow one rule, so the
same file gives the same columns, split, row order, arrays and numbers; and the two data-path refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ["HF_DATASETS_OFFLINE"] = "1"  # before datasets is imported: no test may reach the Hub
os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np
import pandas as pd
import pytest
import torch

datasets = pytest.importorskip("datasets")

from bench.cli import main
from bench.core.errors import UserError
from domains.base import DataRequest
from domains.tabular import TabularDomain

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")


def r_export(tmp_path: Path, rows: int = 60) -> Path:
    """A table as R's write.csv leaves it: an unnamed first column numbering the rows 1..N, text with a
    space after each comma, '?' for missing values."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"size": rng.normal(size=rows).round(4), "count": rng.integers(0, 9, rows).astype(float),
                          "colour": rng.choice(["red", "green", "blue"], rows), "label": rng.choice(["a", "b"], rows)})
    frame.loc[3, "count"], frame.loc[7, "colour"] = np.nan, np.nan
    frame.index = range(1, rows + 1)
    path = tmp_path / "export.csv"
    path.write_text(frame.to_csv(index=True, na_rep="?").replace(",", ", "))
    return path


def both_paths(path: Path, tmp_path: Path, seed: int = 0, **options):
    loaded = {}
    for dataset in ("csv", "hf"):
        domain = TabularDomain(**options)
        loaded[dataset] = domain.load(DataRequest(dataset, str(path), str(tmp_path / "root"), seed))
    return loaded["csv"], loaded["hf"]


def assert_same_arrays(a, b) -> None:
    for split in ("train", "test"):
        assert torch.equal(getattr(a, split).x, getattr(b, split).x), split  # element by element, in order
        assert torch.equal(getattr(a, split).y, getattr(b, split).y), split
    assert a.class_names == b.class_names


@pytest.mark.parametrize("seed, split_seed", [(0, None), (3, None), (3, 5)])
def test_one_file_through_both_loaders_gives_the_same_arrays(tmp_path, seed, split_seed):
    csv, hf = both_paths(r_export(tmp_path), tmp_path, seed, label="label", split_seed=split_seed)
    assert_same_arrays(csv, hf)
    assert csv.info["row_index_column"] == hf.info["row_index_column"] == (
        "dropped 'Unnamed: 0': an unnamed first column numbering the rows 1..60")
    assert csv.info["features"] == hf.info["features"] == 2 + 4  # size, count; colour one-hot with <missing>
    used = seed if split_seed is None else split_seed
    assert csv.info["test_split"] == hf.info["test_split"] == f"seeded stratified 0.2 fraction (seed {used})"
    assert csv.info["data_fingerprint"] == hf.info["data_fingerprint"]  # the same data, whichever loader


def test_the_fingerprint_is_of_the_data_not_of_the_seed_or_the_loader(tmp_path):
    path = r_export(tmp_path)
    (a, b), (c, _) = both_paths(path, tmp_path, 0, label="label"), both_paths(path, tmp_path, 7, label="label")
    assert a.info["data_fingerprint"] == b.info["data_fingerprint"] == c.info["data_fingerprint"]
    path.write_text(path.read_text().replace("red", "pink", 1))  # one cell changed
    changed, _ = both_paths(path, tmp_path, 0, label="label")
    assert changed.info["data_fingerprint"] != a.info["data_fingerprint"]


def test_run_seeds_give_other_splits_on_both_paths_alike(tmp_path):
    path = r_export(tmp_path)
    (a, _), (b, _) = both_paths(path, tmp_path, 0, label="label"), both_paths(path, tmp_path, 1, label="label")
    assert not torch.equal(a.test.x, b.test.x)


def test_the_same_seed_gives_the_same_numbers_through_both_loaders(tmp_path):
    path = r_export(tmp_path)
    records = {}
    for dataset in ("csv", "hf"):
        results = tmp_path / f"{dataset}.jsonl"
        argv = ["run", "--dataset", dataset, "--data", str(path), "--label", "label", "--epochs", "2", "--batch-size",
                "16", "--width", "32", "--proj-hidden", "32", "--quiet", "--seed", "2", "--results", str(results),
                "--data-root", str(tmp_path / "root")]
        assert main(argv) == 0
        records[dataset] = json.loads(results.read_text())
    csv, hf = records["csv"], records["hf"]
    assert (csv["probe"]["accuracy"], csv["knn"]["accuracy"], csv["raw_probe"]["accuracy"], csv["loss_curve"]) == (
        hf["probe"]["accuracy"], hf["knn"]["accuracy"], hf["raw_probe"]["accuracy"], hf["loss_curve"])
    assert csv["knn"]["k"] == hf["knn"]["k"] == 48  # 60 rows, 12 held out: k is lowered to 48, and says so
    assert csv["data"]["data_fingerprint"] == hf["data"]["data_fingerprint"]
    assert (csv["dataset"], hf["dataset"]) == ("csv:export", "hf:export")


@pytest.mark.skipif(not (SHARED / "letter" / "letter-recognition.csv").exists(), reason="no offline Letter copy")
def test_real_letter_with_an_r_row_index_is_the_same_both_ways(tmp_path):
    frame = pd.read_csv(SHARED / "letter" / "letter-recognition.csv")
    frame.index = range(1, len(frame) + 1)
    path = tmp_path / "letter.csv"
    frame.to_csv(path, index=True)  # pandas writes the index under an empty name, as R does
    csv, hf = both_paths(path, tmp_path, 4, label="Letter", test_last=4000)
    assert_same_arrays(csv, hf)
    assert csv.train.x.shape == (16000, 16) and csv.info["row_index_column"].startswith("dropped")


@pytest.mark.skipif(not (SHARED / "adult" / "adult.data").exists(), reason="no offline Adult copy")
def test_real_adult_without_header_with_spaces_and_question_marks_is_the_same_both_ways(tmp_path):
    path = tmp_path / "adult.csv"
    path.write_bytes((SHARED / "adult" / "adult.data").read_bytes())
    csv, hf = both_paths(path, tmp_path, 1, label="14", header=False)
    assert_same_arrays(csv, hf)
    assert csv.class_names == ["<=50K", ">50K"] and csv.info["categorical_columns"] == 8


@pytest.mark.parametrize("dataset", ["csv", "hf"])
def test_a_table_too_small_to_split_names_the_smallest_usable_size(tmp_path, dataset, capsys):
    path = tmp_path / "tiny.csv"
    path.write_text("x,label\n1,a\n2,a\n3,b\n4,b\n")
    assert main(["run", "--dataset", dataset, "--data", str(path), "--quiet", "--results", str(tmp_path / "r.jsonl"),
                 "--data-root", str(tmp_path / "root")]) == 2
    err = capsys.readouterr().err
    assert "4 rows of 2 classes are too few for a 0.2 test split" in err
    assert "the smallest usable table has 6 rows" in err and "Traceback" not in err


@pytest.mark.parametrize("dataset", ["csv", "hf"])
def test_two_columns_of_one_name_are_refused_with_the_name(tmp_path, dataset):
    path = tmp_path / "twice.csv"
    path.write_text("width,width,label\n" + "".join(f"{i},{i + 1},{i % 2}\n" for i in range(20)))
    domain = TabularDomain(label="label")
    with pytest.raises(UserError, match="several columns named 'width'"):
        domain.load(DataRequest(dataset, str(path), str(tmp_path / "root"), 0))
