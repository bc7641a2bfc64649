"""bench transfer: backbones of a baseline and an i-Mix arm probed on another table, their records,
and the table that keeps transfer rows apart from same-data rows with the same paired test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import bench.api as api
from bench.cli import main
from bench.core.config import config_key
from bench.core.errors import UserError
from bench.results.labels import dataset_name, record_kind
from bench.results.paired import comparisons
from bench.results.records import filter_records, read_records
from bench.results.tables import TRANSFER_CAPTION, table_text

SEEDS = (0, 1, 2)
SMALL = dict(domain="tabular", epochs=1, width=32, batch_size=128, raw_probe=False, quiet=True)


def noisy_digits(path, columns: int = 64, rows: int = 600) -> None:
    """A second table of the digits' width: a re-drawn subset with Gaussian noise, label column last."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(7)
    keep = rng.permutation(len(y))[:rows]
    table = pd.DataFrame(x[keep] + rng.normal(0, 2, (rows, 64)), columns=[f"p{i}" for i in range(64)])
    table = table.iloc[:, 64 - columns:]
    table["digit"] = y[keep]
    table.to_csv(path, index=False)


@pytest.fixture(scope="module")
def arms(tmp_path_factory):
    """Six backbones (baseline and i-Mix, seeds 0-2, one epoch on the embedded digits) and their records."""
    folder = tmp_path_factory.mktemp("transfer")
    results = folder / "runs.jsonl"
    paths = {}
    for imix in (False, True):
        for seed in SEEDS:
            paths[(imix, seed)] = str(folder / f"{'imix' if imix else 'base'}{seed}.pt")
            api.run(method="simclr", imix=imix, seed=seed, results=str(results), save_backbone=paths[(imix, seed)],
                    data_root=str(folder / "root"), **SMALL)
    noisy_digits(folder / "noisy.csv")
    return folder, results, paths


def test_transfer_records_name_the_run_and_the_target(arms, capsys):
    folder, results, paths = arms
    out = folder / "transfer.jsonl"
    assert main(["transfer", "--backbone", *paths.values(), "--dataset", "csv", "--data", str(folder / "noisy.csv"),
                 "--label", "digit", "--results", str(out)]) == 0
    assert capsys.readouterr().out.count("transfer tabular/digits → noisy (480)") == 6  # 80% of 600 rows train
    runs = {(r["imix"], r["seed"]): r for r in read_records(results)}
    moved = read_records(out)
    assert len(moved) == 6 and {record_kind(r) for r in moved} == {"transfer"}
    for record in moved:
        source = runs[(record["imix"], record["seed"])]
        assert record["source"]["run_id"] == source["id"]  # the pretraining run, by its record
        assert record["source"]["backbone"] == paths[(record["imix"], record["seed"])]
        assert (record["source"]["dataset"], record["dataset"], record["domain"]) == ("digits", "csv:noisy", "tabular")
        assert record["config"]["transfer"]["domain_options"]["label"] == "digit"
        assert record["config"]["transfer"]["seed"] is None and record["data"]["split_seed"] == record["seed"]
        # the source run's config, untouched, beside the transfer entry
        assert {k: v for k, v in record["config"].items() if k != "transfer"} == source["config"]
        assert (record["data"]["n_train"], record["data"]["n_test"]) == (480, 120)
        # a suite must never take a transfer for the finished run of its source
        assert config_key(record["config"]) != config_key(source["config"])
        assert 0.1 < record["probe"]["accuracy"] <= 1 and record["knn"]["k"] == 200


