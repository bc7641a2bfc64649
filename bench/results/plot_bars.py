"""The bars figure: per data set, the baseline and i-Mix accuracy of each method from zero, each
seed a dot over its bar's mean, ± one std, and the i-Mix gain above each pair."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

from bench.results.figure_files import save
from bench.results.figure_layout import (
    accuracy_top,
    add_title,
    figure_legend,
    label_left_column,
    panel_grid,
    panel_title,
    spread,
    trim_ticks_above_100,
)
from bench.results.figure_style import Style, arm_order, colour
from bench.results.paired import SIGNIFICANCE
from bench.results.plot_data import BarPanel

AXIS_LABELS = {"probe": "probe accuracy (%)", "knn": "kNN accuracy (%)"}  # test split; the caption says which probe


def p_marker(p: float) -> str:
    return "*" if not math.isnan(p) and p < SIGNIFICANCE else ""


def uniform_n(panels: list[BarPanel]) -> int | None:
    """The number of seeds of every bar, when all bars have the same (the caption says it once)."""
    counts = {n for panel in panels for row in panel.n.values() for n in row if n}
    return counts.pop() if len(counts) == 1 else None


def _draw_series(ax, panel: BarPanel, name: str, i: int, width: float, colour_of: str, style: Style,
                 label_n: bool) -> list[list[float]]:
    """One arm's bars, error bars and seed dots; per method, the heights drawn (for the axis range)."""
    offset = (i - (len(panel.series) - 1) / 2) * width
    xs = [m + offset for m in range(len(panel.methods))]
    means = [0.0 if math.isnan(m) else m for m in panel.mean[name]]
    errors = [0.0 if math.isnan(s) else s for s in panel.std[name]]
    run = [i for i, n in enumerate(panel.n[name]) if n]  # a method this arm was not run for has no bar
    ax.bar([xs[i] for i in run], [means[i] for i in run], width * 0.92, color=colour_of, label=name, zorder=1)
    if any(errors):
        ax.errorbar([xs[i] for i in run], [means[i] for i in run], yerr=[errors[i] for i in run], fmt="none",
                    ecolor="black", elinewidth=0.8, capsize=2, zorder=2)
    tops = [[m + e] for m, e in zip(means, errors)]
    for x, seeds, drawn in zip(xs, panel.values[name], tops):
        offsets = spread(len(seeds), width * 0.5)
        ax.scatter([x + o for o in offsets], seeds, s=style.marker ** 2 * 0.6, color="white",
                   edgecolors="black", linewidths=0.5, zorder=3)
        drawn += seeds
    if label_n:
        for x, n in zip(xs, panel.n[name]):
            if n:
                ax.text(x, 0, f"n={n}", ha="center", va="bottom", fontsize=style.tiny,
                        color="white" if name != "baseline" else "black")
    return tops


def _gain_labels(ax, panel: BarPanel, group_tops: list[float], style: Style) -> None:
    """The i-Mix gain in points above each method's pair (* where p < 0.05); one i-Mix arm only."""
    if len(panel.gain) != 1:
        return  # with several i-Mix variants the bars speak for themselves
    (gains,) = panel.gain.values()
    for m, (gain, p) in enumerate(gains):
        if not math.isnan(gain):
            ax.annotate(f"{gain:+.1f}{p_marker(p)}", (m, group_tops[m]), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=style.tiny)


def _bar_panel(ax, panel: BarPanel, order: list[str], style: Style, names: dict[str, str], label_n: bool) -> None:
    width = 0.8 / len(panel.series)
    per_arm = {name: _draw_series(ax, panel, name, i, width, colour(name, order), style, label_n)
               for i, name in enumerate(panel.series)}
    methods = len(panel.methods)
    group_tops = [max((v for tops in per_arm.values() for v in tops[m] if not math.isnan(v)), default=0.0)
                  for m in range(methods)]
    everything = [v for tops in per_arm.values() for heights in tops for v in heights]
    _gain_labels(ax, panel, group_tops, style)
    ax.set_ylim(0, accuracy_top(everything, 0.0, headroom=0.14))
    trim_ticks_above_100(ax)
    ax.set_xticks(range(methods), [names.get(m, m).replace(" (", "\n(") for m in panel.methods])  # moco\n(N+K)
    ax.tick_params(axis="x", length=0)
    panel_title(ax, panel.title + ("" if len(panel.series) > 1 else " (baseline only)"))
    ax.grid(axis="y", alpha=0.3, linewidth=0.5)
    ax.set_axisbelow(True)


def plot_bars(panels: list[BarPanel], path: Path, metric: str, style: Style, width: float | None = None,
              formats: Iterable[str] = ("png",), names: dict[str, str] | None = None,
              title: str | None = None) -> Path:
    """Bars from zero per data set; a panel with no i-Mix arm shows its baseline bars alone."""
    fig, axes, columns = panel_grid(len(panels), style, width)
    order = arm_order(p.series for p in panels)
    label_n = uniform_n(panels) is None
    for ax, panel in zip(axes, panels):
        _bar_panel(ax, panel, order, style, names or {}, label_n)
    label_left_column(axes, columns, AXIS_LABELS[metric])
    figure_legend(fig, axes)
    add_title(fig, title)
    return save(fig, path, formats)
