"""Records: reading them robustly, --where, grouping them into arms by every setting but the seed, labels.

The numbers are small and worked out by hand in the comments.
"""

from __future__ import annotations

import json

import pytest

from bench import api
from bench.results import plot_data
from bench.results.arms import arm_key, group_arms, pairings
from bench.core.errors import UserError
from bench.results.labels import arm_label, dataset_name, method_column
from bench.core.log import configure
from bench.results.paired import comparisons
from bench.results.records import filter_records, read_records, selected_records
from bench.results.report import run_details
from bench.results.tables import comparison_table


def _record(imix: bool, seed: int, accuracy: float, alpha: float = 1.0, mix: str = "mixup", method: str = "simclr",
            **config) -> dict:
    cfg = {"domain": "tabular", "dataset": "letter", "epochs": 3, "batch_size": 64, "method": method, "imix": imix,
           "seed": seed, "alpha": alpha, "mix": mix, "results": f"/tmp/{seed}.jsonl", **config}
    return {"domain": "tabular", "dataset": "letter", "method": method, "imix": imix, "mix": mix if imix else None,
            "seed": seed, "config": cfg, "probe": {"accuracy": accuracy}, "knn": {"accuracy": accuracy / 2},
            "loss_curve": [2.0, 1.0 + accuracy]}


def alpha_records() -> list[dict]:
    """Seeds 0-2 of a baseline (90, 92, 91), i-Mix at alpha 1 (93, 97, 94) and at alpha 2 (80, 81, 82)."""
    return ([_record(False, s, a) for s, a in enumerate((0.90, 0.92, 0.91))]
            + [_record(True, s, a) for s, a in enumerate((0.93, 0.97, 0.94))]
            + [_record(True, s, a, alpha=2.0) for s, a in enumerate((0.80, 0.81, 0.82))])


# ---------------------------------------------------------------- arms


def test_an_arm_is_every_measured_setting_but_the_seed():
    base = _record(True, 0, 0.9)
    assert arm_key(base) == arm_key(_record(True, 1, 0.5))  # another seed: the same arm
    assert arm_key(base) == arm_key(_record(True, 0, 0.9, results="/elsewhere.jsonl", device="cuda"))  # bookkeeping
    assert arm_key(base) == arm_key(_record(True, 0, 0.9, eval_every=5))  # only adds monitor points
    assert arm_key(base) != arm_key(_record(True, 0, 0.9, alpha=2.0))
    assert arm_key(base) != arm_key(_record(True, 0, 0.9, mix="cutmix"))
    assert arm_key(base) != arm_key(_record(True, 0, 0.9, batch_size=128))
    assert arm_key(base) != arm_key(_record(True, 0, 0.9, temperature=0.5))
    assert arm_key(base) != arm_key(_record(False, 0, 0.9))


def test_settings_a_record_could_not_have_used_do_not_split_an_arm():
    # without --imix, mix and alpha do nothing
    assert arm_key(_record(False, 0, 0.9)) == arm_key(_record(False, 0, 0.9, alpha=2.0, mix="cutmix"))
    # a setting added after the record was written counts at its default (probe: logistic)
    assert arm_key(_record(True, 0, 0.9)) == arm_key(_record(True, 0, 0.9, probe="logistic"))
    assert arm_key(_record(True, 0, 0.9)) != arm_key(_record(True, 0, 0.9, probe="sgd"))
    # a MoCo record from before --moco-negatives ran (N+K): the same arm as one that says so
    old, new = _record(False, 0, 0.9, method="moco"), _record(False, 0, 0.9, method="moco", moco_negatives="batch+queue")
    assert arm_key(old) == arm_key(new) and method_column(old) == method_column(new) == "moco (N+K)"
    assert arm_key(new) != arm_key(_record(False, 0, 0.9, method="moco", moco_negatives="queue"))


def test_alpha_1_and_alpha_2_at_the_same_seeds_are_two_arms_and_two_rows():
    records = alpha_records()
    arms = group_arms(records)
    assert [len(a) for a in arms.values()] == [3, 3, 3]
    assert [arm_label(a[0]) for a in arms.values()] == ["baseline", "i-Mix", "i-Mix (alpha 2)"]
    rows = {c.row_label: c for c in comparisons(records)}
    assert set(rows) == {"tabular/letter", "tabular/letter (alpha 2)"}
    # alpha 1: 93, 97, 94 -> 94.67, gain +3.67; alpha 2: 80, 81, 82 -> 81, gain -10; both against 90, 92, 91
    assert rows["tabular/letter"].imix.mean == pytest.approx(94.6666667)
    assert rows["tabular/letter (alpha 2)"].imix.by_seed == pytest.approx({0: 80.0, 1: 81.0, 2: 82.0})
    assert rows["tabular/letter (alpha 2)"].gain == pytest.approx(-10.0)
    assert rows["tabular/letter"].baseline.mean == rows["tabular/letter (alpha 2)"].baseline.mean == pytest.approx(91.0)
    table = comparison_table(records)
    assert "| tabular/letter (alpha 2) |" in table and "81.00 ± 1.00 (3)" in table and "94.67 ± 2.08 (3)" in table


