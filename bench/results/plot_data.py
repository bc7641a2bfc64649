"""The numbers behind each figure, shaped from result records (no matplotlib here).

Which records go where:
- bars and loss curves show, for each data set, the runs at its largest ``data_ratio`` (all the
  training data when such runs exist), so a data-efficiency ablation in the same results file
  does not mix into them; a panel made from less than all the data says so in its title; a data
  set run at several epoch counts gets a panel per count;
- the data-ratio figure shows every (data set, epochs, method) that was run at more than one ratio;
- the gain figures (the regime study, ``bench/results/gain_data.py``) show the i-Mix gain against the pretraining epochs and
  against the data ratio, one line per method and i-Mix variant, with its 95% interval.
Within each figure the arms of a comparison must differ only in the i-Mix switch and the seed,
checked as for the table; two mixing settings (mix, alpha) are two arms, never one. The
grouping, the checks and the labels are ``bench/results/arms.py``, the statistics ``bench/results/paired.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from bench.results.arms import (
    check_comparable,
    dataset_key,
    epoch_counts,
    labelled_arms,
    largest_ratio,
    last_per_seed,
    shows_mix,
)
from bench.results.labels import (
    DEFAULT_MIX,
    data_ratio,
    epochs_of,
    imix_label,
    method_column,
    method_order,
    panel_label,
    title,
)
from bench.results.paired import (
    METRICS,
    Arm,
    Comparison,
    apply_holm,
    comparisons,
    mean_std,
)

METRIC_LABELS = {"probe": "linear-probe test accuracy (%)", "knn": "kNN test accuracy (%)"}


def chance_level(records: Iterable[dict[str, Any]]) -> float | None:
    """100 / classes, in %: the floor of an accuracy axis that is not a bar (None when unknown or unequal)."""
    counts = {(r.get("data") or {}).get("n_classes") for r in records}
    (count,) = counts if len(counts) == 1 else (None,)
    return 100.0 / count if isinstance(count, int) and count > 1 else None


def validation_points(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's monitor entries that scored held-out training rows (older ones scored the test split)."""
    return [point for point in record.get("monitor") or [] if point.get("split") == "validation"]


def test_monitored(records: Iterable[dict[str, Any]]) -> int:
    """How many records carry only a monitor made on the test split (before the validation monitor)."""
    return sum(1 for r in records if r.get("monitor") and not validation_points(r))


# ---------------------------------------------------------------- bars


@dataclass
class BarPanel:
    """One data set: per series (baseline, i-Mix, ...) a value per method, NaN where not run."""

    title: str
    methods: list[str]
    series: list[str]
    mean: dict[str, list[float]] = field(default_factory=dict)
    std: dict[str, list[float]] = field(default_factory=dict)  # NaN for one seed: nothing to draw
    n: dict[str, list[int]] = field(default_factory=dict)
    # per series and method: the accuracy of each seed, drawn as points over the bar
    values: dict[str, list[list[float]]] = field(default_factory=dict)
    # per i-Mix series and method: (gain over the baseline, paired-test p-value or NaN)
    gain: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    # the comparisons behind the panel (for the count of tested cells)
    items: list[Comparison] = field(default_factory=list)


def bar_panels(records: Iterable[dict[str, Any]], metric: str = "probe", holm: bool = False,
               names: dict[str, str] | None = None) -> list[BarPanel]:
    """A panel per data set (and per epoch count when it has several), at its largest data ratio.

    With ``holm`` the p-values are Holm-adjusted over every tested cell of the figure.
    """
    chosen, ratios = largest_ratio(records)
    everything = comparisons(chosen, metric)
    if holm:
        apply_holm(everything)
    by_panel: dict[tuple[str, str, int | None], list[Comparison]] = defaultdict(list)
    for c in everything:
        by_panel[(c.domain, c.dataset, c.epochs if c.show_epochs else None)].append(c)
    panels = []
    for (domain, dataset, epochs), items in by_panel.items():
        methods = method_order(c.method for c in items)
        treated_items = [c for c in items if c.mix]
        with_mix = any(c.mix != DEFAULT_MIX for c in treated_items)
        variants = sorted({(c.mix, c.alpha) for c in treated_items}, key=lambda v: (v[0] != DEFAULT_MIX, v))
        labels = {v: imix_label(*v, with_mix) for v in variants}
        panel = BarPanel(title(domain, dataset, ratios[(domain, dataset)], names, epochs), methods,
                         ["baseline", *labels.values()], items=items)
        baselines: dict[str, Arm] = {c.method: c.baseline for c in items}
        treated = {(c.method, c.mix, c.alpha): c for c in treated_items}
        arms = {"baseline": [baselines.get(m, Arm()) for m in methods]}
        for (mix, alpha), name in labels.items():
            cells = [treated.get((m, mix, alpha)) for m in methods]
            arms[name] = [c.imix if c else Arm() for c in cells]
            panel.gain[name] = [(c.gain, c.reported_p) if c and c.baseline.n else (math.nan, math.nan)
                                for c in cells]
        for name, row in arms.items():
            panel.mean[name] = [arm.mean for arm in row]
            panel.std[name] = [arm.std if arm.n > 1 else math.nan for arm in row]
            panel.n[name] = [arm.n for arm in row]
            panel.values[name] = [arm.values for arm in row]
        panels.append(panel)
    return panels


# ---------------------------------------------------------------- loss curves


