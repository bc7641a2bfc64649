"""Print the table of results/perf/distributed.jsonl and distributed-memory.jsonl (medians over rounds)."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def label(record: dict) -> str:
    c = record["config"]
    parts = [f"{record['environment'].get('processes', 1)} proc x {c['workers'] or 'default'} thread(s)",
             c["precision"]]
    parts += [flag for flag in ("sync_bn", "channels_last", "compile") if c.get(flag)]
    return f"{', '.join(parts)}, {c['epochs']} epochs"


rows = defaultdict(list)
for line in (HERE / "distributed.jsonl").read_text().splitlines():
    record = json.loads(line)
    rows[label(record)].append(record)
print("| setting | samples/s of each run, in order | median | linear probe | kNN |")
print("|---|---|---|---|---|")
for name, records in rows.items():
    speed = statistics.median(r["samples_per_second"] for r in records)
    probe = statistics.median(r["probe"]["accuracy"] for r in records)
    knn = statistics.median(r["knn"]["accuracy"] for r in records)
    each = ", ".join(f"{r['samples_per_second']:.0f}" for r in records)
    print(f"| {name} | {each} | {speed:.0f} | {100 * probe:.2f}% | {100 * knn:.2f}% |")
print()
for line in (HERE / "distributed-memory.jsonl").read_text().splitlines():
    print(line)
