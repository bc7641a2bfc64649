"""Drawing the figures: files and sizes, the paper style, axes from a meaningful floor, one y-axis
per panel, seeds as points, no title unless asked (the numbers behind them: tests/test_plots.py)."""

from __future__ import annotations

import matplotlib
import pytest

from bench.results import plot_bars, plot_curves, plot_data, plot_gains, plot_ratios
from bench.results.figure_captions import headline, read_captions
from bench.results.figure_files import DPI
from bench.results.figure_style import COLUMN_INCHES, IMIX_COLOURS, PAGE_INCHES
from bench.results.plots import FigureOptions, make_figures
from test_plots import PNG_SIGNATURE, _record, _val, fixture_records, regime_records


@pytest.fixture
def drawn(monkeypatch):
    """The figures make_figures draws, by file stem, instead of written files."""
    figures = {}

    def keep(fig, path, formats=("png",)):
        fig.canvas.draw()  # lay out as saving would
        figures[path.stem] = fig
        return path

    for module in (plot_bars, plot_curves, plot_gains, plot_ratios):
        monkeypatch.setattr(module, "save", keep)
    return figures


def _size(path) -> tuple[int, int]:
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, *_ = imread(path).shape
    return width, height


def _visible(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def _points(ax) -> list:
    """The offsets of each scatter (seed points) drawn in the panel."""
    from matplotlib.collections import PathCollection

    return [c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)]


def monitored_records() -> list[dict]:
    """simclr on a 4-class toy, both arms over two seeds, with a validation monitor at epochs 1 and 3."""
    return [_record("simclr", imix, s, 0.8 + 0.05 * imix, monitor=[_val(1, 0.5 + 0.1 * s), _val(3, 0.7)],
                    data={"n_classes": 4}) for imix in (False, True) for s in (0, 1)]


