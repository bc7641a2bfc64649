"""The strategy heat map (`bench plot`'s strategy_gains): the table's cells, the table's numbers, drawn only
when there is more than one arm to compare."""

from __future__ import annotations

import math

import pytest

from bench.results.figure_style import get_style
from bench.results.plot_strategies import cell_text, plot_strategies, strategy_grid
from bench.results.plots import make_figures
from tests.test_strategy_table import RECORDS, _record


def test_the_grid_holds_each_arms_gain_by_hand_in_the_tables_column_order():
    grid = strategy_grid(RECORDS, "probe", holm=False)
    assert grid.rows == ["tabular/letter · simclr"]
    assert grid.arms == ["i-Mix", "i-Mix (mixup, layer 2)", "InputMix", "e-Mix", "DACL, alpha 0.9",
                         "Gaussian, sigma 0.1"]
    # seed by seed (points): i-Mix 3, 5, 3; layer 2: 1, 1, 1; InputMix 4, 0, 0; e-Mix -2, -2, -1; DACL 2, 1, 0; Gaussian 0
    expected = [11 / 3, 1.0, 4 / 3, -5 / 3, 1.0, 0.0]
    assert grid.gain[0] == pytest.approx(expected, abs=1e-9)
    assert grid.n == [[3] * 6] and grid.uniform_n == 3
    p = grid.p[0]
    assert math.isnan(p[1]) and math.isnan(p[5])  # identical gains: no t statistic
    assert p[0] < 0.05 and p[4] > 0.05


def test_holm_raises_the_p_values_the_marks_use():
    raw, adjusted = strategy_grid(RECORDS, "probe", False), strategy_grid(RECORDS, "probe", True)
    tested = [j for j, p in enumerate(raw.p[0]) if not math.isnan(p)]
    assert all(adjusted.p[0][j] >= raw.p[0][j] for j in tested)
    assert any(adjusted.p[0][j] > raw.p[0][j] for j in tested)


def test_a_cell_an_arm_was_not_run_for_is_blank():
    other = [dict(r, dataset="adult") for r in RECORDS if not r["config"].get("strategy") and not r["config"].get("inputmix")
             and r["config"].get("mix_layer") is None]
    grid = strategy_grid(RECORDS + other, "probe", holm=False)
    adult = grid.rows.index("tabular/adult · simclr")
    assert grid.gain[adult][0] == pytest.approx(11 / 3)  # its i-Mix arm
    assert all(math.isnan(g) for g in grid.gain[adult][1:]) and grid.n[adult][1:] == [0] * 5


def test_only_plain_imix_gives_no_figure_and_says_why(tmp_path):
    plain = [_record(s, acc, imix=imix) for imix, accs in ((False, (0.9, 0.91, 0.92)), (True, (0.93, 0.92, 0.95)))
             for s, acc in enumerate(accs)]
    assert strategy_grid(plain, "probe", holm=False) is None
    lines = make_figures(plain, tmp_path)
    assert any(line.startswith("skipped strategy_gains: the records hold no arm beside plain i-Mix") for line in lines)
    assert not (tmp_path / "strategy_gains.png").exists()


def test_the_figure_and_its_caption_are_written_where_the_other_figures_cannot_pair_inputmix(tmp_path):
    lines = make_figures(RECORDS, tmp_path)
    assert any(line.startswith("skipped bars: cannot compare tabular/letter simclr") for line in lines)
    assert f"wrote {tmp_path / 'strategy_gains'}.png/pdf (1 row(s) x 6 arm(s))" in lines
    assert (tmp_path / "strategy_gains.png").stat().st_size > 1000
    caption = (tmp_path / "captions.md").read_text()
    assert "Each strategy's gain over the same baseline, linear-probe" in caption
    assert "(3 paired seeds per cell)" in caption


def test_a_cell_reads_its_gain_its_mark_and_its_seeds_where_they_differ(tmp_path):
    grid = strategy_grid(RECORDS, "probe", holm=False)
    assert [cell_text(grid, 0, j) for j in range(3)] == ["+3.7*", "+1.0", "+1.3"]
    fewer = [r for r in RECORDS if not (r["config"].get("strategy") == "emix" and r["seed"] == 2)]
    grid = strategy_grid(fewer, "probe", holm=False)
    assert cell_text(grid, 0, 3) == "-2.0\nn=2" and cell_text(grid, 0, 0) == "+3.7*\nn=3"
    assert plot_strategies(grid, tmp_path / "g.png", get_style("paper"), None, ["png"], None).stat().st_size > 1000
