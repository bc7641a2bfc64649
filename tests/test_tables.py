"""Tables: numbers by hand, the paired test, formats, and refusal to compare unlike runs."""

from __future__ import annotations

import csv
import io
import math

import pytest
from scipy import stats

from bench.cli import main
from bench.core.errors import UserError
from bench.results.append import append_record
from bench.results.labels import dataset_name
from bench.results.paired import apply_holm, chance_note, comparisons, format_cell, holm
from bench.results.records import select
from bench.results.tables import comparison_table, read_names, table_text


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
    assert "+3.67 [+0.80, +6.54] (p=0.032)" in row  # worked out in test_p_and_interval_by_hand_for_three_seeds
    assert "80.00 (1)" in row and "± 0.00" not in row  # one seed: no spread to show


def test_csv_is_long_and_numeric():
    rows = list(csv.DictReader(io.StringIO(comparison_table(RECORDS, fmt="csv"))))
    simclr = next(r for r in rows if r["method"] == "simclr")
    assert float(simclr["imix_mean"]) == pytest.approx(94.6667, abs=1e-4)
    assert simclr["paired_seeds"] == "3" and float(simclr["p_value"]) == pytest.approx(0.0315, abs=1e-3)
    byol = next(r for r in rows if r["method"] == "byol")
    assert byol["p_value"] == "" and byol["imix_n"] == "0"


def test_latex_is_booktabs_with_means_aligned_on_the_point_and_escaped_names():
    records = [dict(r, dataset="csv:my_table") for r in RECORDS]
    table = comparison_table(records, fmt="latex")
    lines = table.splitlines()
    assert lines[1] == r"\begin{tabular}{lr@{}lr@{}lrcrr@{}lr@{}lrcr}"  # mean | ± std pairs: r@{}l
    assert [r"\toprule", r"\midrule", r"\bottomrule"] == [x for x in lines if x in (r"\toprule", r"\midrule", r"\bottomrule")]
    row = next(x for x in lines if x.startswith("tabular/"))
    cells = row.removesuffix(r" \\").split(" & ")
    assert cells[0] == r"tabular/my\_table"  # named by the file, escaped
    assert cells[1:8] == ["91.00", r"${}\pm{}$1.00\,(3)", r"\textbf{94.67}", r"\textbf{${}\pm{}$2.08\,(3)}",
                          "$+3.67$", "$[+0.80, +6.54]$", "0.032"]
    assert cells[8:10] == ["80.00", r"\,(1)"] and cells[12:] == ["--", "", ""]


def test_refuses_to_compare_runs_that_differ_in_more_than_imix_and_seed():
    records = RECORDS + [_record("simclr", True, 3, 0.99, "mixup", batch_size=256)]
    with pytest.raises(UserError, match=r"simclr.*differ.*batch_size: 256, 512.*--where batch_size=VALUE"):
        comparisons(records)
    # the seed and bookkeeping (results path) may differ
    assert len(comparisons(RECORDS + [_record("simclr", True, 3, 0.99, "mixup", results="/elsewhere.jsonl")])) == 2


def test_two_alphas_are_two_arms_never_one():
    # alpha 2 on a new seed used to join the alpha-1 arm and change its mean
    rows = {c.row_label: c for c in comparisons(RECORDS + [_record("simclr", True, 3, 0.99, "mixup", alpha=2.0)])
            if c.method == "simclr"}
    assert set(rows) == {"tabular/letter", "tabular/letter (alpha 2)"}
    assert rows["tabular/letter"].imix.n == 3 and rows["tabular/letter"].imix.mean == pytest.approx(94.6666667)
    assert rows["tabular/letter (alpha 2)"].imix.by_seed == {3: pytest.approx(99.0)}
    assert rows["tabular/letter (alpha 2)"].baseline.n == 3  # against the shared baseline


def test_p_and_interval_by_hand_for_three_seeds():
    simclr = next(c for c in comparisons(RECORDS) if c.method == "simclr")
    # gains 3, 5, 3: mean 11/3, sd = sqrt(((-2/3)^2 * 2 + (4/3)^2) / 2) = 2/sqrt(3), se = sd/sqrt(3) = 2/3
    # t = (11/3) / (2/3) = 5.5 with 2 dof; for 2 dof the two-sided p is 1 - t / sqrt(t^2 + 2):
    # 1 - 5.5 / sqrt(32.25) = 1 - 5.5 / 5.678908 = 0.031504
    assert simclr.differences == pytest.approx([3.0, 5.0, 3.0])
    assert simclr.p_value == pytest.approx(0.031504, abs=2e-6)
    # the 97.5% point of t with 2 dof solves t / sqrt(t^2 + 2) = 0.95: t^2 = 2 x 0.9025 / 0.0975, t = 4.302653
    low, high = simclr.ci
    assert low == pytest.approx(11 / 3 - 4.302653 * 2 / 3, abs=1e-5)  # 0.798231
    assert high == pytest.approx(11 / 3 + 4.302653 * 2 / 3, abs=1e-5)  # 6.535102
    assert simclr.test_note == ""