def test_every_figure_is_a_png_at_print_resolution_and_a_pdf_by_default(tmp_path):
    lines = make_figures(fixture_records(), tmp_path / "figures")
    assert [line.split()[0] for line in lines] == ["wrote", "wrote", "wrote", "skipped", "wrote", "skipped", "wrote"]
    out = tmp_path / "figures"
    for name in ("bars", "loss_curves", "data_ratio", "gain_data"):
        assert (out / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
    # screen style: bars two panels of 4.3 in side by side, 3.2 in high plus the legend's 0.45 in
    assert _size(out / "bars.png") == (pytest.approx(8.6 * DPI, abs=2), pytest.approx(3.65 * DPI, abs=2))
    # loss curves: methods in columns (3); rows of 2.5 in: small's loss, toy's loss and toy's monitor below it
    assert _size(out / "loss_curves.png") == (pytest.approx(13.2 * DPI, abs=2), pytest.approx(7.95 * DPI, abs=2))
    assert DPI >= 300
    assert sorted(read_captions(out / "captions.md")) == ["bars", "data_ratio", "gain_data", "loss_curves"]


@pytest.mark.parametrize("width, one_panel, two_panels", [(None, COLUMN_INCHES, PAGE_INCHES),
                                                        ("column", COLUMN_INCHES, COLUMN_INCHES), ("4.5", 4.5, 4.5)])
def test_paper_style_is_sized_for_a_column_or_the_page(width, one_panel, two_panels, tmp_path):
    # gain_epochs: one panel (one data set); bars: two (10 and 50 epochs); loss curves: two method columns
    make_figures(regime_records(), tmp_path, options=FigureOptions(style="paper", width=width, formats="png"))
    widths = {name: _size(tmp_path / f"{name}.png")[0] / DPI for name in ("bars", "gain_epochs", "loss_curves")}
    assert widths == {"bars": pytest.approx(two_panels, abs=0.01), "gain_epochs": pytest.approx(one_panel, abs=0.01),
                      "loss_curves": pytest.approx(two_panels, abs=0.01)}


def test_paper_style_embeds_editable_times_like_fonts_and_leaves_matplotlib_as_it_was(tmp_path, drawn):
    before = dict(matplotlib.rcParams)
    make_figures(regime_records(), tmp_path, options=FigureOptions(style="paper"))
    title = drawn["bars"].axes[0].title
    assert title.get_fontname() == "STIXGeneral" and title.get_fontsize() == 8
    assert dict(matplotlib.rcParams) == before


def test_paper_pdf_embeds_truetype_and_svg_keeps_text(tmp_path):
    make_figures(fixture_records()[:6], tmp_path, options=FigureOptions(style="paper", formats="pdf,svg"))
    assert b"/FontFile2" in (tmp_path / "bars.pdf").read_bytes()  # TrueType embedded (pdf.fonttype 42): editable
    assert b"<text" in (tmp_path / "bars.svg").read_bytes()  # text kept as text, not paths


def test_bars_start_at_zero_and_draw_every_seed_as_a_point(tmp_path, drawn):
    make_figures(fixture_records(), tmp_path)
    small, toy = _visible(drawn["bars"])
    for ax in (small, toy):
        assert ax.get_ylim()[0] == 0 and max(ax.get_yticks()) <= 100
    # toy: simclr baseline 3 seeds and i-Mix 3, moco baseline 2: eight points over the bars
    points = _points(toy)
    assert sum(len(p) for p in points) == 8
    assert {tuple(round(v, 6) for v in p[:, 1]) for p in points} >= {(80.0, 82.0, 84.0)}
    texts = [t.get_text() for t in toy.texts]
    assert texts.count("+3.0") == 1  # the gain above simclr's pair (identical gains: no test, no star)
    assert sorted(t for t in texts if t.startswith("n=")) == ["n=2", "n=3", "n=3"]  # n differs: under each bar


def test_curves_draw_loss_and_the_validation_monitor_in_separate_panels(tmp_path, drawn):
    lines = make_figures(monitored_records(), tmp_path)
    fig = drawn["loss_curves"]
    loss, monitor = _visible(fig)  # one panel each, one y-axis each: no twin axes
    assert len(fig.axes) == 2 and loss.get_ylabel() == "pretraining loss" and monitor.get_ylabel() == "validation kNN (%)"
    assert loss.get_ylim()[0] == 0  # loss from zero
    assert monitor.get_ylim()[0] == 25.0  # accuracy lines from chance: 4 classes
    assert monitor.get_xlim() == loss.get_xlim()
    # each seed's monitor value is a point: baseline 50, 60 at epoch 1 and 70, 70 at epoch 3, i-Mix the same
    assert sorted(round(v, 6) for p in _points(monitor) for v in p[:, 1]) == [50, 50, 60, 60] + [70] * 4
    assert "test-split monitor" not in lines[1]
    assert "validation kNN accuracy" in read_captions(tmp_path / "captions.md")["loss_curves"]


def test_gain_axes_hold_zero_with_one_colour_per_method_and_a_dash_per_data_ratio(tmp_path, drawn):
    records = regime_records() + [  # simclr on half the data at 10 epochs too: a second simclr line
        r for seed, gain in enumerate((1, 1, 2)) for r in (_record("simclr", False, seed, 0.5, ratio=0.5, epochs=10),
                                                         _record("simclr", True, seed, 0.5 + gain / 100, ratio=0.5,
                                                                 epochs=10))]
    (panel,) = plot_data.gain_panels(records, "epochs")
    assert [(line.label, line.series, line.other) for line in panel.lines] == [
        ("simclr @ 0.5 data", "simclr", 0.5), ("simclr @ 1 data", "simclr", 1.0),
        ("moco (N+K) @ 1 data", "moco (N+K)", 1.0)]
    make_figures(records, tmp_path)
    (ax,) = _visible(drawn["gain_epochs"])
    styles = {line.get_label(): (line.get_color(), line.get_linestyle())
              for line in ax.get_lines() if not line.get_label().startswith("_")}
    blue, orange = IMIX_COLOURS[:2]
    assert styles == {"simclr @ 0.5 data": (blue, "--"), "simclr @ 1 data": (blue, "-"),
                      "moco (N+K) @ 1 data": (orange, "-")}
    low, high = ax.get_ylim()
    assert low < 0 < high
    legend = [t.get_text() for t in drawn["gain_epochs"].legends[0].get_texts()]
    assert legend == ["simclr", "moco (N+K)", "1 of the data", "0.5 of the data", "p < 0.05 (hollow: not)"]


def test_no_title_unless_asked_and_then_the_captions_first_sentence(tmp_path, drawn):
    make_figures(regime_records(), tmp_path, options=FigureOptions(holm=True))
    assert all(fig._suptitle is None for fig in drawn.values())
    captions = read_captions(tmp_path / "captions.md")
    assert "Holm-adjusted" in captions["bars"] and "12 cells tested" not in captions["bars"]
    make_figures(regime_records(), tmp_path, options=FigureOptions(title=True, style="paper", width="column"))
    for name, fig in drawn.items():
        title = fig._suptitle
        assert title.get_text() == headline(read_captions(tmp_path / "captions.md")[name])
        box = title.get_window_extent()
        assert 0 <= box.x0 and box.x1 <= fig.bbox.x1, title.get_text()  # wrapped inside the figure


def test_panel_titles_are_wrapped_to_their_panels(tmp_path, drawn):
    # "tabular/letter-recognition (16k) @ 150 epochs simclr" ran across its neighbours at 8 pt
    records = [r for r in regime_records()]
    for r in records:
        r["dataset"] = "letter-recognition-with-a-long-name"
    make_figures(records, tmp_path, options=FigureOptions(style="paper"))
    for fig in drawn.values():
        for ax in _visible(fig):
            columns = ax.get_subplotspec().get_gridspec().ncols
            assert ax.title.get_window_extent().width <= 1.02 * fig.bbox.width / columns, ax.get_title()


def test_a_figure_with_a_missing_arm_draws_no_empty_bar(tmp_path, drawn):
    records = [_record("simclr", imix, 0, 0.8) for imix in (False, True)] + [_record("moco", True, 0, 0.7)]
    make_figures(records, tmp_path)
    (ax,) = _visible(drawn["bars"])
    assert len(ax.patches) == 3  # simclr baseline and i-Mix, moco i-Mix: no zero-height moco baseline
