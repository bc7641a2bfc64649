"""PNG figures from result records: bars, loss curves, accuracy against the data ratio.

matplotlib is used through its object API with the Agg canvas (no pyplot, no display, no
global backend switch). The numbers come from ``bench/plot_data.py``; this file only draws.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

from . import plot_data
from .errors import UserError
from .plot_data import METRIC_LABELS, BarPanel, CurvePanel, RatioPanel

FIGURES = ("bars.png", "loss_curves.png", "data_ratio.png")
# Baseline grey, i-Mix variants in colour (colour-blind safe: Okabe-Ito).
COLOURS = {"baseline": "#7f7f7f"}
IMIX_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
DPI = 110


def _colour(label: str, order: list[str]) -> str:
    if label in COLOURS:
        return COLOURS[label]
    treated = [name for name in order if name != "baseline"]
    return IMIX_COLOURS[treated.index(label) % len(IMIX_COLOURS)] if label in treated else IMIX_COLOURS[0]


def _figure(width: float, height: float):
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - matplotlib is a dependency
        raise UserError("`bench plot` needs matplotlib: pip install matplotlib") from error
    return Figure(figsize=(width, height), layout="constrained")


def _save(fig, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    return path


def _panel_grid(n: int, panel_width: float, panel_height: float, min_width: float, columns: int = 3):
    """A figure of n panels, `columns` a row, with room for a title and a legend; unused axes hidden."""
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    fig = _figure(max(min_width, panel_width * columns), panel_height * rows + 0.9)
    axes = list(fig.subplots(rows, columns, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _arm_order(label_lists: Iterable[Iterable[str]]) -> list[str]:
    """Every arm label that appears, the baseline first: the colour of an arm is its place here."""
    labels = {label for labels in label_lists for label in labels}
    return sorted(labels, key=lambda a: (a != "baseline", a))


def _figure_legend(fig, axes: Iterable[Any]) -> None:
    """One legend below the panels with every label that appears in any of them."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)), frameon=False)


def _finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if not math.isnan(v)]


def plot_bars(panels: list[BarPanel], path: Path, metric: str = "probe") -> Path:
    """Per data set, baseline and i-Mix bars per method with mean ± std over seeds."""
    fig, axes = _panel_grid(len(panels), 4.3, 3.3, min_width=6.5)
    order = _arm_order(p.series for p in panels)
    for ax, panel in zip(axes, panels):
        width = 0.8 / len(panel.series)
        tops, bottoms = [], []
        for i, name in enumerate(panel.series):
            xs = [m + (i - (len(panel.series) - 1) / 2) * width for m in range(len(panel.methods))]
            means, stds = panel.mean[name], panel.std[name]
            ax.bar(xs, means, width, yerr=stds, capsize=3, color=_colour(name, order), label=name,
                   error_kw={"elinewidth": 1, "ecolor": "black"})
            tops += _finite(m + s for m, s in zip(means, stds))
            bottoms += _finite(m - s for m, s in zip(means, stds))
        # Gains over the baseline above each method's group; * marks p < 0.05 (paired t-test over seeds).
        top = max(tops) if tops else 100.0
        bottom = min(bottoms) if bottoms else 0.0
        span = max(top - bottom, 1.0)
        if len(panel.gain) == 1:  # with several i-Mix variants the bars speak for themselves
            (gains,) = panel.gain.values()
            for m, (gain, p) in enumerate(gains):
                if not math.isnan(gain):
                    star = "*" if not math.isnan(p) and p < 0.05 else ""
                    ax.text(m, top + 0.06 * span, f"{gain:+.2f}{star}", ha="center", va="bottom", fontsize=8)
        # Bars start near the lowest value rather than at 0: gains of a point or two would be invisible.
        low = max(0.0, math.floor((bottom - 0.4 * span) / 5) * 5)
        ax.set_ylim(low, min(100.0 + 0.25 * span, top + 0.35 * span))
        ax.set_xticks(range(len(panel.methods)), panel.methods)
        ax.set_title(panel.title, fontsize=10)
        ax.set_ylabel("accuracy (%)")
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    _figure_legend(fig, axes)
    fig.suptitle(f"Baseline vs i-Mix: {METRIC_LABELS[metric]}, mean ± std over seeds\n"
                 "numbers: i-Mix gain in points (* p < 0.05, paired t-test over seeds); y axes do not start at 0",
                 fontsize=10, x=0.01, ha="left")
    return _save(fig, path)


