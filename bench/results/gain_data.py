"""The numbers behind the regime study's figures: the i-Mix gain against the pretraining epochs
and against the data ratio, one line per method and i-Mix variant, with its 95% interval and each
seed's paired gain (no matplotlib here; bench/results/plot_gains.py draws them).

Each point is one comparison of the table, with the same grouping and checks (bench/results/paired.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from bench.results.labels import DEFAULT_MIX, line_label, method_order, title
from bench.results.paired import Comparison, apply_holm, comparisons

AXES = {"epochs": "pretraining epochs", "data_ratio": "share of training data (%)"}  # short: 4 panels a row


@dataclass
class GainLine:
    """One method (and i-Mix variant): the mean paired gain at each x, its 95% interval and test."""

    label: str
    x: list[float]
    gain: list[float]
    low: list[float]  # NaN where the interval is undefined (fewer than 3 pairs, identical gains)
    high: list[float]
    p: list[float]  # NaN where there is no test; Holm-adjusted when asked
    n: list[int]  # paired seeds
    series: str  # the method (and i-Mix variant) alone: figures colour by it, the same in every panel
    other: float | None  # the other axis's value (data ratio or epochs): figures dash by it
    seed_gains: list[list[float]] = field(default_factory=list)  # per x, the paired gain of each seed


@dataclass
class GainPanel:
    title: str
    axis: str  # "epochs" or "data_ratio"
    lines: list[GainLine]
    items: list[Comparison] = field(default_factory=list)


def gain_panels(records: Iterable[dict[str, Any]], axis: str, metric: str = "probe", holm: bool = False,
                names: dict[str, str] | None = None) -> list[GainPanel]:
    """Per data set, a line per (method, i-Mix variant, the other axis's value) run at 2+ values of ``axis``.

    Each point is one comparison of the table (same grouping and checks); with ``holm`` the
    p-values are adjusted over every point of the figure.
    """
    if axis not in AXES:
        raise KeyError(axis)
    names = names or {}
    lines: dict[tuple, list[Comparison]] = defaultdict(list)
    for c in comparisons(records, metric):
        if not (c.baseline.n and c.imix.n):
            continue
        other = c.epochs if axis == "data_ratio" else c.data_ratio
        lines[(c.domain, c.dataset, c.method, c.mix, c.alpha, other)].append(c)
    lines = {key: items for key, items in lines.items() if len(items) > 1}
    tested = [c for items in lines.values() for c in items]
    if holm:
        apply_holm(tested)
    by_dataset: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for key in lines:
        by_dataset[key[:2]].append(key)
    panels = []
    for (domain, dataset), keys in sorted(by_dataset.items()):
        others = {key[5] for key in keys}
        order = method_order(key[2] for key in keys)
        panel = GainPanel(title(domain, dataset, names=names), axis, [])
        for key in sorted(keys, key=lambda k: (order.index(k[2]), k[3] != DEFAULT_MIX, k[3], k[4], k[5] or 0)):
            _, _, method, mix, alpha, other = key
            items = sorted(lines[key], key=lambda c: c.epochs if axis == "epochs" else c.data_ratio)
            series = line_label(method, mix, alpha, names)
            label = series
            if len(others) > 1 or (axis == "epochs" and other != 1.0):
                label += f" @ {other:g} data" if axis == "epochs" else f" @ {other} epochs"
            panel.lines.append(GainLine(
                label, [float(c.epochs if axis == "epochs" else c.data_ratio) for c in items],
                [c.gain for c in items], [c.ci[0] for c in items], [c.ci[1] for c in items],
                [c.reported_p for c in items], [len(c.paired_seeds) for c in items], series, other,
                [c.differences for c in items]))
            panel.items += items
        panels.append(panel)
    return panels
