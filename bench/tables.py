"""Paper-style comparison tables: baseline versus i-Mix per method and dataset."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any, Iterable

from tabulate import tabulate

METRICS = {"probe": ("probe", "accuracy"), "knn": ("knn", "accuracy")}


def metric_value(record: dict[str, Any], metric: str) -> float:
    section, key = METRICS[metric]
    return 100.0 * record[section][key]


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single seed)."""
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def format_cell(values: list[float]) -> str:
    if not values:
        return "-"
    mean, std = mean_std(values)
    return f"{mean:.2f} ± {std:.2f} (n={len(values)})"


def comparison_rows(records: Iterable[dict[str, Any]], metric: str = "probe") -> list[list[str]]:
    """One row per (domain, dataset, method): baseline, i-Mix, and the difference of means."""
    groups: dict[tuple[str, str, str], dict[bool, list[float]]] = defaultdict(lambda: {False: [], True: []})
    for record in records:
        key = (record["domain"], record["dataset"], record["method"])
        groups[key][bool(record["imix"])].append(metric_value(record, metric))
    rows = []
    for (domain, dataset, method), by_imix in sorted(groups.items()):
        base, mixed = by_imix[False], by_imix[True]
        gain = f"{mean_std(mixed)[0] - mean_std(base)[0]:+.2f}" if base and mixed else "-"
        rows.append([f"{domain}/{dataset}", method, format_cell(base), format_cell(mixed), gain])
    return rows


def comparison_table(records: Iterable[dict[str, Any]], metric: str = "probe") -> str:
    headers = ["dataset", "method", f"baseline {metric} %", f"i-Mix {metric} %", "gain"]
    return tabulate(comparison_rows(records, metric), headers=headers, tablefmt="github", disable_numparse=True)
