"""A suite's dry run: every cell with its state (recorded, or an estimate of its time) and its command.

Estimates come from earlier records of the same settings, scaled by the work (epochs x data);
nothing is run.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any, Sequence

from bench.core.config import TREATMENT_FIELDS, WORK_FIELDS, config_key
from bench.suite import Cell, Grid, duration
from bench.suite_claims import finished_keys


def estimate_seconds(cell: Cell, records: list[dict[str, Any]]) -> float | None:
    """From earlier records of the same settings (any seed, variant, epochs or data ratio).

    Training time scales with epochs x pretraining samples; the rest (loading, evaluation) is
    taken as is. None when no earlier run of these settings is on record.
    """
    ignore = TREATMENT_FIELDS | WORK_FIELDS
    key = config_key(cell.cfg.to_dict(), ignore)
    guesses = []
    for record in records:
        if "config" not in record or config_key(record["config"], ignore) != key:
            continue
        old = record["config"]
        try:  # a hand-edited record without timings gives no estimate
            work_old = max(old["epochs"], 1) * old.get("data_ratio", 1.0)
            work_new = cell.cfg.epochs * cell.cfg.data_ratio
            fixed = record["wall_seconds"] - record["train_seconds"]
            if record.get("resumed_at_epoch") is not None or fixed < 0:  # several processes' start-ups, or older records
                continue
            guesses.append(fixed + record["train_seconds"] * work_new / work_old)
        except (KeyError, TypeError, ZeroDivisionError):
            continue
    return statistics.fmean(guesses) if guesses else None


def dry_run(grid: Grid, records: list[dict[str, Any]], out=None, results: str | None = None,
            timing: Sequence[dict[str, Any]] = (), reused: Sequence[dict[str, Any]] = ()) -> None:
    """List the cells; ``timing`` records (short timing runs kept apart) only inform the estimates;
    ``reused`` records (--reuse files) count as done and inform them too."""
    out = out or sys.stdout
    done = finished_keys([*records, *reused])
    timed = [*records, *reused, *timing]
    total, unknown, todo = 0.0, 0, 0
    width = len(str(len(grid.cells)))
    for i, cell in enumerate(grid.cells, 1):
        if cell.key in done:
            state = "done"
        else:
            todo += 1
            guess = estimate_seconds(cell, timed)
            if guess is None:
                unknown += 1
                state = "~?"
            else:
                total += guess
                state = "~" + duration(guess)
        print(f"[{i:>{width}}/{len(grid.cells)}] {state:>8}  {cell.label()}", file=out)
        print(f"{'':>{2 * width + 13}}{cell.command(results)}", file=out)
        if cell.source:
            print(f"{'':>{2 * width + 13}}as {cell.source}", file=out)
    for note in grid.notes:
        print(f"note: {note}", file=out)
    summary = f"{len(grid.cells)} cells: {len(grid.cells) - todo} already recorded, {todo} to run"
    if todo and unknown == todo:
        summary += "; none has an estimate yet (no earlier run of their settings in the results file)"
    elif todo:
        summary += f", about {duration(total)}"
        if unknown:
            summary += (f" for {todo - unknown} of them; {unknown} have no estimate (no earlier run of "
                        "their settings in the results file)")
    print(summary + ".", file=out)
