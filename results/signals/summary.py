"""Print the MNIST-1D benchmark per method and mixing, with the reference rows.

    python results/signals/summary.py

`python -m bench table --results results/signals/runs.jsonl` prints the suite's standard
baseline-vs-i-Mix table (MixUp); this script adds the i-CutMix runs (cutmix.jsonl), the
raw-feature probe and the untrained-encoder rows (reference.jsonl), for probe and kNN.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tabulate import tabulate  # noqa: E402

from bench.results.records import read_records  # noqa: E402
from bench.results.labels import arm_label  # noqa: E402
from bench.results.paired import format_cell  # noqa: E402

HERE = Path(__file__).resolve().parent


def rows() -> list[list[str]]:
    records = read_records(HERE / "runs.jsonl")
    if (HERE / "cutmix.jsonl").exists():
        records += read_records(HERE / "cutmix.jsonl")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        groups[(r["method"], arm_label(r, with_mix=True))].append(r)  # i-Mix (mixup), i-Mix (cutmix, alpha 2)
    table = []
    for (method, variant), group in sorted(groups.items()):
        table.append([method, variant, format_cell([100 * r["probe"]["accuracy"] for r in group]),
                      format_cell([100 * r["knn"]["accuracy"] for r in group]),
                      f"{sum(r['train_seconds'] for r in group) / len(group):.0f}"])
    reference = read_records(HERE / "reference.jsonl")
    table.append(["untrained cnn1d", "--epochs 0", format_cell([100 * r["probe"]["accuracy"] for r in reference]),
                  format_cell([100 * r["knn"]["accuracy"] for r in reference]), "0"])
    table.append(["raw features", "40 values", format_cell([100 * r["raw_probe"]["accuracy"] for r in reference]),
                  "-", "0"])
    return table


if __name__ == "__main__":
    print(tabulate(rows(), headers=["method", "variant", "linear probe %", "kNN %", "train s"],
                   tablefmt="github", disable_numparse=True))
