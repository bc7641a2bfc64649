"""Figures: their numbers by hand on a small fixture of records, and the command line (the drawing
itself, styles, floors and titles: tests/test_figures.py)."""

from __future__ import annotations

import math

import pytest

from bench.results import plot_data
from bench.cli import main
from bench.core.errors import UserError
from bench.results.records import read_records
from bench.results.append import append_record

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _record(method: str, imix: bool, seed: int, accuracy: float, ratio: float = 1.0, dataset: str = "toy",
            loss: list[float] | None = None, monitor: list[dict] | None = None, mix: str = "mixup",
            data: dict | None = None, **config) -> dict:
    cfg = {"epochs": 3, "batch_size": 64, "method": method, "imix": imix, "seed": seed, "alpha": 1.0, "mix": mix,
           "data_ratio": ratio, "results": "ignored.jsonl", **config}
    return {"domain": "tabular", "dataset": dataset, "method": method, "imix": imix, "mix": mix if imix else None,
            "seed": seed, "config": cfg, "probe": {"kind": "logistic", "accuracy": accuracy},
            "knn": {"accuracy": accuracy - 0.1}, "loss_curve": loss if loss is not None else [1.0, 0.5, 0.25],
            "monitor": monitor or [], **({"data": data} if data else {})}


def _val(epoch: int, knn: float) -> dict:
    """A validation monitor entry, as --eval-every records it."""
    return {"epoch": epoch, "knn": knn, "split": "validation", "n_validation": 10}


def fixture_records() -> list[dict]:
    return [
        # tabular/toy, all the data: simclr both arms over three seeds, moco baseline only
        _record("simclr", False, 0, 0.80, loss=[3, 2, 1], monitor=[_val(1, 0.5), _val(3, 0.7)]),
        _record("simclr", False, 1, 0.82, loss=[5, 4, 3], monitor=[_val(1, 0.7)]),
        _record("simclr", False, 2, 0.84, loss=[4, 3, 2]),
        _record("simclr", True, 0, 0.83, loss=[4, 3]),  # stopped short: curves keep the epochs every seed has
        _record("simclr", True, 1, 0.85, loss=[6, 5, 4]),
        _record("simclr", True, 2, 0.87, loss=[5, 4, 3]),
        _record("moco", False, 0, 0.70, moco_negatives="queue"),  # the (1+K) baseline, as recorded today
        _record("moco", False, 1, 0.74, moco_negatives="queue"),
        # the data-ratio ablation of tabular/toy simclr: only in the data-ratio figure
        _record("simclr", False, 0, 0.60, ratio=0.5),
        _record("simclr", False, 1, 0.64, ratio=0.5),
        _record("simclr", True, 0, 0.70, ratio=0.5),
        _record("simclr", True, 1, 0.70, ratio=0.5),
        # a data set run only at a fraction of its data
        _record("byol", False, 0, 0.50, ratio=0.25, dataset="small"),
        _record("byol", True, 0, 0.55, ratio=0.25, dataset="small"),
    ]


def test_bars_use_each_data_sets_largest_ratio_with_means_stds_and_gains_by_hand():
    small, toy = plot_data.bar_panels(fixture_records())
    assert toy.title == "tabular/toy" and toy.methods == ["simclr", "moco"]
    assert toy.series == ["baseline", "i-Mix"]
    assert toy.mean["baseline"] == pytest.approx([82.0, 72.0])  # the ratio-0.5 runs stay out
    assert toy.std["baseline"] == pytest.approx([2.0, math.sqrt(8)])  # 80, 82, 84 and 70, 74: sample std
    assert toy.n["baseline"] == [3, 2]
    assert toy.values["baseline"] == [pytest.approx([80.0, 82.0, 84.0]), pytest.approx([70.0, 74.0])]  # the dots
    assert toy.mean["i-Mix"][0] == pytest.approx(85.0) and math.isnan(toy.mean["i-Mix"][1])
    assert toy.n["i-Mix"] == [3, 0]
    (gain, p), (no_gain, no_p) = toy.gain["i-Mix"]
    assert gain == pytest.approx(3.0) and math.isnan(p)  # the same +3 for every seed: no test, no star
    assert math.isnan(no_gain) and math.isnan(no_p)
    assert small.title == "tabular/small (data ratio 0.25)"
    assert small.mean == {"baseline": [pytest.approx(50.0)], "i-Mix": [pytest.approx(55.0)]}
    assert math.isnan(small.std["baseline"][0])  # one seed: no error bar rather than ± 0


