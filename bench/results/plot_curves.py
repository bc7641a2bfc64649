"""The curves figure: per data set and method, the pretraining loss per epoch (mean ± std over
seeds) and, in its own panel below, the validation kNN monitor (each seed a dot, the mean a line).

One y-axis per panel: the loss and the accuracy never share a panel. The monitor scores held-out
training rows (bench/evaluation/evaluate.py), never the test split; older records' test-split
monitors are left out upstream (bench/results/plot_data.py ``validation_points``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from bench.results.figure_files import new_figure, save
from bench.results.figure_layout import (
    accuracy_top,
    add_title,
    figure_legend,
    panel_title,
    spread,
    trim_ticks_above_100,
)
from bench.results.figure_style import Style, arm_order, colour
from bench.results.labels import method_order
from bench.results.plot_data import CurvePanel


@dataclass
class Place:
    """Where one (data set, method) sits: its loss panel, and its monitor panel below (or None)."""

    loss: tuple[int, int]
    monitor: tuple[int, int] | None


def _layout(panels: list[CurvePanel], fit: int) -> tuple[dict[int, Place], int, int]:
    """Each panel's place, and the grid's rows and columns: a block of rows per data set (a loss
    row, and a monitor row where its runs had --eval-every), a column per method; when the methods
    do not fit across, a block wraps onto further rows."""
    methods = method_order(p.method for p in panels)
    columns = min(len(methods), fit)
    places: dict[int, Place] = {}
    row = 0
    for block in dict.fromkeys((p.domain, p.dataset, p.epochs) for p in panels):
        members = [p for p in panels if (p.domain, p.dataset, p.epochs) == block]
        monitored = any(p.has_monitor for p in members)
        order = methods if len(methods) <= fit else method_order(p.method for p in members)
        chunks = 1 if len(methods) <= fit else -(-len(order) // columns)
        for panel in members:
            position = order.index(panel.method)
            r = row + (position // columns) * (2 if monitored else 1)
            places[id(panel)] = Place((r, position % columns), (r + 1, position % columns) if monitored else None)
        row += chunks * (2 if monitored else 1)
    return places, row, columns


def _bins(ax) -> int:
    """Tick count for the panel's width: about one tick per half inch."""
    columns = ax.get_subplotspec().get_gridspec().ncols
    return max(3, min(8, int(2 * ax.figure.get_figwidth() / columns)))


def _loss_panel(ax, panel: CurvePanel, order: list[str], style: Style) -> None:
    from matplotlib.ticker import MaxNLocator

    few = max(len(c.epochs) for c in panel.curves) <= 12
    lowest = 0.0
    for curve in panel.curves:
        tint = colour(curve.label, order)
        low = [m - s for m, s in zip(curve.loss_mean, curve.loss_std)]
        high = [m + s for m, s in zip(curve.loss_mean, curve.loss_std)]
        ax.plot(curve.epochs, curve.loss_mean, color=tint, marker="o" if few else None, label=curve.label)
        ax.fill_between(curve.epochs, low, high, color=tint, alpha=0.2, linewidth=0)
        lowest = min(lowest, *low)
    ax.set_ylim(bottom=lowest)  # from 0: a loss is not negative, and the gap is drawn at its true size
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_bins(ax), integer=True))
    panel_title(ax, panel.title)
    ax.grid(alpha=0.3, linewidth=0.5)


def _monitor_panel(ax, panel: CurvePanel, order: list[str], style: Style) -> None:
    from matplotlib.ticker import MaxNLocator

    values = []
    for curve in panel.curves:
        if not curve.knn_epochs:
            continue
        tint = colour(curve.label, order)
        ax.plot(curve.knn_epochs, curve.knn_mean, color=tint, marker="o", markersize=style.marker * 0.6,
                label=curve.label)
        gap = max(1.0, (curve.knn_epochs[-1] - curve.knn_epochs[0]) / 60)
        for epoch, seeds in zip(curve.knn_epochs, curve.knn_values):
            ax.scatter([epoch + o for o in spread(len(seeds), gap)], seeds, s=style.marker ** 2 * 0.6, color=tint,
                       alpha=0.5, linewidths=0, zorder=3)
            values += seeds
    floor = panel.chance if panel.chance is not None else 0.0
    ax.set_ylim(floor, accuracy_top(values, floor))
    trim_ticks_above_100(ax)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=_bins(ax), integer=True))
    ax.grid(alpha=0.3, linewidth=0.5)


def _label_axes(grid, used: set[tuple[int, int]], monitors: set[tuple[int, int]], style: Style) -> None:
    """y labels on each row's first panel, "epoch" under each loss panel without a monitor below
    and under each monitor; the panels no run fills are hidden."""
    loss_text, monitor_text = ("loss", "val. kNN (%)") if style.name == "paper" else (
        "pretraining loss", "validation kNN (%)")
    n_rows, columns = grid.shape
    for r in range(n_rows):
        for c in range(columns):
            ax = grid[r, c]
            if (r, c) not in used:
                ax.set_visible(False)
                continue
            if c == 0 or (r, c - 1) not in used:
                ax.set_ylabel(monitor_text if (r, c) in monitors else loss_text)
            if (r, c) in monitors or (r + 1, c) not in monitors:
                ax.set_xlabel("epoch")


def plot_curves(panels: list[CurvePanel], path: Path, style: Style, width: float | None = None,
                formats: Iterable[str] = ("png",), title: str | None = None) -> Path:
    """Loss panels, each with its monitor panel below where the runs had --eval-every."""
    methods = len({p.method for p in panels})
    figure_width = width or style.width_for(methods)
    fit = max(1, math.floor(figure_width / style.min_panel_width)) if figure_width else 99
    places, n_rows, columns = _layout(panels, fit)
    figure_width = figure_width or max(6.5, 4.2 * columns + 0.6)
    row_height = 2.5 if style.default_width is None else min(1.45, max(1.05, 0.75 * figure_width / columns))
    fig = new_figure(figure_width, row_height * n_rows + style.legend_height)
    grid = fig.subplots(n_rows, columns, squeeze=False)
    order = arm_order([c.label for c in p.curves] for p in panels)
    used, monitor_cells = set(), set()
    for panel in panels:
        place = places[id(panel)]
        _loss_panel(grid[place.loss], panel, order, style)
        used.add(place.loss)
        if place.monitor is not None and panel.has_monitor:
            _monitor_panel(grid[place.monitor], panel, order, style)
            grid[place.monitor].set_xlim(grid[place.loss].get_xlim())  # the two panels share the epochs
            used.add(place.monitor)
            monitor_cells.add(place.monitor)
    _label_axes(grid, used, monitor_cells, style)
    figure_legend(fig, [grid[rc] for rc in sorted(used)])
    add_title(fig, title)
    return save(fig, path, formats)