def test_no_p_from_two_seeds_or_from_identical_gains():
    two = [_record("simclr", i, s, a) for s, a in ((0, 0.90), (1, 0.92)) for i in (False,)] + \
          [_record("simclr", True, s, a, "mixup") for s, a in ((0, 0.93), (1, 0.97))]
    (c,) = comparisons(two)
    assert c.test_note == "n<3" and math.isnan(c.p_value) and all(math.isnan(v) for v in c.ci)
    assert "+4.00 (n<3)" in comparison_table(two) and "p=" not in comparison_table(two)
    same = [_record("simclr", False, s, 0.80 + s / 100) for s in range(3)] + \
           [_record("simclr", True, s, 0.82 + s / 100, "mixup") for s in range(3)]
    (c,) = comparisons(same)
    # every seed +2: a zero-variance difference, where scipy's t-test would say p = 0
    assert c.test_note == "identical gains" and math.isnan(c.p_value)
    assert "+2.00 (identical gains)" in comparison_table(same) and "p<0.001" not in comparison_table(same)


def test_holm_by_hand_on_three_p_values():
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01 = 0.03, max(0.03, 2 x 0.03) = 0.06, max(0.06, 1 x 0.04) = 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, math.nan, 0.6]) == pytest.approx([1.0, math.nan, 1.0], nan_ok=True)  # capped at 1
    assert holm([]) == []


def _many_cells() -> list[dict]:
    """Three data sets, one comparison each: gains per seed 3, 5, 3 (p = 0.0315, by hand above), 1, 5, 0 and 1, 1, 1.

    For 1, 5, 0: mean 2, sd sqrt(7), t = 2 / (sqrt(7) / sqrt(3)) = 1.30931, p = 1 - t / sqrt(t^2 + 2) = 0.32063;
    1, 1, 1 has no spread, so no test.
    """
    records = []
    for dataset, gains in (("a", (3, 5, 3)), ("b", (1, 5, 0)), ("c", (1, 1, 1))):
        for seed, gain in enumerate(gains):
            records += [dict(_record("simclr", False, seed, 0.5), dataset=dataset),
                        dict(_record("simclr", True, seed, 0.5 + gain / 100, "mixup"), dataset=dataset)]
    return records


def test_the_count_of_tested_cells_and_what_chance_would_pass():
    items = comparisons(_many_cells())
    assert [round(c.p_value, 4) if not math.isnan(c.p_value) else c.test_note for c in items] == \
        [0.0315, 0.3206, "identical gains"]
    note = chance_note(items)
    assert "2 cell(s) tested: 1 with p < 0.05" in note and "about 0.1 (0.05 x 2)" in note
    apply_holm(items)
    # Holm over the two tested cells: 2 x 0.0315 = 0.063 (no longer below 0.05), max(0.063, 1 x 0.3206) = 0.3206
    assert items[0].p_adjusted == pytest.approx(2 * items[0].p_value) and items[1].p_adjusted == items[1].p_value
    assert items[2].p_adjusted is not None and math.isnan(items[2].p_adjusted)
    assert "After Holm's correction over the 2: 0 with p_holm < 0.05" in chance_note(items)


