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
    """One row per (domain, dataset, method, mixer): baseline, i-Mix, difference of means.

    MixUp and CutMix runs are different treatments, so each mixer gets its own row; the
    baseline cell is the same for all rows of a method.
    """
    baselines: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    mixed: dict[tuple[str, str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        key = (record["domain"], record["dataset"], record["method"])
        if record["imix"]:
            mixed[key][record.get("mix") or "mixup"].append(metric_value(record, metric))
        else:
            baselines[key].append(metric_value(record, metric))
    rows = []
    for key in sorted(set(baselines) | set(mixed)):
        domain, dataset, method = key
        base = baselines.get(key, [])
        for mix, values in sorted(mixed.get(key, {"": []}).items(), key=lambda kv: (kv[0] != "mixup", kv[0])):
            gain = f"{mean_std(values)[0] - mean_std(base)[0]:+.2f}" if base and values else "-"
            label = f"{method} ({mix})" if mix and mix != "mixup" else method
            rows.append([f"{domain}/{dataset}", label, format_cell(base), format_cell(values), gain])
    return rows


def comparison_table(records: Iterable[dict[str, Any]], metric: str = "probe") -> str:
    headers = ["dataset", "method", f"baseline {metric} %", f"i-Mix {metric} %", "gain"]
    return tabulate(comparison_rows(records, metric), headers=headers, tablefmt="github", disable_numparse=True)
