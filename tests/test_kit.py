"""The file-reading kit (domains/kit) on small hand-made files, and the one meaning that the tabular
and signals domains give to the shared flags --label, --no-header, --test-data and --test-size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from bench.core.errors import UserError
from domains import DataRequest
from domains.kit import (Standardiser, cached, encode_labels, label_column, labelled_table, read_array, read_npz,
                         read_table, stratified_split)
from domains.kit.flags import FILE_FLAGS
from domains.signals import SignalsDomain
from domains.tabular import TabularDomain

FILE_DEFAULTS = {"label": None, "header": True, "test_data": None, "test_size": 0.2}


def test_csv_and_parquet_read_alike_and_the_label_column_is_found_by_name_position_or_default(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "label": ["x", "y", "x"]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    csv, parquet = read_table(tmp_path / "t.csv"), read_table(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(csv, parquet)
    assert [label_column(csv, given, "t.csv") for given in (None, "label", "1", "-1", "0")] == \
        ["label", "label", "label", "label", "a"]
    (tmp_path / "n.csv").write_text("1,x\n2,y\n")
    assert list(read_table(tmp_path / "n.csv", header=False).columns) == [0, 1]
    with pytest.raises(UserError, match="label column 'b' is not in t.csv; its columns are: a, label"):
        label_column(csv, "b", "t.csv")
    with pytest.raises(UserError, match="--data PATH is needed"):
        read_table(None)


def test_labels_are_indices_in_sorted_order_and_unseen_test_labels_are_dropped():
    labels = encode_labels(["b", "a", "b", "c"], ["c", "d", "a"])
    assert labels.class_names == ["a", "b", "c"]
    assert labels.train.tolist() == [1, 0, 1, 2] and labels.test.tolist() == [2, 0]
    assert labels.keep.tolist() == [True, False, True] and labels.dropped == 1
    numbers = encode_labels(np.array([10, 2, 2, 10]), np.array([2]))  # numeric order: 2 before 10
    assert numbers.class_names == ["2", "10"] and numbers.train.tolist() == [1, 0, 0, 1]
    with pytest.raises(UserError, match="single class"):
        encode_labels(["a", "a"], ["a"])
    with pytest.raises(UserError, match="no test row has a label seen in training"):
        encode_labels(["a", "b"], ["c"])


def test_stratified_split_holds_out_the_same_fraction_of_every_class_for_a_seed():
    labels = np.array(["a"] * 6 + ["b"] * 4)
    train, test, described = stratified_split(labels, 0.5, seed=0)
    assert sorted(labels[test].tolist()) == ["a", "a", "a", "b", "b"] and len(train) == 5
    assert sorted([*train, *test]) == list(range(10))
    again = stratified_split(labels, 0.5, seed=0)
    assert again[1].tolist() == test.tolist() and described == "seeded stratified 0.5 fraction (seed 0)"
    assert stratified_split(np.array(["a"] * 5 + ["b"]), 0.5, 1)[2] == "seeded 0.5 fraction (seed 1)"  # b: one row
    with pytest.raises(UserError, match=r"--test-size must be a fraction in \(0, 1\), got 1.5"):
        stratified_split(labels, 1.5, 0)


def test_standardiser_is_fitted_on_the_training_rows_only():
    scale = Standardiser.fit(np.array([[0.0, 10.0], [2.0, 10.0]]))  # means 1 and 10, stds 1 and 0
    assert scale(np.array([[3.0, 10.0], [1.0, 12.0]])).round(3).tolist() == [[2.0, 0.0], [0.0, 2e6]]
    signals = np.array([[[0.0, 4.0]], [[2.0, 2.0]]])  # (N=2, C=1, L=2): one channel, mean 2, std 1.414
    assert Standardiser.fit(signals, axes=(0, 2))(np.array([[[2.0, 2.0 + 2 ** 0.5]]])).round(4).tolist() == [[[0, 1]]]


def test_numpy_files_are_read_without_pickle_and_npz_names_are_checked(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(6).reshape(2, 3))
    assert read_array(tmp_path / "x.npy").tolist() == [[0, 1, 2], [3, 4, 5]]
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object))
    with pytest.raises(UserError, match="is not a NumPy array file"):
        read_array(tmp_path / "objects.npy")
    with pytest.raises(UserError, match="--labels .*missing.npy: no such file"):
        read_array(tmp_path / "missing.npy", "--labels")
    np.savez(tmp_path / "s.npz", x=np.zeros(2), y=np.ones(2), x_test=np.zeros(1))
    with pytest.raises(UserError, match="must hold arrays named x and y .and optionally x_test and y_test.; "
                                        "it holds x, x_test, y"):
        read_npz(tmp_path / "s.npz", ("x", "y"), (("x_test", "y_test"),))
    assert sorted(read_npz(tmp_path / "s.npz", ("x", "y"))) == ["x", "x_test", "y"]


def test_cache_is_built_once_and_never_left_half_written(tmp_path):
    calls = []
    build = lambda: calls.append(1) or np.arange(3)
    save, load = (lambda value, file: np.save(file, value)), (lambda path: np.load(path))
    assert cached(tmp_path / "c" / "a.npy", build, save, load).tolist() == [0, 1, 2]
    assert cached(tmp_path / "c" / "a.npy", build, save, load).tolist() == [0, 1, 2] and len(calls) == 1

    def broken_save(value, file):
        file.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        cached(tmp_path / "c" / "b.npy", build, broken_save, load)
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["a.npy"]


def test_labelled_table_splits_by_test_data_test_last_or_test_size(tmp_path):
    pd.DataFrame({"v": range(8), "label": list("aabbaabb")}).to_csv(tmp_path / "t.csv", index=False)
    by_size = labelled_table(str(tmp_path / "t.csv"), {**FILE_DEFAULTS, "test_size": 0.5}, seed=0)
    assert sorted(by_size.test["label"]) == ["a", "a", "b", "b"] and by_size.label == "label"
    by_last = labelled_table(str(tmp_path / "t.csv"), {**FILE_DEFAULTS, "test_last": 3}, seed=0)
    assert by_last.test["v"].tolist() == [5, 6, 7] and by_last.info["test_split"] == "last 3 rows"
    by_file = labelled_table(str(tmp_path / "t.csv"), {**FILE_DEFAULTS, "test_data": str(tmp_path / "t.csv")}, 0)
    assert len(by_file.train) == len(by_file.test) == 8


def write_rows(path, header: bool) -> None:
    """40 rows: an id, a second value, and one of four labels (the label column last)."""
    rows = [f"{i},{(i * 7) % 11},{'abcd'[i % 4]}" for i in range(40)]
    path.write_text(("id,f,label\n" if header else "") + "\n".join(rows) + "\n")


def test_tabular_and_signals_share_one_declaration_of_the_file_flags():
    for name in ("label", "header", "test_data", "test_size"):
        assert TabularDomain.declared()[name] is SignalsDomain.declared()[name]
        assert TabularDomain.declared()[name] in FILE_FLAGS and not TabularDomain.declared()[name].later


@pytest.mark.parametrize("header, options", [
    (True, {"test_size": 0.25}),  # the column named label, by default
    (False, {"header": False, "label": "-1", "test_size": 0.25}),  # the last column, by position
    (True, {"label": "label", "test_data": "{other}"}),  # a second file
])
def test_tabular_and_signals_read_the_same_rows_with_the_same_flags(tmp_path, header, options):
    write_rows(tmp_path / "t.csv", header)
    write_rows(tmp_path / "other.csv", header)
    options = {k: v.format(other=tmp_path / "other.csv") if isinstance(v, str) else v for k, v in options.items()}
    request = DataRequest("csv", str(tmp_path / "t.csv"), str(tmp_path), seed=3)
    table = TabularDomain(**options).load(request)
    signals = SignalsDomain(**options, channels=1, standardize=False).load(request)
    assert table.class_names == signals.class_names == ["a", "b", "c", "d"]
    assert torch.equal(table.test.y, signals.test.y) and torch.equal(table.train.y, signals.train.y)
    # the tabular ids are standardised, an increasing map: their ranks among all rows are the ids
    ranks = torch.cat([table.train.x[:, 0], table.test.x[:, 0]]).argsort().argsort()
    expected = torch.cat([signals.train.x[:, 0, 0], signals.test.x[:, 0, 0]]).long()
    if "test_data" not in options:
        assert torch.equal(ranks, expected) and len(signals.test) == 10