def test_bars_knn_metric_and_mixing_variants_as_separate_series():
    records = [_record("simclr", False, s, 0.8) for s in range(2)] + \
              [_record("simclr", True, s, 0.9, mix=m) for s in range(2) for m in ("cutmix", "mixup")]
    (panel,) = plot_data.bar_panels(records, "knn")
    assert panel.series == ["baseline", "i-Mix (mixup)", "i-Mix (cutmix)"]
    assert panel.mean["baseline"] == pytest.approx([70.0]) and panel.mean["i-Mix (cutmix)"] == pytest.approx([80.0])


def test_loss_curves_mean_and_std_over_seeds_and_the_knn_monitor_by_hand():
    panels = plot_data.curve_panels(fixture_records())
    assert [(p.dataset, p.method) for p in panels] == [("small", "byol"), ("toy", "simclr"), ("toy", "moco")]
    simclr = panels[1]
    baseline, imix = simclr.curves
    assert baseline.label == "baseline" and baseline.seeds == 3 and baseline.epochs == [1, 2, 3]
    assert baseline.loss_mean == pytest.approx([4.0, 3.0, 2.0]) and baseline.loss_std == pytest.approx([1.0] * 3)
    assert imix.epochs == [1, 2] and imix.loss_mean == pytest.approx([5.0, 4.0])
    assert baseline.knn_epochs == [1, 3]
    assert baseline.knn_mean == pytest.approx([60.0, 70.0])
    assert baseline.knn_std == pytest.approx([math.sqrt(200), 0.0])  # 50 and 70: sample std 14.14
    assert baseline.knn_values == [pytest.approx([50.0, 70.0]), pytest.approx([70.0])]  # the seeds' dots
    assert simclr.has_monitor and not imix.knn_epochs
    assert panels[0].title == "tabular/small (data ratio 0.25) byol"


def test_a_monitor_made_on_the_test_split_is_never_drawn_and_is_counted():
    # records from before the validation monitor carry {"epoch", "knn"} measured on the test split
    old = [_record("simclr", False, s, 0.8, monitor=[{"epoch": 3, "knn": 0.9}]) for s in range(2)]
    new = [_record("simclr", True, s, 0.8, monitor=[_val(3, 0.6)]) for s in range(2)]
    (panel,) = plot_data.curve_panels(old + new)
    baseline, imix = panel.curves
    assert baseline.knn_epochs == [] and imix.knn_mean == pytest.approx([60.0])
    assert plot_data.test_monitored(old + new) == 2


def test_chance_is_known_only_when_every_record_agrees_on_the_classes():
    records = [_record("simclr", False, 0, 0.8, data={"n_classes": 4}), _record("simclr", True, 0, 0.8)]
    assert plot_data.chance_level(records[:1]) == 25.0
    assert plot_data.chance_level(records) is None


def test_a_record_without_epochs_draws_no_curve():
    assert plot_data.curve_panels([_record("simclr", False, 0, 0.8, loss=[])]) == []


def test_a_seed_recorded_twice_keeps_its_last_record():
    records = [_record("simclr", False, 0, 0.5, loss=[9, 9, 9]), _record("simclr", False, 0, 0.8, loss=[1, 1, 1])]
    (panel,) = plot_data.bar_panels(records)
    assert panel.mean["baseline"] == pytest.approx([80.0]) and panel.n["baseline"] == [1]
    (curves,) = plot_data.curve_panels(records)
    assert curves.curves[0].loss_mean == pytest.approx([1.0, 1.0, 1.0])


def test_data_ratio_series_only_for_groups_with_several_ratios():
    (panel,) = plot_data.ratio_panels(fixture_records())  # small/byol and toy/moco have one ratio each
    assert panel.title == "tabular/toy simclr"
    baseline, imix = panel.series
    assert baseline.label == "baseline" and baseline.ratios == [0.5, 1.0]
    assert baseline.mean == pytest.approx([62.0, 82.0]) and baseline.n == [2, 3]
    assert baseline.std == pytest.approx([math.sqrt(8), 2.0])
    assert imix.mean == pytest.approx([70.0, 85.0]) and imix.std == pytest.approx([0.0, 2.0])
    assert baseline.values == [pytest.approx([60.0, 64.0]), pytest.approx([80.0, 82.0, 84.0])]  # the seeds' dots


