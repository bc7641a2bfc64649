"""What every figure shares: the grid of panels, one legend under them, the optional title, and
axis ranges that start from a meaningful floor.

The floors: accuracy bars start at 0, so a bar's height is its value; accuracy lines (the data
ratio, the monitor) start at chance, 100 / classes, where the classes are known, else at 0; the
loss at 0; the gain axes always hold 0. A gap between two arms is then drawn at its true size
against the whole scale, and the numbers above the bars carry the precise gain.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from bench.results.figure_files import new_figure
from bench.results.figure_style import Style


def grid_shape(n: int, style: Style, width: float | None, max_columns: int | None = None) -> tuple[int, int, float]:
    """(rows, columns, figure width) for n panels: as many columns as fit, rows balanced."""
    total = width or style.width_for(n)
    fit = max(1, math.floor(total / style.min_panel_width)) if total else 3
    columns = max(1, min(n, fit, max_columns or n))
    rows = math.ceil(n / columns)
    columns = math.ceil(n / rows)  # 5 panels in 2 rows of 3, not 4 + 1
    return rows, columns, total or max(6.5, style.panel_width * columns)


def panel_height(style: Style, figure_width: float, columns: int) -> float:
    """A panel's height: the style's, shrunk with its width when many panels share a row."""
    if style.default_width is None:
        return style.panel_height
    return min(style.panel_height, max(1.1, 0.8 * figure_width / columns))


def panel_grid(n: int, style: Style, width: float | None, max_columns: int | None = None):
    """A figure of n panels and room for a legend under them; unused axes hidden."""
    rows, columns, figure_width = grid_shape(n, style, width, max_columns)
    height = panel_height(style, figure_width, columns) * rows + style.legend_height
    fig = new_figure(figure_width, height)
    axes = list(fig.subplots(rows, columns, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n], columns


def figure_legend(fig, axes: Iterable[Any], columns: int = 4) -> None:
    """One legend under the panels with every label drawn in any of them, each once."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if labels:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(columns, len(labels)), frameon=False,
                   handlelength=1.6, columnspacing=1.2)


def add_title(fig, text: str | None) -> None:
    """A title over the figure only when asked for (--title): a paper's caption replaces it."""
    if text:
        fig.suptitle(text, x=0.01, ha="left", wrap=True)


def label_left_column(axes: list[Any], columns: int, text: str) -> None:
    """The y label on the first panel of each row only, as in a shared axis."""
    for i, ax in enumerate(axes):
        if i % columns == 0:
            ax.set_ylabel(text)


def label_bottom_row(axes: list[Any], columns: int, text: str) -> None:
    """The x label under the lowest panel of each column only (a figure-level label would collide
    with the legend under the panels, which constrained layout does not stack)."""
    for i, ax in enumerate(axes):
        if i + columns >= len(axes):
            ax.set_xlabel(text)


def accuracy_top(values: Iterable[float], floor: float, headroom: float = 0.08) -> float:
    """The top of an accuracy axis: above the highest value with a little room, at most 100 plus that room."""
    finite = [v for v in values if not math.isnan(v)]
    high = max(finite, default=100.0)
    span = max(high - floor, 1.0)
    return min(high + headroom * span, 100.0 + headroom * span) if high <= 100 else high + headroom * span


def trim_ticks_above_100(ax) -> None:
    """No accuracy tick above 100 % (the axis may run a little higher to make room for labels).

    A locator, not a fixed list: the ticks are chosen when the figure is drawn, at the panel's
    final size, so small panels get fewer ticks rather than overlapping ones."""
    from matplotlib.ticker import AutoLocator, Locator

    class AtMost100(Locator):
        def __init__(self) -> None:
            self.base = AutoLocator()

        def set_axis(self, axis) -> None:
            super().set_axis(axis)
            self.base.set_axis(axis)

        def __call__(self):
            return [t for t in self.base() if t <= 100.0 + 1e-9]

        def tick_values(self, vmin, vmax):
            return [t for t in self.base.tick_values(vmin, vmax) if t <= 100.0 + 1e-9]

    ax.yaxis.set_major_locator(AtMost100())


def spread(count: int, width: float) -> list[float]:
    """Horizontal offsets of ``count`` seed points across ``width``, centred on 0."""
    if count <= 1:
        return [0.0] * count
    return [(k / (count - 1) - 0.5) * width for k in range(count)]


def panel_title(ax, text: str) -> None:
    """The panel's title, wrapped at spaces to the panel's width (about half an em per character)."""
    import textwrap

    import matplotlib

    columns = ax.get_subplotspec().get_gridspec().ncols
    size = matplotlib.font_manager.FontProperties(size=matplotlib.rcParams["axes.titlesize"]).get_size_in_points()
    fits = max(12, int(0.95 * ax.figure.get_figwidth() / columns * 72 / (0.5 * size)))
    ax.set_title("\n".join(textwrap.wrap(text, fits)) if len(text) > fits else text)
