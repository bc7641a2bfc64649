"""The regime study's figures: the i-Mix gain against pretraining epochs or data ratio, a line per
method through the mean paired gains, its 95% interval as a band, each seed's paired gain a dot,
a filled marker where p < 0.05 and a hollow one elsewhere; the axis always holds zero."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable

from bench.results.figure_files import save
from bench.results.figure_layout import (
    add_title,
    label_bottom_row,
    label_left_column,
    panel_grid,
    panel_title,
)
from bench.results.figure_style import IMIX_COLOURS, Style
from bench.results.gain_data import AXES, GainLine, GainPanel
from bench.results.paired import SIGNIFICANCE

DASHES = ("-", "--", ":", "-.")


def uniform_pairs(panels: list[GainPanel]) -> int | None:
    """The number of paired seeds of every point, when all points have the same."""
    counts = {n for panel in panels for line in panel.lines for n in line.n}
    return counts.pop() if len(counts) == 1 else None


def _line(ax, line: GainLine, xs: list[float], tint: str, dash: str, style: Style, label_n: bool) -> list[float]:
    """One method's gains; returns every value drawn (for the axis range)."""
    ax.plot(xs, line.gain, color=tint, linestyle=dash, label=line.label, zorder=2)
    band = [(x, lo, hi) for x, lo, hi in zip(xs, line.low, line.high) if not math.isnan(lo)]
    if len(band) > 1:
        ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], color=tint,
                        alpha=0.15, linewidth=0)
    else:  # a lone interval is drawn as an error bar
        for x, lo, hi in band:
            ax.plot([x, x], [lo, hi], color=tint, alpha=0.5, linewidth=3 * style.line)
    drawn = [v for b in band for v in b[1:]] + list(line.gain)
    for x, gain, p, n, seeds in zip(xs, line.gain, line.p, line.n, line.seed_gains or [[]] * len(xs)):
        significant = not math.isnan(p) and p < SIGNIFICANCE
        ax.scatter([x] * len(seeds), seeds, s=style.marker ** 2 * 0.35, color=tint, alpha=0.55, linewidths=0,
                   zorder=3)
        ax.plot([x], [gain], marker="o", markersize=style.marker * 1.4, color=tint,
                markerfacecolor=tint if significant else "white", zorder=4)
        if label_n:
            ax.annotate(f"n={n}", (x, gain), textcoords="offset points", xytext=(3, 3), fontsize=style.tiny,
                        color=tint)
        drawn += seeds
    return drawn


def _gain_panel(ax, panel: GainPanel, series: list[str], others: list[float], style: Style, label_n: bool) -> None:
    ticks: set[float] = set()
    drawn = [0.0]
    for line in panel.lines:
        tint = IMIX_COLOURS[series.index(line.series) % len(IMIX_COLOURS)]
        dash = DASHES[others.index(line.other) % len(DASHES)] if line.other is not None else "-"
        xs = [100 * x for x in line.x] if panel.axis == "data_ratio" else line.x
        ticks.update(xs)
        drawn += _line(ax, line, xs, tint, dash, style, label_n)
    ax.axhline(0.0, color="black", linewidth=0.7, zorder=1)
    finite = [v for v in drawn if not math.isnan(v)]
    low, high = min(finite), max(finite)
    margin = 0.08 * max(high - low, 1.0)
    ax.set_ylim(low - margin, high + margin)  # zero is always inside
    ax.set_xscale("log")
    ax.set_xticks(sorted(ticks), [f"{t:g}" for t in sorted(ticks)])
    ax.minorticks_off()
    panel_title(ax, panel.title)
    ax.grid(alpha=0.3, linewidth=0.5)


def _legend(fig, series: list[str], others: list[float], axis: str) -> None:
    """Colours name the methods; where lines differ in the other axis, dashes name its values."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=IMIX_COLOURS[i % len(IMIX_COLOURS)], marker="o", markerfacecolor="white")
               for i in range(len(series))]
    labels = list(series)
    if len(others) > 1:
        handles += [Line2D([], [], color="black", linestyle=DASHES[i % len(DASHES)]) for i in range(len(others))]
        labels += [f"{v:g} of the data" if axis == "epochs" else f"{v:g} epochs" for v in others]
    handles.append(Line2D([], [], color="black", marker="o", linestyle="none"))
    labels.append("p < 0.05 (hollow: not)")
    fig.legend(handles, labels, loc="outside lower center", ncols=min(6, len(labels)), frameon=False,
               handlelength=1.8, columnspacing=1.2)


def plot_gains(panels: list[GainPanel], path: Path, style: Style, width: float | None = None,
               formats: Iterable[str] = ("png",), title: str | None = None) -> Path:
    """One colour per method in every panel, one dash per value of the other axis (the largest,
    the main condition, solid), so a colour never means SimCLR in one panel and MoCo in the next."""
    lines = [line for panel in panels for line in panel.lines]
    series = list(dict.fromkeys(line.series for line in lines))
    others = sorted({line.other for line in lines if line.other is not None}, reverse=True)
    fig, axes, columns = panel_grid(len(panels), style, width)
    label_n = uniform_pairs(panels) is None
    for ax, panel in zip(axes, panels):
        _gain_panel(ax, panel, series, others, style, label_n)
    label_left_column(axes, columns, "i-Mix gain (points)")
    label_bottom_row(axes, columns, AXES[panels[0].axis])
    _legend(fig, series, others, panels[0].axis)
    add_title(fig, title)
    return save(fig, path, formats)
