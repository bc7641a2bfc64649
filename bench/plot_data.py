"""The numbers behind each figure, shaped from result records (no matplotlib here).

Which records go where:
- bars and loss curves show, for each data set, the runs at its largest ``data_ratio`` (all the
  training data when such runs exist), so a data-efficiency ablation in the same results file
  does not mix into them; a panel made from less than all the data says so in its title;
- the data-ratio figure shows every (data set, method) that was run at more than one ratio.
Within each figure the arms of a comparison must differ only in the i-Mix switch, its settings
and the seed, checked as for the table (``bench/tables.py``); ``--where`` narrows the records.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from .tables import (METRICS, Arm, check_comparable, comparisons, data_ratio, method_column, method_order,
                     metric_value)

METRIC_LABELS = {"probe": "linear-probe test accuracy (%)", "knn": "kNN test accuracy (%)"}


def _dataset_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["domain"], record["dataset"]


def _title(domain: str, dataset: str, ratio: float = 1.0) -> str:
    return f"{domain}/{dataset}" + (f" (data ratio {ratio:g})" if ratio < 1 else "")


def arm_label(record: dict[str, Any], with_mix: bool = False) -> str:
    if not record["imix"]:
        return "baseline"
    mix = record.get("mix") or "mixup"
    return f"i-Mix ({mix})" if with_mix else "i-Mix"


def largest_ratio(records: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[tuple[str, str], float]]:
    """The records at each data set's largest data ratio, and that ratio per data set."""
    records = list(records)
    ratios: dict[tuple[str, str], float] = {}
    for record in records:
        key = _dataset_key(record)
        ratios[key] = max(ratios.get(key, 0.0), data_ratio(record))
    return [r for r in records if data_ratio(r) == ratios[_dataset_key(r)]], ratios


def last_per_seed(records: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """One record per seed; a seed recorded twice keeps its last record (as the table does)."""
    return {r["seed"]: r for r in records}


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value, NaN for none)."""
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


# ---------------------------------------------------------------- bars


@dataclass
class BarPanel:
    """One data set: per series (baseline, i-Mix, ...) a value per method, NaN where not run."""

    title: str
    methods: list[str]
    series: list[str]
    mean: dict[str, list[float]] = field(default_factory=dict)
    std: dict[str, list[float]] = field(default_factory=dict)
    n: dict[str, list[int]] = field(default_factory=dict)
    # per i-Mix series and method: (gain over the baseline, paired-test p-value or NaN)
    gain: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def bar_panels(records: Iterable[dict[str, Any]], metric: str = "probe") -> list[BarPanel]:
    chosen, ratios = largest_ratio(records)
    by_dataset: dict[tuple[str, str], list] = defaultdict(list)
    for c in comparisons(chosen, metric):
        by_dataset[(c.domain, c.dataset)].append(c)
    panels = []
    for (domain, dataset), items in by_dataset.items():
        methods = method_order(c.method for c in items)
        mixes = sorted({c.mix for c in items if c.mix}, key=lambda m: (m != "mixup", m))
        with_mix = any(m != "mixup" for m in mixes)
        names = {mix: f"i-Mix ({mix})" if with_mix else "i-Mix" for mix in mixes}
        panel = BarPanel(_title(domain, dataset, ratios[(domain, dataset)]), methods,
                         ["baseline", *names.values()])
        baselines: dict[str, Arm] = {c.method: c.baseline for c in items}
        treated = {(c.method, c.mix): c for c in items if c.mix}
        arms = {"baseline": [baselines.get(m, Arm()) for m in methods]}
        for mix, name in names.items():
            arms[name] = [treated[(m, mix)].imix if (m, mix) in treated else Arm() for m in methods]
            panel.gain[name] = [(treated[(m, mix)].gain, treated[(m, mix)].p_value) if (m, mix) in treated
                                else (math.nan, math.nan) for m in methods]
        for name, row in arms.items():
            panel.mean[name] = [arm.mean for arm in row]
            panel.std[name] = [arm.std if arm.n else math.nan for arm in row]
            panel.n[name] = [arm.n for arm in row]
        panels.append(panel)
    return panels


# ---------------------------------------------------------------- loss curves


@dataclass
class Curve:
    """One arm's pretraining loss per epoch and kNN monitor, mean and std over seeds."""

    label: str
    seeds: int
    epochs: list[int]
    loss_mean: list[float]
    loss_std: list[float]
    knn_epochs: list[int] = field(default_factory=list)
    knn_mean: list[float] = field(default_factory=list)  # in %
    knn_std: list[float] = field(default_factory=list)


