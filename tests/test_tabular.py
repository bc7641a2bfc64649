"""Tabular loading: the embedded set, any CSV, CoverType and HIGGS parsing, fitted on train only."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
import torch

from bench.core.errors import UserError
from bench.core.rng import Rng
from domains.base import DataRequest
from domains.tabular import TabularDomain


def load(dataset: str, path=None, root="/nonexistent", seed=0, **options):
    return TabularDomain(**options).load(DataRequest(dataset=dataset, path=path, root=str(root), seed=seed))


def test_embedded_digits_split_is_fixed_and_standardised():
    a, b = load("digits", seed=0), load("digits", seed=5)
    assert (len(a.train), len(a.test), a.n_classes, a.input_shape) == (1347, 450, 10, (64,))
    assert torch.equal(a.train.y, b.train.y)  # the run seed does not move the split
    assert a.train.x.mean(0).abs().max() < 1e-4


def test_csv_fits_scaling_and_categories_on_the_training_split_only(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({
        "size": [1.0, 3.0, None, 5.0, 100.0],
        "colour": ["red", "blue", "red", None, "green"],
        "y": ["a", "b", "a", "b", "a"],
    }).to_csv(path, index=False)
    data = load("csv", path=path, label="y", test_last=1, header=True)
    # train rows: size 1, 3, (missing -> median 3), 5 -> mean 3, std sqrt(2)
    sizes = data.train.x[:, 0]
    torch.testing.assert_close(sizes, torch.tensor([-2.0, 0.0, 0.0, 2.0]) / np.sqrt(2.0))
    assert data.test.x[0, 0].item() == pytest.approx((100.0 - 3.0) / np.sqrt(2.0))
    # colour: blue, red and <missing> were seen in training; green (test only) encodes as zeros
    assert data.input_shape == (4,)
    assert data.test.x[0, 1:].abs().sum().item() == 0.0
    assert data.class_names == ["a", "b"] and data.train.y.tolist() == [0, 1, 0, 1]


def test_csv_errors_name_the_problem(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": [1, 2, 3, 4], "y": [0, 0, 0, 0]}).to_csv(path, index=False)
    with pytest.raises(UserError, match="label column 'target' is not in t.csv; its columns are: x, y"):
        load("csv", path=path, label="target")
    with pytest.raises(UserError, match="single class"):
        load("csv", path=path, label="y", test_size=0.25)
    with pytest.raises(UserError, match="name the label column with --label .*no column .label.; its columns: x, y"):
        load("csv", path=path)
    with pytest.raises(UserError, match="no such file"):
        load("csv", path=tmp_path / "missing.csv", label="y")


def test_letter_with_the_uci_split(shared_data):
    data = load("csv", path=shared_data / "letter" / "letter-recognition.csv", label="Letter", test_last=4000)
    assert (len(data.train), len(data.test), data.n_classes, data.input_shape) == (16000, 4000, 26, (16,))
    assert data.dataset == "csv:letter-recognition"  # records of different tables stay apart


def test_adult_without_header_one_hot_encodes_categories(shared_data):
    data = load("csv", path=shared_data / "adult" / "adult.data", label="14", header=False, test_size=0.2)
    assert data.n_classes == 2 and data.class_names == ["<=50K", ">50K"]
    assert data.info["numeric_columns"] == 6 and data.info["categorical_columns"] == 8
    assert data.input_shape[0] > 90  # 6 numeric + one-hot codes of 8 categorical columns
    assert len(data.train) + len(data.test) == 32560  # the file ends with a blank line


def test_covtype_protocol_splits_after_row_15120_and_scales_only_continuous(tmp_path):
    rng = np.random.default_rng(0)
    rows = 15_130
    continuous = rng.normal(50, 10, size=(rows, 10)).round(1)
    binary = rng.integers(0, 2, size=(rows, 44))
    labels = rng.integers(1, 8, size=(rows, 1))
    path = tmp_path / "covtype.data.gz"
    with gzip.open(path, "wt") as f:
        pd.DataFrame(np.hstack([continuous, binary, labels])).to_csv(f, header=False, index=False)
    data = load("covtype", path=path)
    assert (len(data.train), len(data.test), data.input_shape) == (15_120, 10, (54,))
    assert data.train.x[:, :10].mean(0).abs().max() < 1e-4  # z-scored
    torch.testing.assert_close(data.train.x[:, 10:], torch.tensor(binary[:15_120], dtype=torch.float32))
    assert data.train.y.min() == 0 and data.train.y.max() == 6


def test_higgs_low_level_features_and_test_tail(tmp_path):
    values = np.random.default_rng(0).normal(size=(100, 29)).astype(np.float32)
    values[:, 0] = np.arange(100) % 2
    path = tmp_path / "HIGGS.csv.gz"
    with gzip.open(path, "wt") as f:
        pd.DataFrame(values).to_csv(f, header=False, index=False)
    data = load("higgs", path=path, root=tmp_path, higgs_features="low")
    assert (len(data.train), len(data.test), data.input_shape, data.n_classes) == (80, 20, (21,), 2)


def test_covtype_offline_says_which_file_to_fetch(tmp_path, monkeypatch):
    import urllib.request

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(UserError, match=r"covtype.data.gz from https://archive.ics.uci.edu.*place it at"):
        load("covtype", root=tmp_path)
    assert not list(tmp_path.rglob("*.part"))


def test_inputdrop_zeroes_inputs_per_sample():
    domain = TabularDomain(inputdrop=0.5)
    x = torch.ones(64, 20)
    view = domain.augment(x, Rng.from_seed(0))
    dropped = (view == 0).float().mean().item()
    assert 0.4 < dropped < 0.6
    assert not torch.equal(view[0], view[1])
    with pytest.raises(UserError, match="inputdrop"):
        TabularDomain(inputdrop=1.0)


def test_inputdrop_defaults_per_dataset_and_the_record_stores_it():
    """The embedded digits pretrain with input dropout by default (results/main-command/); other
    tables keep none, so their earlier records still match; a flag always wins."""
    from bench.cli import parse, prepare_run

    def resolved(*flags):
        cfg, domain = prepare_run(parse(["run", "--domain", "tabular", *flags]))
        assert domain.inputdrop == cfg.domain_options["inputdrop"]
        return cfg

    digits = resolved()
    assert digits.domain_options["inputdrop"] == 0.2
    assert (digits.epochs, digits.temperature, digits.batch_size) == (100, 0.5, 256)
    assert resolved("--inputdrop", "0").domain_options["inputdrop"] == 0.0
    letter = resolved("--dataset", "csv", "--data", "x.csv", "--label", "y")
    assert letter.domain_options["inputdrop"] == 0.0 and letter.temperature == 0.1
