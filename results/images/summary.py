"""Per method and mixing (baseline, i-MixUp, i-CutMix): probe and kNN accuracy side by side, and images/s.

`python -m bench table --results results/images/runs.jsonl` keeps MixUp and CutMix apart too (one
row per mixing, the CutMix row marked "(cutmix)", each i-Mix arm against the baseline of the same
seeds, with the paired gain, its 95% interval and p), but shows one metric per table and no
throughput; this prints both metrics and the pretraining images/s of every arm in one table.
Run from the repository root: python results/images/summary.py [results/images/runs.jsonl]
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tabulate import tabulate  # noqa: E402

from bench.results.labels import alpha_of, mix_of  # noqa: E402
from bench.results.records import read_records  # noqa: E402


def cell(values: list[float]) -> str:
    if not values:
        return "-"
    spread = f" ± {statistics.stdev(values):.2f}" if len(values) > 1 else ""
    return f"{statistics.fmean(values):.2f}{spread} (n={len(values)})"


def main(path: str) -> None:
    groups: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for record in read_records(path):  # a torn or foreign line is skipped with a note, as bench table does
        alpha = alpha_of(record)  # two alphas are two arms: "mixup alpha 2" beside "mixup"
        arm = (mix_of(record) + (f" alpha {alpha:g}" if alpha != 1.0 else "")) if record["imix"] else "baseline"
        key = (record["method"], arm)
        groups[key]["probe"].append(100 * record["probe"]["accuracy"])
        groups[key]["knn"].append(100 * record["knn"]["accuracy"])
        groups[key]["rate"].append(record["samples_per_second"])
    order = {"baseline": 0, "mixup": 1, "cutmix": 2}
    rows = [[method, mix, cell(g["probe"]), cell(g["knn"]), f"{statistics.fmean(g['rate']):.0f}"]
            for (method, mix), g in sorted(groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 3), kv[0][1]))]
    print(tabulate(rows, headers=["method", "i-Mix", "linear probe %", "kNN %", "images/s"], tablefmt="github"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/images/runs.jsonl")
