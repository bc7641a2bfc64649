"""The data-ratio figure: accuracy against the fraction of the training data used for pretraining,
a line per arm through the means, each seed a dot, the axis from chance accuracy."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

from bench.results.figure_files import save
from bench.results.figure_layout import (
    accuracy_top,
    add_title,
    figure_legend,
    label_bottom_row,
    label_left_column,
    panel_grid,
    panel_title,
    trim_ticks_above_100,
)
from bench.results.figure_style import Style, arm_order, colour
from bench.results.gain_data import AXES
from bench.results.plot_bars import AXIS_LABELS
from bench.results.plot_data import RatioPanel


def _ratio_panel(ax, panel: RatioPanel, order: list[str], style: Style) -> None:
    ticks: set[float] = set()
    drawn: list[float] = []
    for i, series in enumerate(panel.series):
        tint = colour(series.label, order)
        percent = [100 * r for r in series.ratios]
        ticks.update(percent)
        nudge = 1 + 0.03 * (i - (len(panel.series) - 1) / 2)  # keeps the arms' error bars apart
        xs = [x * nudge for x in percent]
        errors = [0.0 if math.isnan(e) else e for e in series.std]  # one seed: no bar
        ax.errorbar(xs, series.mean, yerr=errors, color=tint, marker="o", capsize=2, label=series.label, zorder=2)
        for x, seeds in zip(xs, series.values):
            ax.scatter([x] * len(seeds), seeds, s=style.marker ** 2 * 0.5, facecolor="white", edgecolor=tint,
                       linewidths=0.6, zorder=3)
            drawn += seeds
        drawn += [m + e for m, e in zip(series.mean, errors)]
    floor = panel.chance if panel.chance is not None else 0.0
    ax.set_ylim(floor, accuracy_top(drawn, floor))
    trim_ticks_above_100(ax)
    ax.set_xscale("log")
    ax.set_xticks(sorted(ticks), [f"{t:g}" for t in sorted(ticks)])
    ax.minorticks_off()
    panel_title(ax, panel.title)
    ax.grid(alpha=0.3, linewidth=0.5)


def plot_ratios(panels: list[RatioPanel], path: Path, metric: str, style: Style, width: float | None = None,
                formats: Iterable[str] = ("png",), title: str | None = None) -> Path:
    """One panel per (data set, epochs, method) run at several data ratios."""
    fig, axes, columns = panel_grid(len(panels), style, width)
    order = arm_order([s.label for s in p.series] for p in panels)
    for ax, panel in zip(axes, panels):
        _ratio_panel(ax, panel, order, style)
    label_left_column(axes, columns, AXIS_LABELS[metric])
    label_bottom_row(axes, columns, AXES["data_ratio"])
    figure_legend(fig, axes)
    add_title(fig, title)
    return save(fig, path, formats)