def test_alpha_arms_stay_apart_in_every_figure_the_report_and_the_api():
    records = alpha_records()
    (bars,) = plot_data.bar_panels(records)
    assert bars.series == ["baseline", "i-Mix", "i-Mix (alpha 2)"]
    assert bars.mean["i-Mix"] == pytest.approx([94.6666667]) and bars.mean["i-Mix (alpha 2)"] == pytest.approx([81.0])
    (curves,) = plot_data.curve_panels(records)
    # last epoch's loss is 1 + accuracy: alpha 2 averages 1 + 0.81
    by_label = {c.label: c for c in curves.curves}
    assert set(by_label) == {"baseline", "i-Mix", "i-Mix (alpha 2)"}
    assert by_label["i-Mix (alpha 2)"].loss_mean[-1] == pytest.approx(1.81)
    assert "i-Mix (mixup, alpha 2)" in run_details(records[-1]) and "i-Mix (mixup) ·" in run_details(records[3])
    frame = api.table(records)
    assert list(frame["row"]) == ["tabular/letter", "tabular/letter (alpha 2)"]
    assert list(frame["imix_mean"]) == pytest.approx([94.6666667, 81.0])


def test_a_record_without_its_mix_field_keeps_the_mix_its_config_ran():
    # written by another tool: no top-level "mix"; its config says cutmix, so it is not a MixUp run
    cutmix = _record(True, 0, 0.5, mix="cutmix")
    del cutmix["mix"]
    records = alpha_records()[:6] + [cutmix]
    rows = {c.row_label: c for c in comparisons(records)}
    assert set(rows) == {"tabular/letter", "tabular/letter (cutmix)"}
    assert rows["tabular/letter"].imix.n == 3 and rows["tabular/letter (cutmix)"].imix.by_seed == {0: 50.0}


def test_any_other_differing_setting_is_refused_naming_it_never_pooled():
    # seed 0 again at another temperature (the others ran at the default, 0.2)
    records = alpha_records()[:6] + [_record(True, 0, 0.5, temperature=0.5)]
    with pytest.raises(UserError, match=r"tabular/letter simclr.*temperature: 0\.2, 0\.5.*--where temperature=VALUE"):
        pairings(records)
    with pytest.raises(UserError, match="temperature"):
        plot_data.curve_panels(records)


def test_rows_are_named_by_the_data_and_its_training_size():
    folder = {"dataset": "imagefolder", "config": {"data": "/data/cifar10/"}, "data": {"n_train": 5000}}
    assert dataset_name(folder) == "cifar10 (5k)"
    assert dataset_name({"dataset": "csv:adult", "data": {"n_train": 26048}}) == "adult (26k)"
    assert dataset_name({"dataset": "digits", "data": {"n_train": 1347}}) == "digits"


# ---------------------------------------------------------------- --where


def test_where_matches_numbers_booleans_and_row_names():
    records = alpha_records()
    assert len(filter_records(records, ["alpha=2"])) == 3  # 2 matches 2.0: the alpha-2 arm's three seeds
    assert [r["seed"] for r in filter_records(records, ["imix=true", "alpha=2.0"])] == [0, 1, 2]
    assert len(filter_records(records, ["dataset=letter", "seed=1"])) == 3


def test_where_errors_name_the_unknown_field_and_the_valid_ones():
    with pytest.raises(UserError, match=r"--where epoch=3: no record has a field 'epoch'; valid fields: .*epochs"):
        filter_records(alpha_records(), ["epoch=3"])
    with pytest.raises(UserError, match=r"--where 'seed': expected FIELD=VALUE"):
        filter_records(alpha_records(), ["seed"])


# ---------------------------------------------------------------- reading


def test_lines_that_are_not_records_are_skipped_with_one_note(tmp_path, capsys):
    path = tmp_path / "runs.jsonl"
    good = _record(False, 0, 0.9)
    lines = [json.dumps(good).encode(), b"", b"\xff\xfe not utf-8", b"[1, 2]", json.dumps({"domain": "x"}).encode(),
             json.dumps({**good, "probe": {"accuracy": "high"}}).encode(), json.dumps({**good, "seed": 1}).encode(),
             b'{"domain": "tabular", "trunc']
    path.write_bytes(b"\n".join(lines))
    configure()
    assert [r["seed"] for r in read_records(path)] == [0, 1]
    # not UTF-8, a list, missing fields, a non-number accuracy, the torn last line: 5 (the blank line is not counted)
    assert f"skipped 5 unreadable line(s) in {path}" in capsys.readouterr().err


def test_missing_files_folders_and_empty_selections_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no result records at"):
        read_records(tmp_path / "none.jsonl")
    assert read_records(tmp_path / "none.jsonl", missing_ok=True) == []
    with pytest.raises(UserError, match="is a folder"):
        read_records(tmp_path)
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in alpha_records()) + "\n")
    assert len(selected_records([str(path)], ["alpha=2"])) == 3
    with pytest.raises(UserError, match=r"no record matches --where seed=7 \(9 records read\)"):
        selected_records([str(path)], ["seed=7"])
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(UserError, match="holds no finished runs yet"):
        selected_records([str(tmp_path / "empty.jsonl")], [])
