"""The report's provenance: one collapsible block per run with its results, data, environment,
commit and full config, so every number on the page can be traced to how it was made."""

from __future__ import annotations

import json
from typing import Any

from bench.results.labels import arm_label
from bench.results.report_html import escape as _e


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts as dotted keys; lists and scalars as JSON text."""
    if isinstance(value, dict):
        pairs = []
        for key in sorted(value):
            pairs += _flat(value[key], f"{prefix}{key}.")
        return pairs
    return [(prefix.rstrip("."), value if isinstance(value, str) else json.dumps(value))]


def _kv(title: str, mapping: Any) -> str:
    if not mapping:
        return ""
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in _flat(mapping))
    return f"<h3>{_e(title)}</h3><table class=\"kv\"><tbody>{rows}</tbody></table>"


def _percent(section: Any) -> str:
    accuracy = section.get("accuracy") if isinstance(section, dict) else None
    return "-" if accuracy is None else f"{100 * accuracy:.2f}%"


def short_commit(commit: str | None) -> str:
    """The first 12 hex digits, keeping the '+dirty' mark (the code had uncommitted changes)."""
    if not commit:
        return "-"
    return commit[:12] + ("+dirty" if commit.endswith("+dirty") else "")


def run_sort_key(record: dict[str, Any]) -> tuple:
    return (str(record.get("domain")), str(record.get("dataset")), float(record.get("config", {}).get("data_ratio", 1)),
            str(record.get("method")), bool(record.get("imix")), str(record.get("mix") or ""), record.get("seed", 0))


def run_details(record: dict[str, Any]) -> str:
    """One collapsible block: what ran, its numbers, where and from which commit, and its full config."""
    config = record.get("config", {})
    arm = arm_label(record, with_mix=True)
    ratio = config.get("data_ratio", 1)
    environment = record.get("environment") or {}
    commit = environment.get("git_commit")
    wall = record.get("wall_seconds")
    summary = (f"{record.get('domain')}/{record.get('dataset')}{f' @ {ratio:g} data' if ratio != 1 else ''} · "
               f"{record.get('method')} · {arm} · seed {record.get('seed')} · probe {_percent(record.get('probe'))} · "
               f"kNN {_percent(record.get('knn'))} · "
               f"{'-' if wall is None else f'{wall:.1f} s'} · commit {short_commit(commit)}")
    run = {k: record.get(k) for k in ("id", "finished_at", "encoder", "wall_seconds", "train_seconds",
                                      "samples_per_second", "record_version") if record.get(k) is not None}
    losses = record.get("loss_curve") or []
    if losses:
        run["loss (first, last epoch)"] = f"{losses[0]:.4f}, {losses[-1]:.4f} ({len(losses)} epochs)"
    results = {k: record.get(k) for k in ("probe", "knn", "raw_probe", "monitor") if record.get(k)}
    return (f"<details><summary>{_e(summary)}</summary>" + _kv("run", run) + _kv("results", results) +
            _kv("data", record.get("data")) + _kv("environment", environment) + _kv("config", config) +
            "</details>")
