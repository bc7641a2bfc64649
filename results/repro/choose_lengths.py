"""The reproduction tables' pretraining lengths, chosen from the regime study by the fixed rule.

The rule (results/repro/README.md, fixed before the study's long full-data cells existed): per
data set, at the full training split, the length with the largest linear-probe gain of i-Mix
over the baseline, averaged over SimCLR and MoCo, on the study's seeds 0-2. Where another length's
gain lies inside the best one's 95% interval and the best one's inside its own, the shorter
length is taken. kNN
does not choose. A length is a candidate only once both methods have all three paired seeds;
until every length of a data set is, that data set is "not ready".

    python results/repro/choose_lengths.py [--results results/regime/runs.jsonl]

It prints the evidence and the EPOCHS line for results/repro/run.sh; it writes nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.results.paired import comparisons, mean_interval  # noqa: E402
from bench.results.records import read_records  # noqa: E402

SEEDS = (0, 1, 2)  # the regime study's seeds; the reproduction tables run 3-7
METHODS = ("simclr", "moco")


def interval(gains: list[float]) -> tuple[float, float, float]:
    """Mean and 95% interval of per-seed gains (the interval bench table prints beside a gain)."""
    return (statistics.fmean(gains), *mean_interval(gains))


def choose(gains_by_length: dict[int, list[float]]) -> int:
    """The rule: the length of the best mean gain, or the shortest one tied with it (equal, or each inside the other's interval)."""
    summary = {length: interval(gains) for length, gains in gains_by_length.items()}
    best = max(summary, key=lambda length: (summary[length][0], -length))
    b_mean, b_low, b_high = summary[best]

    def tied(length: int) -> bool:
        mean, low, high = summary[length]
        return b_low <= mean <= b_high and low <= b_mean <= high  # each gain inside the other's interval

    return min(length for length in summary if length <= best and tied(length))


def study_lengths() -> dict[str, list[int]]:
    """Each data set's short, middle and long length, as results/regime/run.sh declares them."""
    script = (ROOT / "results/regime/run.sh").read_text()
    lengths: dict[str, list[int]] = defaultdict(list)
    for tier in ("SHORT", "MID", "LONG"):
        declared = re.search(rf"declare -A {tier}=\((.*?)\)", script).group(1)
        for name, epochs in re.findall(r"\[(\w+)\]=(\d+)", declared):
            lengths[name].append(int(epochs))
    return lengths


def method_gains(records: list[dict]) -> dict[tuple[str, int], dict[str, dict[int, float]]]:
    """(domain, epochs) -> method -> seed -> probe gain in points, full data, seeds 0-2."""
    kept = [r for r in records if "config" in r and r["config"].get("data_ratio", 1.0) == 1.0
            and r["seed"] in SEEDS and r["method"] in METHODS]
    by_length: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for record in kept:
        by_length[(record["domain"], record["config"]["epochs"])].append(record)
    out: dict[tuple[str, int], dict[str, dict[int, float]]] = defaultdict(dict)
    for key, group in by_length.items():
        for c in comparisons(group, "probe"):
            out[key][c.method] = dict(zip(c.paired_seeds, c.differences))  # points
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(ROOT / "results/regime/runs.jsonl"))
    args = parser.parse_args()
    study = tomllib.loads((ROOT / "results/regime/regime.toml").read_text())
    names = {entry["domain"]: entry["name"] for entry in study["datasets"]}  # one data set per domain
    records = read_records(args.results, missing_ok=True)
    print(f"{len(records)} records from {args.results}")
    found = method_gains(records)
    lengths = study_lengths()
    chosen: dict[str, int | str] = {}
    for domain, name in names.items():
        complete: dict[int, list[float]] = {}
        for epochs in lengths[name]:
            per_method = found.get((domain, epochs), {})
            ready = all(set(SEEDS) <= set(per_method.get(m, {})) for m in METHODS)
            if ready:
                complete[epochs] = [statistics.fmean(per_method[m][s] for m in METHODS) for s in SEEDS]
                mean, low, high = interval(complete[epochs])
                print(f"{name:8s} {epochs:4d} epochs: gain {mean:+.2f} [{low:+.2f}, {high:+.2f}] "
                      f"(SimCLR and MoCo averaged per seed)")
            else:
                print(f"{name:8s} {epochs:4d} epochs: not all of seeds 0-2 for both methods yet")
        chosen[name] = choose(complete) if len(complete) == len(lengths[name]) else "TBD"
    print("\ndeclare -A EPOCHS=(" + " ".join(f"[{n}]={e}" for n, e in chosen.items()) + ")")
    if "TBD" in chosen.values():
        print("not ready: a data set still lacks a length's seeds; run the regime study on (bash results/regime/run.sh)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