def test_table_command_holm_and_the_chance_line(tmp_path, capsys):
    path = tmp_path / "runs.jsonl"
    for r in _many_cells():
        append_record(path, r)
    assert main(["table", "--results", str(path)]) == 0
    out = capsys.readouterr().out
    assert "(p=0.032)" in out and "about 0.1 (0.05 x 2) would pass by chance" in out and "--holm" in out
    assert main(["table", "--results", str(path), "--holm"]) == 0
    out = capsys.readouterr().out
    assert "gain [95% CI] (p_holm)" in out and "(p_holm=0.063)" in out and "(p_holm=0.321)" in out
    assert main(["table", "--results", str(path), "--holm", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["p_note"] for r in rows] == ["", "", "identical gains"] and rows[0]["p_holm"] == "0.0630"


def test_each_epoch_count_is_its_own_row_labelled_only_when_a_data_set_has_several():
    longer = [dict(r, config=dict(r["config"], epochs=50)) for r in RECORDS if r["method"] == "simclr"]
    rows = {c.row_label: c for c in comparisons(RECORDS + longer) if c.method == "simclr"}
    assert set(rows) == {"tabular/letter @ 10 epochs", "tabular/letter @ 50 epochs"}
    assert rows["tabular/letter @ 50 epochs"].epochs == 50
    assert {c.row_label for c in comparisons(RECORDS)} == {"tabular/letter"}


def test_rows_are_named_by_the_data_and_its_size():
    def record(dataset: str, data: str | None, n_train: int | None) -> dict:
        return {"dataset": dataset, "config": {"data": data}, "data": {"n_train": n_train} if n_train else {}}

    assert dataset_name(record("imagefolder", "../shared/data/cifar10", 5000)) == "cifar10 (5k)"
    assert dataset_name(record("imagefolder", "/data/cifar10/", 10000)) == "cifar10 (10k)"
    assert dataset_name(record("csv:letter-recognition", "x/letter-recognition.csv", 16000)) == "letter-recognition (16k)"
    assert dataset_name(record("arrays", "/tmp/ecg.npz", 2700)) == "ecg (2.7k)"
    assert dataset_name(record("csv", "waves.csv", 600)) == "waves (600)"
    assert dataset_name(record("csv:adult", "adult.data", 26048)) == "adult (26k)"
    assert dataset_name(record("digits", None, 1347)) == "digits"  # a named data set keeps its name
    assert dataset_name(record("hf", "uoft-cs/cifar10", None)) == "cifar10"
    folder = dict(RECORDS[0], dataset="imagefolder", config=dict(RECORDS[0]["config"], data="/d/cifar10"),
                  data={"n_train": 5000})
    assert select([folder, RECORDS[1]], ["dataset=cifar10 (5k)"]) == [folder]  # --where takes the row name
    assert select([folder, RECORDS[1]], ["dataset=imagefolder"]) == [folder]


def test_display_names_rename_rows_and_methods(tmp_path, capsys):
    names = tmp_path / "names.toml"
    names.write_text('"tabular/letter" = "Letter (UCI)"\nsimclr = "SimCLR"\n')
    assert read_names(names) == {"tabular/letter": "Letter (UCI)", "simclr": "SimCLR"}
    header, _, row = comparison_table(RECORDS, names=read_names(names)).splitlines()
    assert "SimCLR + i-Mix" in header and row.startswith("| Letter (UCI)")
    results = tmp_path / "runs.jsonl"
    for r in RECORDS:
        append_record(results, r)
    assert main(["table", "--results", str(results), "--names", str(names), "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"\multicolumn{7}{c}{SimCLR}" in out and "Letter (UCI) &" in out
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert main(["table", "--results", str(results), "--names", str(tmp_path / "bad.json")]) == 2
    assert "flat mapping" in capsys.readouterr().err


def test_format_cell_shows_one_seed_without_a_spread():
    assert format_cell([90.0, 92.0, 91.0]) == "91.00 ± 1.00 (3)"
    assert format_cell([80.0]) == "80.00 (1)"
    assert format_cell([]) == "-"


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
    append_record(path, _record("simclr", True, 5, 0.5, "mixup", batch_size=3))
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


def test_the_knn_k_actually_used_is_in_the_legend_and_the_csv():
    assert "kNN (k=200)" in table_text(RECORDS, "knn")
    small = [dict(r, knn=dict(r["knn"], k=150)) for r in RECORDS]
    text = table_text(small, "knn")
    assert "kNN (k=200, or every training sample where there are fewer: tabular/letter: k=150)" in text
    assert next(csv.DictReader(io.StringIO(comparison_table(small, "knn", "csv"))))["knn_k"] == "150"
    older = [dict(r, knn={"accuracy": 0.4}, data={"n_train": 120}) for r in RECORDS]  # before records stored k
    assert {c.knn_k for c in comparisons(older)} == {(120,)}


def test_different_data_under_one_name_are_two_rows_told_apart_by_their_fingerprints():
    def of(data: str | None, records=RECORDS) -> list[dict]:
        return [dict(r, dataset="hf:pendigits", config=dict(r["config"], data=f"/{data}/pendigits.csv"),
                     data={"data_fingerprint": data} if data else {}) for r in records if r["method"] == "simclr"]

    first, second = "3f2a1c0b9e8d7c6a", "a1b2c3d4e5f60718"
    rows = {c.row_label for c in comparisons(of(first) + of(second))}
    assert rows == {"tabular/hf:pendigits [data 3f2a1c0b]", "tabular/hf:pendigits [data a1b2c3d4]"}
    assert {c.row_label for c in comparisons(of(first) + of(first))} == {"tabular/hf:pendigits"}
    older = [dict(r, config=dict(r["config"], data=f"/{first}/pendigits.csv")) for r in of(None)]
    assert {c.row_label for c in comparisons(of(first) + older)} == {"tabular/hf:pendigits"}  # joins the one data
    assert "tabular/hf:pendigits [data unrecorded]" in {c.row_label for c in comparisons(of(first) + of(second) + of(None))}