def test_the_table_keeps_transfer_rows_apart_with_the_paired_test(arms):
    folder, results, _ = arms
    records = read_records(results) + read_records(folder / "transfer.jsonl")
    same, moved = (sorted((c for c in comparisons(records) if c.kind == kind), key=lambda c: c.method)
                   for kind in ("same-data", "transfer"))
    assert [c.row_label for c in same] == ["tabular/digits"]
    assert [c.row_label for c in moved] == ["tabular/digits → noisy (480)"]
    transfer = moved[0]
    assert transfer.baseline.n == transfer.imix.n == 3 and transfer.paired_seeds == [0, 1, 2]
    # the paired test by hand, seed against seed, from the records themselves
    by = {(r["imix"], r["seed"]): 100 * r["probe"]["accuracy"] for r in read_records(folder / "transfer.jsonl")}
    expected = stats.ttest_rel([by[(True, s)] for s in SEEDS], [by[(False, s)] for s in SEEDS]).pvalue
    assert transfer.p_value == pytest.approx(expected)
    assert transfer.gain == pytest.approx(np.mean([by[(True, s)] - by[(False, s)] for s in SEEDS]))
    text = table_text(records)
    before, caption, after = text.partition(TRANSFER_CAPTION)
    assert caption and "| tabular/digits " in before and "→" not in before  # same-data table first
    assert "| tabular/digits → noisy (480) " in after and "(p=" in after.split("→ noisy (480)")[1].splitlines()[0]
    frame = api.table(records)
    assert sorted(frame["kind"]) == ["same-data", "transfer"]
    csv_text = table_text(records, fmt="csv")
    assert csv_text.splitlines()[0].endswith(",kind") and csv_text.count(",transfer\n") == 1


def test_where_kind_selects_old_records_as_same_data(arms):
    folder, results, _ = arms
    records = read_records(results) + read_records(folder / "transfer.jsonl")
    assert all("kind" not in r for r in read_records(results))  # same-data records carry no kind
    assert len(filter_records(records, ["kind=same-data"])) == 6
    assert len(filter_records(records, ["kind=transfer"])) == 6


def test_a_target_of_another_width_and_the_own_data_are_refused(arms, capsys):
    folder, _, paths = arms
    noisy_digits(folder / "narrow.csv", columns=40)
    backbone = paths[(False, 0)]
    out = str(folder / "refused.jsonl")
    assert main(["transfer", "--backbone", backbone, "--dataset", "csv", "--data", str(folder / "narrow.csv"),
                 "--label", "digit", "--results", out]) == 2
    error = capsys.readouterr().err
    assert "takes inputs shaped (64,)" in error and "gives (40,)" in error and "same number of feature columns" in error
    assert main(["transfer", "--backbone", backbone, "--dataset", "digits", "--results", out]) == 2
    assert "is the data this backbone was pretrained on" in capsys.readouterr().err
    assert main(["transfer", "--backbone", backbone, "--dataset", "nope", "--results", out]) == 2
    assert "csv" in capsys.readouterr().err  # the valid data sets are listed
    assert not (folder / "refused.jsonl").exists()


def test_transfer_rows_are_named_by_both_data_sets():
    record = {"kind": "transfer", "domain": "tabular", "dataset": "csv:letters",
              "config": {"data": "/d/pendigits.csv", "transfer": {"data": "/d/letters.csv"}},
              "source": {"domain": "tabular", "dataset": "csv:pendigits", "data": {"n_train": 7494}},
              "data": {"n_train": 16000}}
    assert dataset_name(record) == "pendigits (7.5k) → letters (16k)"
    other = {**record, "source": {**record["source"], "domain": "signals", "dataset": "mnist1d"}}
    assert dataset_name(other) == "signals/mnist1d → letters (16k)"
    same_data = {k: v for k, v in record.items() if k not in ("kind", "source")}  # the same fields, no kind
    assert record_kind(same_data) == "same-data" and dataset_name(same_data) == "letters (16k)"


def test_a_fixed_split_seed_is_its_own_arm_never_pooled_with_the_seed_following_one(arms):
    folder, _, paths = arms
    fixed = api.transfer(paths[(False, 1)], dataset="csv", data=str(folder / "noisy.csv"), label="digit", seed=5,
                         results=str(folder / "fixed.jsonl"))
    assert fixed["data"]["split_seed"] == 5 and fixed["config"]["transfer"]["seed"] == 5 and fixed["seed"] == 1
    mixed = read_records(folder / "transfer.jsonl") + [fixed]
    with pytest.raises(UserError, match="transfer"):  # same row, different targets: refused, not pooled
        comparisons(mixed)
