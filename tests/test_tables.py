"""Tables: numbers by hand, the paired test, formats, and refusal to compare unlike runs."""

from __future__ import annotations

import csv
import io
import math

import pytest
from scipy import stats

from bench.cli import main
from bench.errors import UserError
from bench.results import append_record
from bench.tables import comparison_table, comparisons, select


def _record(method: str, imix: bool, seed: int, accuracy: float, mix: str | None = None, **config) -> dict:
    cfg = {"epochs": 10, "batch_size": 512, "method": method, "imix": imix, "seed": seed, "alpha": 1.0,
           "mix": mix or "mixup", "results": f"/tmp/{seed}.jsonl", **config}
    return {"domain": "tabular", "dataset": "letter", "method": method, "imix": imix, "mix": mix if imix else None,
            "seed": seed, "config": cfg, "probe": {"accuracy": accuracy}, "knn": {"accuracy": accuracy / 2}}


RECORDS = [
    _record("simclr", False, 0, 0.90), _record("simclr", False, 1, 0.92), _record("simclr", False, 2, 0.91),
    _record("simclr", True, 0, 0.93, "mixup"), _record("simclr", True, 1, 0.97, "mixup"),
    _record("simclr", True, 2, 0.94, "mixup"),
    _record("byol", False, 0, 0.80),
]


def test_means_stds_gain_and_paired_p_by_hand():
    (byol, simclr) = sorted(comparisons(RECORDS), key=lambda c: c.method)
    assert simclr.baseline.mean == pytest.approx(91.0) and simclr.imix.mean == pytest.approx(94.6666667)
    assert simclr.baseline.std == pytest.approx(1.0)  # 90, 92, 91: sample std 1
    assert simclr.imix.std == pytest.approx(math.sqrt(((93 - 94.6667) ** 2 + (97 - 94.6667) ** 2 + (94 - 94.6667) ** 2) / 2),
                                            rel=1e-4)
    assert simclr.gain == pytest.approx(3.6666667)
    # differences 3, 5, 3: t = mean / (sd / sqrt(3)) = 3.667 / (1.1547 / 1.732) = 5.5, two-sided p with 2 dof
    assert simclr.p_value == pytest.approx(2 * stats.t.sf(5.5, 2), rel=1e-6)
    assert byol.imix.n == 0 and math.isnan(byol.p_value)


def test_markdown_marks_the_better_arm_and_shows_n_and_p():
    table = comparison_table(RECORDS)
    header, _, row = table.splitlines()
    assert header.split("|")[2].strip() == "simclr"  # the paper's method order: simclr before byol
    assert "91.00 ± 1.00 (3)" in row and "**94.67 ± 2.08 (3)**" in row
    assert "+3.67 (p=0.032)" in row
    assert "80.00 ± 0.00 (1)" in row


def test_csv_is_long_and_numeric():
    rows = list(csv.DictReader(io.StringIO(comparison_table(RECORDS, fmt="csv"))))
    simclr = next(r for r in rows if r["method"] == "simclr")
    assert float(simclr["imix_mean"]) == pytest.approx(94.6667, abs=1e-4)
    assert simclr["paired_seeds"] == "3" and float(simclr["p_value"]) == pytest.approx(0.0315, abs=1e-3)
    byol = next(r for r in rows if r["method"] == "byol")
    assert byol["p_value"] == "" and byol["imix_n"] == "0"


def test_latex_keeps_bold_and_escapes_names():
    records = [dict(r, dataset="csv:my_table") for r in RECORDS]
    table = comparison_table(records, fmt="latex")
    assert r"\textbf{94.67 $\pm$ 2.08 (3)}" in table
    assert r"tabular/csv:my\_table" in table and table.startswith(r"\begin{tabular}")


def test_refuses_to_compare_runs_that_differ_in_more_than_imix_and_seed():
    records = RECORDS + [_record("simclr", True, 3, 0.99, "mixup", epochs=20)]
    with pytest.raises(UserError, match=r"simclr.*differ.*epochs: 10, 20.*--where epochs=VALUE"):
        comparisons(records)
    # the seed, the i-Mix settings and bookkeeping (results path) may differ
    assert len(comparisons(RECORDS + [_record("simclr", True, 3, 0.99, "mixup", alpha=2.0)])) == 2


def test_where_keeps_one_setting_so_the_table_can_be_made():
    records = RECORDS + [_record("simclr", True, 3, 0.99, "mixup", epochs=20)]
    kept = select(records, ["epochs=10"])
    assert len(kept) == len(RECORDS)
    assert select(records, ["imix=true", "seed=3"]) == [records[-1]]
    with pytest.raises(UserError, match="FIELD=VALUE"):
        select(records, ["epochs"])


def test_each_data_ratio_is_its_own_row_not_a_refusal():
    # the suite's --data-ratios axis: the same comparison at a quarter of the training data
    quarter = [dict(r, config=dict(r["config"], data_ratio=0.25)) for r in RECORDS if r["method"] == "simclr"]
    for r, accuracy in zip(quarter, (0.80, 0.82, 0.81, 0.85, 0.86, 0.84)):
        r["probe"] = {"accuracy": accuracy}
    rows = {c.row_label: c for c in comparisons(RECORDS + quarter) if c.method == "simclr"}
    assert set(rows) == {"tabular/letter", "tabular/letter @ 0.25 data"}
    assert rows["tabular/letter @ 0.25 data"].baseline.mean == pytest.approx(81.0)
    assert rows["tabular/letter @ 0.25 data"].gain == pytest.approx(4.0)
    assert rows["tabular/letter"].gain == pytest.approx(3.6666667)  # untouched by the other ratio
    csv_rows = list(csv.DictReader(io.StringIO(comparison_table(RECORDS + quarter, fmt="csv"))))
    assert sorted(r["data_ratio"] for r in csv_rows if r["method"] == "simclr") == ["0.25", "1.0"]


def test_each_mixer_gets_its_own_row_against_the_shared_baseline():
    records = [_record("simclr", False, 0, 0.60), _record("simclr", True, 0, 0.65, "mixup"),
               _record("simclr", True, 0, 0.70, "cutmix")]
    rows = comparisons(records)
    assert [(c.row_label, c.mix) for c in rows] == [("tabular/letter", "mixup"), ("tabular/letter (cutmix)", "cutmix")]
    assert [round(c.gain, 6) for c in rows] == [5.0, 10.0]


def test_table_command_formats_and_errors(tmp_path, capsys):
    path = tmp_path / "runs.jsonl"
    for r in RECORDS:
        append_record(path, r)
    assert main(["table", "--results", str(path), "--metric", "knn"]) == 0
    assert "45.50 ± 0.50 (3)" in capsys.readouterr().out
    assert main(["table", "--results", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("domain,dataset,data_ratio,method")
    append_record(path, _record("simclr", True, 5, 0.5, "mixup", epochs=3))
    assert main(["table", "--results", str(path)]) == 2
    assert "cannot compare" in capsys.readouterr().err
    assert main(["table", "--results", str(path), "--where", "epochs=99"]) == 2
    assert "no record matches" in capsys.readouterr().err


def test_a_record_older_than_a_setting_compares_with_one_at_its_default():
    old = _record("simclr", True, 3, 0.99, "mixup")  # written before --probe existed
    new = [dict(r, config=dict(r["config"], probe="logistic")) for r in RECORDS]
    assert len(comparisons(new + [old])) == 2
    with pytest.raises(UserError, match="probe"):  # a real difference is still refused
        comparisons(new + [dict(old, config=dict(old["config"], probe="sgd"))])
