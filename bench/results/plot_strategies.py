"""The strategy comparison at a glance: a heat map of each arm's gain over its baseline, data set and
method down, strategy across, as `bench table --by strategy` lays them out (the same cells, the same
numbers). Colour: the mean paired gain in points, on a diverging scale centred on zero; text: the gain,
* where p < 0.05 (Holm-adjusted over the figure with --holm), n where not every cell has the same
number of paired seeds; a blank grey cell: that arm was not run for that row."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from bench.results.figure_files import new_figure, save
from bench.results.figure_layout import add_title
from bench.results.figure_style import Style
from bench.results.labels import method_label
from bench.results.paired import SIGNIFICANCE, Comparison, apply_holm, comparisons
from bench.results.strategy_table import strategy_cells


@dataclass
class StrategyGrid:
    rows: list[str]  # "data set · method"
    arms: list[str]
    gain: list[list[float]]  # rows x arms; NaN where the arm was not run
    p: list[list[float]]  # the reported p (Holm-adjusted when asked); NaN where untested
    n: list[list[int]]  # paired seeds per cell; 0 where not run
    items: list[Comparison]  # every comparison drawn, for the caption's count of tests

    @property
    def uniform_n(self) -> int | None:
        counts = {n for row in self.n for n in row if n}
        return counts.pop() if len(counts) == 1 else None


def strategy_grid(records: Iterable[dict[str, Any]], metric: str, holm: bool,
                  names: dict[str, str] | None = None) -> StrategyGrid | None:
    """The grid, or None when the records hold no arm other than plain i-Mix (nothing to compare)."""
    items = comparisons(records, metric, inputmix_arm=True)
    if holm:
        apply_holm(items)
    arms, rows = strategy_cells(items, names or {})
    if len(arms) < 2:
        return None
    gain, p, n = [], [], []
    for _, by_arm in rows:
        cells = [by_arm.get(a) for a in arms]
        # the table's number (bench/results/tables.py _gain): the arm's mean minus the baseline's
        gain.append([math.nan if c is None or not (c.baseline.n and c.imix.n) else c.gain for c in cells])
        p.append([math.nan if c is None else c.reported_p for c in cells])
        n.append([0 if c is None else len(c.paired_seeds) for c in cells])
    labels = [f"{label} · {method_label(method, names or {})}" for (label, method), _ in rows]
    drawn = [c for _, by_arm in rows for a, c in by_arm.items() if a]
    return StrategyGrid(labels, arms, gain, p, n, drawn)


def cell_text(grid: StrategyGrid, i: int, j: int) -> str:
    """"+3.7*": the gain, * where p < 0.05; the cell's paired seeds below it unless every cell has the same."""
    p = grid.p[i][j]
    mark = "*" if not math.isnan(p) and p < SIGNIFICANCE else ""
    return f"{grid.gain[i][j]:+.1f}{mark}" + ("" if grid.uniform_n else f"\nn={grid.n[i][j]}")


def plot_strategies(grid: StrategyGrid, path: Path, style: Style, width: float | None,
                    formats: Iterable[str], title: str | None) -> Path:
    rows, columns = len(grid.rows), len(grid.arms)
    # room for the longest row label (about half the font size per character) beside the cells and the colour bar
    label_width = max(len(r) for r in grid.rows) * style.small * 0.55 / 72
    fig_width = width or max(style.panel_width, label_width + 0.7 * columns + 1.0)
    fig = new_figure(fig_width, 1.2 + (0.32 if grid.uniform_n else 0.4) * rows)
    ax = fig.add_subplot()
    finite = [abs(g) for row in grid.gain for g in row if not math.isnan(g)]
    bound = max(finite, default=1.0) or 1.0
    from matplotlib import colormaps

    cmap = colormaps["RdBu"].with_extremes(bad="#dddddd")  # grey: not run
    image = ax.imshow(grid.gain, cmap=cmap, vmin=-bound, vmax=bound, aspect="auto")
    for i in range(rows):
        for j in range(columns):
            if not math.isnan(grid.gain[i][j]):
                ax.text(j, i, cell_text(grid, i, j), ha="center", va="center", fontsize=style.tiny,
                        color="white" if abs(grid.gain[i][j]) > 0.6 * bound else "black")
    ax.set_xticks(range(columns), grid.arms, rotation=35, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(rows), grid.rows)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("gain over the baseline (points)")
    add_title(fig, title)
    return save(fig, path, formats)
