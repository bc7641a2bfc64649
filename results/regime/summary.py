"""The regime study's table: i-Mix's gain against pretraining length and training-set size.

`bench table` compares the two arms of one setting; the study has many settings per data set
(epochs x data ratio), so this prints one row per (data set, method, epochs, data ratio), with
the paired test of `bench.results.paired`: the gain with its 95% interval, the p-value, and Holm's
adjustment over every tested row (the study tests many settings at once). Every number comes
from results/regime/runs.jsonl.

    python results/regime/summary.py [--results results/regime/runs.jsonl] [--metric probe|knn]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.results.records import read_records  # noqa: E402
from bench.results.labels import method_order  # noqa: E402
from bench.results.paired import Comparison, apply_holm, chance_note, comparisons  # noqa: E402


def found(records: list[dict], metric: str) -> list[tuple[int, Comparison]]:
    """(epochs, comparison) for every setting, Holm-adjusted over all of them."""
    by_epochs: dict[int, list[dict]] = defaultdict(list)
    for record in records:
        by_epochs[record["config"]["epochs"]].append(record)
    pairs = [(epochs, c) for epochs, group in by_epochs.items() for c in comparisons(group, metric)]
    apply_holm([c for _, c in pairs])
    return pairs


def p_text(p: float) -> str:
    return "-" if math.isnan(p) else f"{p:.3f}"


def rows(pairs: list[tuple[int, Comparison]]) -> list[list[str]]:
    methods = method_order(c.method for _, c in pairs)
    table = []
    for epochs, c in sorted(pairs, key=lambda ec: (ec[1].domain, ec[1].dataset, methods.index(ec[1].method),
                                                   -ec[1].data_ratio, ec[0])):
        arm = lambda a: f"{a.mean:.2f} ({a.n})" if a.n else "-"  # noqa: E731
        gain = f"{c.gain:+.2f}" if c.baseline.n and c.imix.n else "-"
        low, high = c.ci
        interval = "-" if math.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"
        # the variant (cutmix, alpha 2) keeps two i-Mix arms of one setting on rows a reader can tell apart
        table.append([f"{c.domain}/{c.dataset}{c.variant_label}", c.method, str(epochs), f"{c.data_ratio:g}",
                      arm(c.baseline), arm(c.imix), gain, interval, p_text(c.p_value), p_text(c.p_adjusted)])
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="results/regime/runs.jsonl")
    parser.add_argument("--metric", choices=("probe", "knn"), default="probe")
    args = parser.parse_args()
    records = [r for r in read_records(args.results, missing_ok=True) if "config" in r]
    header = ["data set", "method", "epochs", "data", "baseline (seeds)", "i-Mix (seeds)", "gain", "95% CI",
              "p (paired t, >= 3 seeds)", "p (Holm)"]
    print(f"{args.metric} accuracy (%), {len(records)} records from {args.results}\n")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    pairs = found(records, args.metric)
    for row in rows(pairs):
        print("| " + " | ".join(row) + " |")
    print("\n" + chance_note([c for _, c in pairs]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
