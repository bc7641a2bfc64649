"""How many epochs both arms can train in the time left: from the trainer step's measured speed.

first.sh measures the trainer step (bench.perf's loop b) before it trains, and the baseline and
i-Mix must train the same number of epochs, so the count is fixed before either starts:

    epochs = (seconds left - runs x overhead) x margin / (runs x train images / samples per second)

clamped to [1, --max-epochs]. ``overhead`` covers one run's start, data load and evaluation:
measured from the untrained encoder's run (`bench run --epochs 0`, which also decodes and caches
the images for the two that follow) where --untrained gives its record, else --overhead.
``margin`` < 1 leaves room for an epoch being slower than the measured steps (its index shuffle,
the loss sync). Prints the count, and its reasoning on stderr.

    python3 results/gpu/plan_epochs.py --perf perf.jsonl --precision bf16 --channels-last \
        --seconds-left 200 --train-size 50000
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

DEFAULT_RATE = 1000.0  # samples/s when nothing was measured: low, so the runs still fit
STARTUP_S = 12.0  # a run's seconds before its clock starts: imports, CUDA start-up (not in wall_seconds)


def trainer_rate(perf_file: Path, precision: str, channels_last: bool) -> tuple[float, str]:
    """Loop b's samples/s of the uncompiled record with these settings, else the slowest measured one."""
    records = []
    if perf_file.exists():
        for line in perf_file.read_text().splitlines():
            if line.strip():
                records.append(json.loads(line))
    records = [r for r in records if not r["settings"].get("compile")]
    same = [r for r in records if r["settings"]["precision"] == precision
            and bool(r["settings"]["channels_last"]) == channels_last]
    if same:
        return same[-1]["samples_per_second"]["b_trainer"], "measured"
    if records:
        return min(r["samples_per_second"]["b_trainer"] for r in records), "slowest other measurement"
    return DEFAULT_RATE, "nothing measured: a default"


def run_overhead(untrained: Path | None, default: float) -> tuple[float, str]:
    """Seconds a run spends besides training: the untrained run's wall less its (first, decoding) load."""
    if untrained is None or not untrained.exists() or not untrained.read_text().strip():
        return default, "a default"
    record = json.loads(untrained.read_text().splitlines()[-1])
    return record["wall_seconds"] - record["load_seconds"] + STARTUP_S, "measured at --epochs 0"


def plan(rate: float, seconds_left: float, train_size: int, runs: int, overhead: float, margin: float,
         max_epochs: int) -> int:
    epoch_seconds = train_size / rate
    usable = (seconds_left - runs * overhead) * margin
    return max(1, min(max_epochs, math.floor(usable / (runs * epoch_seconds))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--perf", type=Path, required=True, help="perf.jsonl: bench.perf results, one a line")
    parser.add_argument("--precision", default="bf16")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--seconds-left", type=float, required=True, help="for all runs together")
    parser.add_argument("--train-size", type=int, required=True, help="training images per epoch")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--untrained", type=Path, help="the --epochs 0 run's record (JSON lines), for --overhead")
    parser.add_argument("--overhead", type=float, default=35.0, help="seconds per run besides its epochs, "
                        "where --untrained gives none")
    parser.add_argument("--margin", type=float, default=0.8)
    parser.add_argument("--max-epochs", type=int, default=100)
    args = parser.parse_args(argv)
    rate, source = trainer_rate(args.perf, args.precision, args.channels_last)
    overhead, overhead_source = run_overhead(args.untrained, args.overhead)
    epochs = plan(rate, args.seconds_left, args.train_size, args.runs, overhead, args.margin, args.max_epochs)
    print(f"plan: trainer {rate:.0f} samples/s ({source}), {args.train_size / rate:.1f} s an epoch; "
          f"{args.seconds_left:.0f} s left for {args.runs} runs with {overhead:.0f} s overhead each "
          f"({overhead_source}) -> {epochs} epochs", file=sys.stderr)
    print(epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