@dataclass
class CurvePanel:
    title: str
    domain: str
    dataset: str
    method: str
    curves: list[Curve]

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
        for point in run.get("monitor") or []:
            by_epoch[int(point["epoch"])].append(100.0 * point["knn"])
    for epoch in sorted(by_epoch):
        mean, std = mean_std(by_epoch[epoch])
        curve.knn_epochs.append(epoch)
        curve.knn_mean.append(mean)
        curve.knn_std.append(std)
    return curve


def curve_panels(records: Iterable[dict[str, Any]]) -> list[CurvePanel]:
    """One panel per data set and method (at the data set's largest data ratio), one curve per arm."""
    chosen, ratios = largest_ratio(records)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in chosen:
        groups[(*_dataset_key(record), method_column(record))].append(record)
    panels = []
    datasets = sorted({key[:2] for key in groups})
    for domain, dataset in datasets:
        for method in method_order(m for d, s, m in groups if (d, s) == (domain, dataset)):
            group = groups[(domain, dataset, method)]
            with_mix = len({r.get("mix") or "mixup" for r in group if r["imix"]}) > 1
            arms: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for record in group:
                arms[arm_label(record, with_mix)].append(record)
            label = f"{_title(domain, dataset, ratios[(domain, dataset)])} {method}"
            check_comparable(label, group)
            curves = [c for name in sorted(arms, key=lambda a: (a != "baseline", a))
                      if (c := _curve(name, arms[name])) is not None]
            if curves:
                panels.append(CurvePanel(label, domain, dataset, method, curves))
    return panels


# ---------------------------------------------------------------- accuracy against data ratio


@dataclass
class RatioSeries:
    label: str
    ratios: list[float]
    mean: list[float]
    std: list[float]
    n: list[int]


@dataclass
class RatioPanel:
    title: str
    series: list[RatioSeries]


def ratio_panels(records: Iterable[dict[str, Any]], metric: str = "probe") -> list[RatioPanel]:
    """Every (data set, method) run at more than one data ratio: accuracy per ratio, per arm."""
    if metric not in METRICS:
        raise KeyError(metric)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        groups[(*_dataset_key(record), method_column(record))].append(record)
    panels = []
    order = method_order(method for _, _, method in groups)
    for domain, dataset, method in sorted(groups, key=lambda k: (k[0], k[1], order.index(k[2]))):
        group = groups[(domain, dataset, method)]
        ratios = sorted({data_ratio(r) for r in group})
        if len(ratios) < 2:
            continue
        with_mix = len({r.get("mix") or "mixup" for r in group if r["imix"]}) > 1
        points: dict[str, dict[float, Arm]] = defaultdict(dict)
        for ratio in ratios:
            at_ratio = [r for r in group if data_ratio(r) == ratio]
            check_comparable(f"{domain}/{dataset} {method} at data ratio {ratio:g}", at_ratio)
            arms: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for record in at_ratio:
                arms[arm_label(record, with_mix)].append(record)
            for name, arm_records in arms.items():
                points[name][ratio] = Arm({s: metric_value(r, metric)
                                           for s, r in last_per_seed(arm_records).items()})
        series = []
        for name in sorted(points, key=lambda a: (a != "baseline", a)):
            xs = sorted(points[name])
            arms_at = [points[name][x] for x in xs]
            series.append(RatioSeries(name, xs, [a.mean for a in arms_at], [a.std for a in arms_at],
                                      [a.n for a in arms_at]))
        panels.append(RatioPanel(f"{domain}/{dataset} {method}", series))
    return panels
