"""Figures from result records: bars, loss curves, accuracy against the data ratio, and the
i-Mix gain against pretraining epochs and data size (the regime study); PNG at print
resolution, and PDF/SVG for papers.

matplotlib is used through its object API with the Agg canvas (no pyplot, no display, no
global backend switch). The numbers come from ``bench/results/plot_data.py``; this file only draws.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

from bench.results import plot_data
from bench.results.figure_files import new_figure, parse_formats, save
from bench.results.labels import method_order
from bench.results.paired import SIGNIFICANCE, tested_note
from bench.results.plot_data import AXES, METRIC_LABELS, BarPanel, CurvePanel, GainPanel, RatioPanel

FIGURES = ("bars", "loss_curves", "data_ratio", "gain_epochs", "gain_data")
# Baseline grey, i-Mix variants in colour (colour-blind safe: Okabe-Ito).
COLOURS = {"baseline": "#7f7f7f"}
IMIX_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


def _colour(label: str, order: list[str]) -> str:
    if label in COLOURS:
        return COLOURS[label]
    treated = [name for name in order if name != "baseline"]
    return IMIX_COLOURS[treated.index(label) % len(IMIX_COLOURS)] if label in treated else IMIX_COLOURS[0]


def _p_marker(p: float) -> str:
    return "*" if not math.isnan(p) and p < SIGNIFICANCE else ""


def _panel_grid(n: int, panel_width: float, panel_height: float, min_width: float, columns: int = 3):
    """A figure of n panels, `columns` a row, with room for a title and a legend; unused axes hidden."""
    columns = max(1, min(columns, n))
    rows = math.ceil(n / columns)
    fig = new_figure(max(min_width, panel_width * columns), panel_height * rows + 0.9)
    axes = list(fig.subplots(rows, columns, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _suptitle(fig, text: str, fontsize: float) -> None:
    """The figure's title, left-aligned and wrapped at the figure's right edge.

    Unwrapped, the bars title of a narrow figure ran off the edge and cut the count of tested
    cells in half; matplotlib's own wrapping measures the drawn text, and constrained layout
    makes room for the extra lines."""
    fig.suptitle(text, fontsize=fontsize, x=0.01, ha="left", wrap=True)


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


def plot_bars(panels: list[BarPanel], path: Path, metric: str = "probe", formats: Iterable[str] = ("png",),
              holm: bool = False, names: dict[str, str] | None = None) -> Path:
    """Per data set, baseline and i-Mix bars per method: mean, ± std when there are 2+ seeds, each seed
    as a dot, n under each bar; a panel with no i-Mix arm shows its baseline bars alone."""
    names = names or {}
    fig, axes = _panel_grid(len(panels), 4.3, 3.3, min_width=6.5)
    order = _arm_order(p.series for p in panels)
    for ax, panel in zip(axes, panels):
        width = 0.8 / len(panel.series)
        tops, bottoms = [], []
        for i, name in enumerate(panel.series):
            xs = [m + (i - (len(panel.series) - 1) / 2) * width for m in range(len(panel.methods))]
            means, stds = panel.mean[name], panel.std[name]
            errors = [0.0 if math.isnan(s) else s for s in stds]
            ax.bar(xs, means, width, yerr=errors if any(errors) else None, capsize=3, color=_colour(name, order),
                   label=name, error_kw={"elinewidth": 1, "ecolor": "black"})
            for x, seeds in zip(xs, panel.values[name]):
                offsets = [(k - (len(seeds) - 1) / 2) * width * 0.5 / max(1, len(seeds)) for k in range(len(seeds))]
                ax.scatter([x + o for o in offsets], seeds, s=9, color="white", edgecolors="black",
                           linewidths=0.6, zorder=3)
                tops += seeds
                bottoms += seeds
            tops += _finite(m + e for m, e in zip(means, errors))
            bottoms += _finite(m - e for m, e in zip(means, errors))
        # Gains over the baseline above each method's group; * marks p < 0.05 (paired t-test over seeds).
        top = max(tops) if tops else 100.0
        bottom = min(bottoms) if bottoms else 0.0
        span = max(top - bottom, 1.0)
        if len(panel.gain) == 1:  # with several i-Mix variants the bars speak for themselves
            (gains,) = panel.gain.values()
            for m, (gain, p) in enumerate(gains):
                if not math.isnan(gain):
                    ax.text(m, top + 0.06 * span, f"{gain:+.2f}{_p_marker(p)}", ha="center", va="bottom", fontsize=8)
        # Bars start near the lowest value rather than at 0: gains of a point or two would be invisible.
        low = max(0.0, math.floor((bottom - 0.4 * span) / 5) * 5)
        ax.set_ylim(low, min(100.0 + 0.25 * span, top + 0.35 * span))
        for i, name in enumerate(panel.series):  # n per bar, just above the axis
            for m, n in enumerate(panel.n[name]):
                if n:
                    x = m + (i - (len(panel.series) - 1) / 2) * width
                    ax.text(x, low, f"n={n}", ha="center", va="bottom", fontsize=6, color="white"
                            if name != "baseline" else "black")
        ax.set_xticks(range(len(panel.methods)), [names.get(m, m) for m in panel.methods])
        title = panel.title + ("" if len(panel.series) > 1 else " (baseline only)")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("accuracy (%)")
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    _figure_legend(fig, axes)
    items = [c for p in panels for c in p.items]
    _suptitle(fig, f"Baseline vs i-Mix: {METRIC_LABELS[metric]}, mean ± std over seeds (dots: seeds)\n"
                   "numbers: i-Mix gain in points (* p < 0.05, paired t-test, 3+ seeds); y axes do not start at 0\n"
                   f"{tested_note(items, holm)}", fontsize=10)
    return save(fig, path, formats)


def plot_curves(panels: list[CurvePanel], path: Path, formats: Iterable[str] = ("png",)) -> Path:
    """Pretraining loss (solid, left axis) and the kNN monitor (dashed, right axis) per epoch."""
    from matplotlib.ticker import MaxNLocator

    methods = method_order(p.method for p in panels)
    datasets = list(dict.fromkeys((p.domain, p.dataset, p.epochs) for p in panels))
    rows, columns = len(datasets), len(methods)
    fig = new_figure(max(6.5, 4.2 * columns + 0.6), 2.7 * rows + 0.9)
    axes = fig.subplots(rows, columns, squeeze=False)
    order = _arm_order([c.label for c in p.curves] for p in panels)
    placed = set()
    drawn = []  # each panel's axes, for the legend
    for panel in panels:
        ax = axes[datasets.index((panel.domain, panel.dataset, panel.epochs)), methods.index(panel.method)]
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
    _suptitle(fig, "Pretraining loss per epoch, mean ± std over seeds" +
              ("; dashed: kNN test accuracy (--eval-every)" if any_monitor else "") +
              "\n(i-Mix's loss is on mixed virtual labels, so it runs higher than the baseline's by design)",
              fontsize=10)
    return save(fig, path, formats)


def plot_ratios(panels: list[RatioPanel], path: Path, metric: str = "probe", formats: Iterable[str] = ("png",)) -> Path:
    """Accuracy against the fraction of training data used for pretraining, per arm."""
    fig, axes = _panel_grid(len(panels), 4.6, 3.4, min_width=6.0)
    order = _arm_order([s.label for s in p.series] for p in panels)
    for ax, panel in zip(axes, panels):
        ticks: set[float] = set()
        for i, series in enumerate(panel.series):
            percent = [100 * r for r in series.ratios]
            ticks.update(percent)
            nudge = 1 + 0.015 * (i - (len(panel.series) - 1) / 2)  # keeps the error bars apart
            errors = [0.0 if math.isnan(e) else e for e in series.std]  # one seed: no bar
            ax.errorbar([x * nudge for x in percent], series.mean, yerr=errors, color=_colour(series.label, order), marker="o",
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
    _suptitle(fig, f"Data efficiency: {METRIC_LABELS[metric]}, mean ± std over seeds\n"
              "pretrained on part of the training data; the probe is fitted on all of it", fontsize=10)
    return save(fig, path, formats)


def plot_gains(panels: list[GainPanel], path: Path, metric: str = "probe", formats: Iterable[str] = ("png",),
               holm: bool = False) -> Path:
    """The i-Mix gain against epochs or data ratio: a line per method, its 95% interval as a band,
    a filled marker where p < 0.05 and a hollow one elsewhere; n (paired seeds) beside each point.
    Lines of one method at another data ratio (or epoch count) share its colour, dashed."""
    axis = panels[0].axis
    # One colour per method in every panel, one dash per value of the other axis (the largest,
    # the main condition, solid), so a colour never means SimCLR in one panel and MoCo in the next.
    lines = [line for panel in panels for line in panel.lines]
    series = list(dict.fromkeys(line.series for line in lines))
    others = sorted({line.other for line in lines if line.other is not None}, reverse=True)
    dashes = ("-", "--", ":", "-.")
    fig, axes = _panel_grid(len(panels), 4.6, 3.6, min_width=6.5)
    for ax, panel in zip(axes, panels):
        ticks: set[float] = set()
        for line in panel.lines:
            colour = IMIX_COLOURS[series.index(line.series) % len(IMIX_COLOURS)]
            dash = dashes[others.index(line.other) % len(dashes)] if line.other is not None else "-"
            xs = [100 * x for x in line.x] if axis == "data_ratio" else line.x
            ticks.update(xs)
            ax.plot(xs, line.gain, color=colour, linestyle=dash, label=line.label, linewidth=1.5)
            band = [(x, lo, hi) for x, lo, hi in zip(xs, line.low, line.high) if not math.isnan(lo)]
            if len(band) > 1:
                ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], color=colour,
                                alpha=0.18, linewidth=0)
            else:  # a lone interval is drawn as an error bar
                for x, lo, hi in band:
                    ax.plot([x, x], [lo, hi], color=colour, alpha=0.5, linewidth=3)
            for x, gain, p, n in zip(xs, line.gain, line.p, line.n):
                significant = not math.isnan(p) and p < SIGNIFICANCE
                ax.plot([x], [gain], marker="o", markersize=6, color=colour,
                        markerfacecolor=colour if significant else "white", zorder=3)
                ax.annotate(f"n={n}", (x, gain), textcoords="offset points", xytext=(4, 4), fontsize=6, color=colour)
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_xticks(sorted(ticks), [f"{t:g}" for t in sorted(ticks)])
        ax.minorticks_off()
        ax.set_xlabel(AXES[axis])
        ax.set_ylabel("i-Mix gain (points)")
        ax.set_title(panel.title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize=7)
    against = "pretraining epochs" if axis == "epochs" else "training-set size"
    items = [c for p in panels for c in p.items]
    _suptitle(fig, f"i-Mix gain against {against}: {METRIC_LABELS[metric]}\n"
              f"line: mean paired gain; band: 95% CI; filled marker: p < 0.05 (paired t-test, 3+ seeds"
              f"{', Holm' if holm else ''})\n{tested_note(items, holm)}", fontsize=9)
    return save(fig, path, formats)


def make_figures(records: list[dict[str, Any]], out: str | Path, metric: str = "probe",
                 formats: str | Iterable[str] = ("png",), holm: bool = False,
                 names: dict[str, str] | None = None) -> list[str]:
    """Write every figure the records allow into ``out``; one line per figure (written or why not).

    The figures that show an accuracy are named for the metric when it is not the default probe
    (``bars_knn.png``), so drawing the kNN figures into the folder of the probe ones keeps both."""
    out = Path(out)

    def target(name: str) -> Path:
        return out / (f"{name}.png" if metric == "probe" else f"{name}_{metric}.png")

    formats = parse_formats(formats)
    suffix = "/".join(formats)
    lines = []
    bars = plot_data.bar_panels(records, metric, holm, names)
    if bars:
        lines.append(f"wrote {plot_bars(bars, target('bars'), metric, formats, holm, names).with_suffix('')}"
                     f".{suffix} ({len(bars)} data set(s))")
    else:
        lines.append("skipped bars: no records to compare")
    curves = plot_data.curve_panels(records, names)
    if curves:
        lines.append(f"wrote {plot_curves(curves, out / 'loss_curves.png', formats).with_suffix('')}.{suffix} "
                     f"({len(curves)} panel(s))")
    else:
        lines.append("skipped loss_curves: no record has a pretraining loss curve (runs with --epochs 0?)")
    ratios = plot_data.ratio_panels(records, metric, names)
    if ratios:
        lines.append(f"wrote {plot_ratios(ratios, target('data_ratio'), metric, formats).with_suffix('')}.{suffix} "
                     f"({len(ratios)} panel(s))")
    else:
        lines.append("skipped data_ratio: no data set and method was run at more than one --data-ratio "
                     "(e.g. `bench suite --data-ratios 0.1,0.5,1`)")
    for axis, name, hint in (("epochs", "gain_epochs", "--epochs (e.g. one suite per epoch count)"),
                             ("data_ratio", "gain_data", "--data-ratio (e.g. `bench suite --data-ratios 0.1,0.5,1`)")):
        gains = plot_data.gain_panels(records, axis, metric, holm, names)
        if gains:
            lines.append(f"wrote {plot_gains(gains, target(name), metric, formats, holm).with_suffix('')}"
                         f".{suffix} ({len(gains)} panel(s))")
        else:
            lines.append(f"skipped {name}: no method has baseline and i-Mix runs at more than one {hint}")
    return lines