def plot_curves(panels: list[CurvePanel], path: Path) -> Path:
    """Pretraining loss (solid, left axis) and the kNN monitor (dashed, right axis) per epoch."""
    from matplotlib.ticker import MaxNLocator

    methods = plot_data.method_order(p.method for p in panels)
    datasets = list(dict.fromkeys((p.domain, p.dataset) for p in panels))
    rows, columns = len(datasets), len(methods)
    fig = _figure(max(6.5, 4.2 * columns + 0.6), 2.7 * rows + 0.9)
    axes = fig.subplots(rows, columns, squeeze=False)
    order = _arm_order([c.label for c in p.curves] for p in panels)
    placed = set()
    drawn = []  # each panel's axes, for the legend
    for panel in panels:
        ax = axes[datasets.index((panel.domain, panel.dataset)), methods.index(panel.method)]
        placed.add(id(ax))
        few = max(len(c.epochs) for c in panel.curves) <= 12
        twin = ax.twinx() if panel.has_monitor else None
        drawn += [ax] + ([twin] if twin is not None else [])
        for curve in panel.curves:
            colour = _colour(curve.label, order)
            low = [m - s for m, s in zip(curve.loss_mean, curve.loss_std)]
            high = [m + s for m, s in zip(curve.loss_mean, curve.loss_std)]
            ax.plot(curve.epochs, curve.loss_mean, color=colour, marker="o" if few else None, markersize=3,
                    label=f"{curve.label} loss")
            ax.fill_between(curve.epochs, low, high, color=colour, alpha=0.2, linewidth=0)
            if twin is not None and curve.knn_epochs:
                twin.errorbar(curve.knn_epochs, curve.knn_mean, yerr=curve.knn_std, color=colour, linestyle="--",
                              marker="s", markersize=3, capsize=2, label=f"{curve.label} kNN")
        ax.set_title(f"{panel.title} ({max(c.seeds for c in panel.curves)} seeds)", fontsize=9)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("pretraining loss")
        ax.grid(alpha=0.3)
        if twin is not None:
            twin.set_ylabel("kNN accuracy (%)")
    for ax in axes.flat:
        if id(ax) not in placed:
            ax.set_visible(False)
    _figure_legend(fig, drawn)
    any_monitor = any(p.has_monitor for p in panels)
    fig.suptitle("Pretraining loss per epoch, mean ± std over seeds" +
                 ("; dashed: kNN test accuracy (--eval-every)" if any_monitor else "") +
                 "\n(i-Mix's loss is on mixed virtual labels, so it runs higher than the baseline's by design)",
                 fontsize=10, x=0.01, ha="left")
    return _save(fig, path)


def plot_ratios(panels: list[RatioPanel], path: Path, metric: str = "probe") -> Path:
    """Accuracy against the fraction of training data used for pretraining, per arm."""
    fig, axes = _panel_grid(len(panels), 4.6, 3.4, min_width=6.0)
    order = _arm_order([s.label for s in p.series] for p in panels)
    for ax, panel in zip(axes, panels):
        ticks: set[float] = set()
        for i, series in enumerate(panel.series):
            percent = [100 * r for r in series.ratios]
            ticks.update(percent)
            nudge = 1 + 0.015 * (i - (len(panel.series) - 1) / 2)  # keeps the error bars apart
            ax.errorbar([x * nudge for x in percent], series.mean, yerr=series.std, color=_colour(series.label, order), marker="o",
                        markersize=4, capsize=3, label=series.label)
        ax.set_xscale("log")
        ax.set_xticks(sorted(ticks), [f"{t:g}" for t in sorted(ticks)])
        ax.minorticks_off()
        ax.set_xlabel("training data used for pretraining (%)")
        ax.set_ylabel("accuracy (%)")
        seeds = max(n for s in panel.series for n in s.n)
        ax.set_title(f"{panel.title} (up to {seeds} seeds)", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=8)
    fig.suptitle(f"Data efficiency: {METRIC_LABELS[metric]}, mean ± std over seeds\n"
                 "pretrained on part of the training data; the probe is fitted on all of it",
                 fontsize=10, x=0.01, ha="left")
    return _save(fig, path)


def make_figures(records: list[dict[str, Any]], out: str | Path, metric: str = "probe") -> list[str]:
    """Write every figure the records allow into ``out``; one line per figure (written or why not)."""
    out = Path(out)
    lines = []
    bars = plot_data.bar_panels(records, metric)
    if bars:
        lines.append(f"wrote {plot_bars(bars, out / 'bars.png', metric)} ({len(bars)} data set(s))")
    else:
        lines.append("skipped bars.png: no records to compare")
    curves = plot_data.curve_panels(records)
    if curves:
        lines.append(f"wrote {plot_curves(curves, out / 'loss_curves.png')} ({len(curves)} panel(s))")
    else:
        lines.append("skipped loss_curves.png: no record has a pretraining loss curve (runs with --epochs 0?)")
    ratios = plot_data.ratio_panels(records, metric)
    if ratios:
        lines.append(f"wrote {plot_ratios(ratios, out / 'data_ratio.png', metric)} ({len(ratios)} panel(s))")
    else:
        lines.append("skipped data_ratio.png: no data set and method was run at more than one --data-ratio "
                     "(e.g. `bench suite --data-ratios 0.1,0.5,1`)")
    return lines
