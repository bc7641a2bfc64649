"""The text table's pretraining length, chosen from the text regime study by the reproduction's fixed rule.

The rule is results/repro/choose_lengths.py's, imported from it so the two cannot drift apart:
at the study's subset, the length with the largest linear-probe gain of i-Mix over the baseline,
averaged over SimCLR and MoCo per seed, on seeds 0-2; where a shorter length's gain and the best
one's each lie inside the other's 95% interval, the shorter length is taken. kNN does not choose.

    python results/text/choose_length.py [--results results/text/regime.jsonl]

It prints the evidence and the EPOCHS line for results/text/run.sh; it writes nothing, and exits 1
while a length lacks seeds 0-2 of both methods.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.results.records import read_records  # noqa: E402


def repro_rule():
    """results/repro/choose_lengths.py as a module (results/ is not a package)."""
    spec = importlib.util.spec_from_file_location("choose_lengths", ROOT / "results/repro/choose_lengths.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def study_lengths() -> list[int]:
    """The short, middle and long lengths, as results/text/run.sh declares them."""
    declared = re.search(r"^LENGTHS=\(([\d ]+)\)", (ROOT / "results/text/run.sh").read_text(), re.M).group(1)
    return [int(n) for n in declared.split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(ROOT / "results/text/regime.jsonl"))
    args = parser.parse_args()
    rule = repro_rule()
    records = read_records(args.results, missing_ok=True)
    print(f"{len(records)} records from {args.results}")
    found = rule.method_gains(records)
    complete: dict[int, list[float]] = {}
    for epochs in study_lengths():
        per_method = found.get(("text", epochs), {})
        if not all(set(rule.SEEDS) <= set(per_method.get(m, {})) for m in rule.METHODS):
            print(f"{epochs:4d} epochs: not all of seeds 0-2 for both methods yet")
            continue
        complete[epochs] = [statistics.fmean(per_method[m][s] for m in rule.METHODS) for s in rule.SEEDS]
        mean, low, high = rule.interval(complete[epochs])
        print(f"{epochs:4d} epochs: gain {mean:+.2f} [{low:+.2f}, {high:+.2f}] (SimCLR and MoCo averaged per seed)")
    ready = len(complete) == len(study_lengths())
    print(f"\nEPOCHS={rule.choose(complete) if ready else 'TBD'}")
    if not ready:
        print("not ready: run the regime study on (bash results/text/run.sh)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