def test_figures_refuse_unlike_runs_as_the_table_does():
    records = [_record("simclr", False, 0, 0.8), _record("simclr", True, 0, 0.9, batch_size=32)]
    with pytest.raises(UserError, match="batch_size"):
        plot_data.bar_panels(records)


def test_two_alphas_are_two_arms_in_bars_and_curves():
    records = [_record("simclr", False, 0, 0.8), _record("simclr", True, 0, 0.9),
               _record("simclr", True, 0, 0.7, alpha=2.0, loss=[9, 9, 9])]
    (panel,) = plot_data.bar_panels(records)
    assert panel.series == ["baseline", "i-Mix", "i-Mix (alpha 2)"]
    assert panel.mean["i-Mix"] == pytest.approx([90.0]) and panel.mean["i-Mix (alpha 2)"] == pytest.approx([70.0])
    (curves,) = plot_data.curve_panels(records)
    assert [c.label for c in curves.curves] == ["baseline", "i-Mix", "i-Mix (alpha 2)"]


def regime_records() -> list[dict]:
    """simclr and moco on toy at 10 and 50 epochs (all data), and simclr at 50 epochs on half the data."""
    records = []
    for method, epochs, ratio, gains in (("simclr", 10, 1.0, (0, 2, 1)), ("simclr", 50, 1.0, (3, 5, 3)),
                                         ("moco", 10, 1.0, (1, 1, 1)), ("moco", 50, 1.0, (2, 4)),
                                         ("simclr", 50, 0.5, (1, 5, 0))):
        for seed, gain in enumerate(gains):
            records += [_record(method, False, seed, 0.5, ratio=ratio, epochs=epochs),
                        _record(method, True, seed, 0.5 + gain / 100, ratio=ratio, epochs=epochs)]
    return records


def test_gain_against_epochs_one_line_per_method_with_interval_and_test_by_hand():
    (panel,) = plot_data.gain_panels(regime_records(), "epochs")
    assert panel.title == "tabular/toy"
    simclr, moco = panel.lines
    assert simclr.label == "simclr" and simclr.x == [10.0, 50.0] and simclr.n == [3, 3]
    assert simclr.gain == pytest.approx([1.0, 11 / 3])
    # 50 epochs: gains 3, 5, 3 -> p = 1 - 5.5 / sqrt(5.5^2 + 2) = 0.031504, 95% CI 11/3 ± 4.302653 x 2/3
    assert simclr.p[1] == pytest.approx(0.031504, abs=2e-6)
    assert simclr.low[1] == pytest.approx(0.798231, abs=1e-5) and simclr.high[1] == pytest.approx(6.535102, abs=1e-5)
    # 10 epochs: gains 0, 2, 1 -> sd 1, se 1/sqrt(3), t = sqrt(3) -> p = 1 - sqrt(3) / sqrt(5) = 0.225403
    assert simclr.p[0] == pytest.approx(0.225403, abs=2e-6)
    # moco: identical gains at 10 epochs and two seeds at 50: no test, no interval
    assert moco.gain == pytest.approx([1.0, 3.0]) and all(math.isnan(v) for v in moco.p + moco.low + moco.high)
    (holm_panel,) = plot_data.gain_panels(regime_records(), "epochs", holm=True)
    # Holm over the figure's two tested points: 0.0315 x 2 = 0.063, max(0.063, 0.2254) = 0.2254
    assert holm_panel.lines[0].p == pytest.approx([0.225403, 0.063008], abs=2e-6)


def test_gain_against_data_ratio_keeps_the_epoch_count_apart():
    (panel,) = plot_data.gain_panels(regime_records(), "data_ratio")
    (line,) = panel.lines  # simclr at 50 epochs, ratios 0.5 and 1; nothing else was run at two ratios
    assert line.label == "simclr" and line.x == [0.5, 1.0] and line.gain == pytest.approx([2.0, 11 / 3])
    assert line.seed_gains == [pytest.approx([1.0, 5.0, 0.0]), pytest.approx([3.0, 5.0, 3.0])]  # the seeds' dots


def test_single_run_and_single_arm_cases_draw(tmp_path):
    from bench.results.plots import make_figures

    one = [_record("simclr", False, 0, 0.8)]
    lines = make_figures(one, tmp_path)
    assert lines[0].startswith("wrote") and (tmp_path / "bars.png").exists()
    (panel,) = plot_data.bar_panels(one)
    assert panel.series == ["baseline"] and panel.gain == {} and math.isnan(panel.std["baseline"][0])