@dataclass
class Curve:
    """One arm's pretraining loss per epoch and validation kNN monitor, mean and std over seeds."""

    label: str
    seeds: int
    epochs: list[int]
    loss_mean: list[float]
    loss_std: list[float]
    knn_epochs: list[int] = field(default_factory=list)
    knn_mean: list[float] = field(default_factory=list)  # in %
    knn_std: list[float] = field(default_factory=list)
    knn_values: list[list[float]] = field(default_factory=list)  # per monitored epoch, each seed's value


@dataclass
class CurvePanel:
    title: str
    domain: str
    dataset: str
    method: str
    curves: list[Curve]
    epochs: int | None = None  # set when the data set was run at several epoch counts
    chance: float | None = None  # 100 / classes: the floor of the monitor's axis

    @property
    def has_monitor(self) -> bool:
        return any(c.knn_epochs for c in self.curves)


def _curve(label: str, records: list[dict[str, Any]]) -> Curve | None:
    runs = list(last_per_seed(records).values())
    losses = [r.get("loss_curve") or [] for r in runs]
    length = min(len(loss) for loss in losses)  # the epochs every seed reached
    if length == 0:
        return None
    stats = [mean_std([loss[e] for loss in losses]) for e in range(length)]
    curve = Curve(label, len(runs), list(range(1, length + 1)), [m for m, _ in stats], [s for _, s in stats])
    by_epoch: dict[int, list[float]] = defaultdict(list)
    for run in runs:
        for point in validation_points(run):
            by_epoch[int(point["epoch"])].append(100.0 * point["knn"])
    for epoch in sorted(by_epoch):
        mean, std = mean_std(by_epoch[epoch])
        curve.knn_epochs.append(epoch)
        curve.knn_mean.append(mean)
        curve.knn_std.append(std)
        curve.knn_values.append(by_epoch[epoch])
    return curve


def curve_panels(records: Iterable[dict[str, Any]], names: dict[str, str] | None = None) -> list[CurvePanel]:
    """One panel per data set, epoch count and method (at the data set's largest data ratio), a curve per arm."""
    chosen, ratios = largest_ratio(records)
    counts = epoch_counts(chosen)
    groups: dict[tuple[str, str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for record in chosen:
        groups[(*dataset_key(record), epochs_of(record), method_column(record))].append(record)
    panels = []
    for domain, dataset, epochs in sorted({key[:3] for key in groups}):
        for method in method_order(m for d, s, e, m in groups if (d, s, e) == (domain, dataset, epochs)):
            group = groups[(domain, dataset, epochs, method)]
            shown = epochs if len(counts[(domain, dataset)]) > 1 else None
            label = panel_label(domain, dataset, method, names, ratios[(domain, dataset)], shown)
            check_comparable(label, group)
            arms = labelled_arms(group, shows_mix(group))
            curves = [c for name in sorted(arms, key=lambda a: (a != "baseline", a))
                      if (c := _curve(name, arms[name])) is not None]
            if curves:
                panels.append(CurvePanel(label, domain, dataset, method, curves, epochs=shown,
                                         chance=chance_level(group)))
    return panels


# ---------------------------------------------------------------- accuracy against data ratio


@dataclass
class RatioSeries:
    label: str
    ratios: list[float]
    mean: list[float]
    std: list[float]
    n: list[int]
    values: list[list[float]] = field(default_factory=list)  # per ratio, each seed's accuracy


@dataclass
class RatioPanel:
    title: str
    series: list[RatioSeries]
    chance: float | None = None  # 100 / classes: the floor of the accuracy axis


def ratio_panels(records: Iterable[dict[str, Any]], metric: str = "probe",
                 names: dict[str, str] | None = None) -> list[RatioPanel]:
    """Every (data set, epochs, method) run at more than one data ratio: accuracy per ratio, per arm."""
    if metric not in METRICS:
        raise KeyError(metric)
    records = list(records)
    counts = epoch_counts(records)
    groups: dict[tuple[str, str, int, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(*dataset_key(record), epochs_of(record), method_column(record))].append(record)
    panels = []
    order = method_order(key[3] for key in groups)
    for domain, dataset, epochs, method in sorted(groups, key=lambda k: (k[0], k[1], k[2], order.index(k[3]))):
        group = groups[(domain, dataset, epochs, method)]
        ratios = sorted({data_ratio(r) for r in group})
        if len(ratios) < 2:
            continue
        shown = epochs if len(counts[(domain, dataset)]) > 1 else None
        heading = panel_label(domain, dataset, method, names, epochs=shown)
        points: dict[str, dict[float, Arm]] = defaultdict(dict)
        for ratio in ratios:
            at_ratio = [r for r in group if data_ratio(r) == ratio]
            check_comparable(f"{heading} at data ratio {ratio:g}", at_ratio)
            for name, arm_records in labelled_arms(at_ratio, shows_mix(group)).items():
                points[name][ratio] = Arm.of(arm_records, metric)
        series = []
        for name in sorted(points, key=lambda a: (a != "baseline", a)):
            xs = sorted(points[name])
            arms_at = [points[name][x] for x in xs]
            series.append(RatioSeries(name, xs, [a.mean for a in arms_at],
                                      [a.std if a.n > 1 else math.nan for a in arms_at], [a.n for a in arms_at],
                                      [a.values for a in arms_at]))
        panels.append(RatioPanel(heading, series, chance_level(group)))
    return panels


# the regime study's gain figures live in their own file; these names stay importable from here
from bench.results.gain_data import AXES, GainLine, GainPanel, gain_panels  # noqa: E402,F401
