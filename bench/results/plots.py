"""Figures from result records: bars, loss curves, accuracy against the data ratio, the i-Mix
gain against pretraining epochs and data size (the regime study), and the strategies' gains as a
heat map (plot_strategies), in PNG and a vector format.

Each figure is drawn in its own file (plot_bars, plot_curves, plot_ratios, plot_gains) from the
numbers of ``bench/results/plot_data.py``; this file chooses what the records allow, writes the
files and the captions (``captions.md``), and says what it skipped. matplotlib is used through
its object API with the Agg canvas (no pyplot, no display, no global backend switch), under the
chosen style's settings (``bench/results/figure_style.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bench.core.errors import UserError
from bench.results import plot_data
from bench.results.figure_captions import (
    bars_caption,
    curves_caption,
    gains_caption,
    headline,
    ratios_caption,
    strategies_caption,
    write_captions,
)
from bench.results.figure_files import DEFAULT_FORMATS, parse_formats
from bench.results.figure_style import IMIX_COLOURS, get_style, parse_width, styled  # noqa: F401 (IMIX_COLOURS re-exported)
from bench.results.plot_bars import plot_bars, uniform_n
from bench.results.plot_curves import plot_curves
from bench.results.plot_gains import plot_gains, uniform_pairs
from bench.results.plot_ratios import plot_ratios
from bench.results.plot_strategies import plot_strategies, strategy_grid

FIGURES = ("bars", "loss_curves", "data_ratio", "gain_epochs", "gain_data", "strategy_gains")


@dataclass
class FigureOptions:
    """How `bench plot` draws: the style, the width, the files, the title and the tests."""

    style: str = "screen"
    width: str | float | None = None  # column, page or inches; None: the style's choice
    formats: str | Iterable[str] = DEFAULT_FORMATS
    title: bool = False
    holm: bool = False
    names: dict[str, str] = field(default_factory=dict)


class Drawer:
    """Draws the figures of one call into ``out`` and collects their captions and report lines."""

    def __init__(self, out: Path, metric: str, options: FigureOptions) -> None:
        self.out, self.metric, self.options = out, metric, options
        self.style, self.width = get_style(options.style), parse_width(options.width)
        self.formats = parse_formats(options.formats)
        self.captions: dict[str, str] = {}
        self.lines: list[str] = []

    def target(self, name: str, per_metric: bool = True) -> Path:
        """``bars.png``, or ``bars_knn.png`` for another metric, so both can share one folder."""
        return self.out / (f"{name}.png" if self.metric == "probe" or not per_metric else f"{name}_{self.metric}.png")

    def wrote(self, path: Path, caption: str, what: str) -> None:
        self.captions[path.stem] = caption
        self.lines.append(f"wrote {path.with_suffix('')}.{'/'.join(self.formats)} ({what})")

    def title(self, caption: str) -> str | None:
        return headline(caption) if self.options.title else None

    def bars(self, records: list[dict[str, Any]]) -> None:
        panels = plot_data.bar_panels(records, self.metric, self.options.holm, self.options.names)
        if not panels:
            self.lines.append("skipped bars: no records to compare")
            return
        caption = bars_caption(self.metric, panels, self.options.holm, uniform_n(panels))
        path = plot_bars(panels, self.target("bars"), self.metric, self.style, self.width, self.formats,
                         self.options.names, self.title(caption))
        self.wrote(path, caption, f"{len(panels)} data set(s)")

    def curves(self, records: list[dict[str, Any]]) -> None:
        panels = plot_data.curve_panels(records, self.options.names)
        if not panels:
            self.lines.append("skipped loss_curves: no record has a pretraining loss curve (runs with --epochs 0?)")
            return
        left_out = plot_data.test_monitored(records)
        caption = curves_caption(panels, left_out)
        path = plot_curves(panels, self.target("loss_curves", per_metric=False), self.style, self.width,
                           self.formats, self.title(caption))
        note = (f"; the test-split monitor of {left_out} older record(s) is not drawn (rerun with --eval-every "
                "for a validation monitor)") if left_out else ""
        self.wrote(path, caption, f"{len(panels)} panel(s){note}")

    def ratios(self, records: list[dict[str, Any]]) -> None:
        panels = plot_data.ratio_panels(records, self.metric, self.options.names)
        if not panels:
            self.lines.append("skipped data_ratio: no data set and method was run at more than one --data-ratio "
                              "(e.g. `bench suite --data-ratios 0.1,0.5,1`)")
            return
        caption = ratios_caption(self.metric, panels)
        path = plot_ratios(panels, self.target("data_ratio"), self.metric, self.style, self.width, self.formats,
                           self.title(caption))
        self.wrote(path, caption, f"{len(panels)} panel(s)")

    def gains(self, records: list[dict[str, Any]], axis: str, name: str, hint: str) -> None:
        panels = plot_data.gain_panels(records, axis, self.metric, self.options.holm, self.options.names)
        if not panels:
            self.lines.append(f"skipped {name}: no method has baseline and i-Mix runs at more than one {hint}")
            return
        caption = gains_caption(axis, self.metric, panels, self.options.holm, uniform_pairs(panels))
        path = plot_gains(panels, self.target(name), self.style, self.width, self.formats, self.title(caption))
        self.wrote(path, caption, f"{len(panels)} panel(s)")

    def strategies(self, records: list[dict[str, Any]]) -> None:
        grid = strategy_grid(records, self.metric, self.options.holm, self.options.names)
        if grid is None:
            self.lines.append("skipped strategy_gains: the records hold no arm beside plain i-Mix (e.g. `bench suite "
                              "--strategies imix,emix,dacl,gaussian`)")
            return
        caption = strategies_caption(self.metric, grid.items, self.options.holm, grid.uniform_n)
        path = plot_strategies(grid, self.target("strategy_gains"), self.style, self.width, self.formats,
                               self.title(caption))
        self.wrote(path, caption, f"{len(grid.rows)} row(s) x {len(grid.arms)} arm(s)")


def make_figures(records: list[dict[str, Any]], out: str | Path, metric: str = "probe",
                 options: FigureOptions | None = None) -> list[str]:
    """Write every figure the records allow into ``out``, and their captions into ``out/captions.md``;
    one line per figure (written or why not)."""
    drawer = Drawer(Path(out), metric, options or FigureOptions())
    figures = [("bars", drawer.bars, ()), ("loss_curves", drawer.curves, ()), ("data_ratio", drawer.ratios, ()),
               ("gain_epochs", drawer.gains, ("epochs", "gain_epochs", "--epochs (e.g. one suite per epoch count)")),
               ("gain_data", drawer.gains, ("data_ratio", "gain_data",
                                            "--data-ratio (e.g. `bench suite --data-ratios 0.1,0.5,1`)")),
               ("strategy_gains", drawer.strategies, ())]
    refusals: list[UserError] = []
    with styled(drawer.style):
        for name, draw, extra in figures:
            try:
                draw(records, *extra)
            except UserError as error:
                # records one figure cannot pair (InputMix arms beside plain baselines, which only the strategy
                # map sets apart) leave the other figures to be drawn; records no figure can use are an error
                refusals.append(error)
                drawer.lines.append(f"skipped {name}: {error}")
    if refusals and not drawer.captions:
        raise refusals[0]
    if drawer.captions:
        drawer.lines.append(f"wrote {write_captions(drawer.out, drawer.captions)} (what each figure shows)")
    return drawer.lines