def _write(path, records):
    for record in records:
        append_record(path, record)
    return path


def test_plot_command_writes_the_figures_and_names_a_skipped_one(tmp_path, capsys):
    results = _write(tmp_path / "runs.jsonl", fixture_records())
    out = tmp_path / "figs"
    assert main(["plot", "--results", str(results), "--out", str(out), "--metric", "knn"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("wrote") == 5 and sorted(p.name for p in out.iterdir()) == [  # PNG and PDF by default
        "bars_knn.pdf", "bars_knn.png", "captions.md", "data_ratio_knn.pdf", "data_ratio_knn.png", "gain_data_knn.pdf",
        "gain_data_knn.png", "loss_curves.pdf", "loss_curves.png"]
    assert main(["plot", "--results", str(results), "--out", str(tmp_path / "one"), "--where", "data_ratio=1"]) == 0
    printed = capsys.readouterr().out
    assert "skipped data_ratio: no data set and method was run at more than one --data-ratio" in printed
    assert not (tmp_path / "one" / "data_ratio.png").exists()
    assert main(["plot", "--results", str(results), "--out", str(tmp_path / "two"), "--format", "svg,pdf",
                 "--holm"]) == 0
    assert sorted(p.name for p in (tmp_path / "two").iterdir())[:2] == ["bars.pdf", "bars.svg"]
    assert main(["plot", "--results", str(results), "--out", str(tmp_path / "three"), "--format", "gif"]) == 2
    assert main(["plot", "--results", str(results), "--out", str(tmp_path / "four"), "--width", "wide"]) == 2
    assert "--width 'wide': give column (3.25 in), page (6.75 in) or a width in inches" in capsys.readouterr().err


def test_plot_command_reads_several_results_files(tmp_path, capsys):
    records = fixture_records()
    first = _write(tmp_path / "a.jsonl", records[:6])
    second = _write(tmp_path / "b.jsonl", records[6:])
    assert main(["plot", "--results", str(first), str(second), "--out", str(tmp_path / "f")]) == 0
    assert "(2 data set(s))" in capsys.readouterr().out  # toy and small


@pytest.mark.parametrize("case, message", [
    ("missing", "no result records at"),
    ("empty", "holds no finished runs yet"),
    ("where", "no record matches --where"),
    ("unlike", "cannot compare"),
    ("metric", "invalid choice"),
])
def test_plot_command_errors_exit_non_zero_without_a_traceback(case, message, tmp_path, capsys):
    results = tmp_path / "runs.jsonl"
    args = ["plot", "--results", str(results), "--out", str(tmp_path / "figs")]
    if case == "empty":
        results.write_text("")
    elif case != "missing":
        _write(results, [_record("simclr", False, 0, 0.8), _record("simclr", True, 0, 0.9, batch_size=32)])
    if case == "where":
        args += ["--where", "epochs=7"]
    if case == "metric":
        args += ["--metric", "f1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and "Traceback" not in err
    assert not (tmp_path / "figs").exists()


def test_records_round_trip_through_the_results_file(tmp_path):
    results = _write(tmp_path / "runs.jsonl", fixture_records())
    assert plot_data.bar_panels(read_records(results))[1].mean["baseline"] == pytest.approx([82.0, 72.0])


def test_knn_figures_are_named_for_the_metric_beside_the_probe_ones(tmp_path):
    from bench.results.figure_captions import read_captions
    from bench.results.plots import FigureOptions, make_figures

    PNG = FigureOptions(formats="png")
    make_figures(regime_records(), tmp_path, options=PNG)
    lines = make_figures(regime_records(), tmp_path, metric="knn", options=PNG)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bars.png", "bars_knn.png", "captions.md", "data_ratio.png", "data_ratio_knn.png", "gain_data.png",
        "gain_data_knn.png", "gain_epochs.png", "gain_epochs_knn.png", "loss_curves.png"]  # loss: one for both
    assert any("bars_knn.png" in line for line in lines)
    # the captions of both metrics' figures stay side by side in one file
    captions = read_captions(tmp_path / "captions.md")
    assert sorted(captions) == ["bars", "bars_knn", "data_ratio", "data_ratio_knn", "gain_data", "gain_data_knn",
                                "gain_epochs", "gain_epochs_knn", "loss_curves"]
    assert captions["bars_knn"].startswith("Baseline vs i-Mix, kNN test accuracy (%).")
    assert captions["bars"].startswith("Baseline vs i-Mix, linear-probe test accuracy (%).")
