"""The benchmark grid: domain x dataset x method x {baseline, i-Mix} x seed (x data ratio).

Every cell is resolved to its RunConfig directly and run in-process by the function `bench run`
uses; its `bench run` command line is rendered from the same settings only to be shown (the dry
run, "rerun alone"), so a user can rerun any one cell by hand. A cell counts as done when the results file holds a record whose
resolved config has the same digest (`config_key`), whoever wrote it: restarting a stopped
suite skips what is finished, and a cell that was cut short simply runs again (from its last
checkpoint: unless told otherwise, the suite checkpoints every cell into `<results>.checkpoints/`,
passes `--resume`, deletes a cell's checkpoint once its record is written and the folders once empty
(the record is what the suite keeps; `--checkpoint-dir DIR` keeps the trained models instead).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Sequence

from bench.training import distributed
from bench.training.checkpoint import checkpoint_path
from bench.core.config import RunConfig, config_key
from bench.core.errors import UserError, unknown_choice
from bench.core.settings import FRACTION, in_fraction
from bench.training.mixing import offered_mixers
from bench.suite_claims import (  # noqa: F401 (finished_keys: re-exported)
    Claims, _decide, beside_results, checkpoint_folder, finished_keys, remove_if_empty, reused_keys)
from bench.suite_grid import (  # noqa: F401 (re-exported: bench.suite.cell_flags and others)
    ARM_MATCH, ARM_SOURCE, AXES, STRATEGY_ARMS, DomainFlags, _entry_name, _seeds, arm_flags, cell_flags, dataset_entries,
    flags_to_argv, matching_arms, merge_specs, row_arms, row_methods)

@dataclass
class Cell:
    domain: str
    name: str  # the dataset entry's name
    method: str
    mix: str | None  # None: the baseline; an i-Mix mixer, or a strategy (STRATEGY_ARMS)
    seed: int
    data_ratio: float
    argv: list[str]
    source: str = ""  # where the preset's arm settings come from (e.g. a run.sh line)
    cfg: RunConfig | None = None
    domain_adapter: Any = None
    key: str = ""

    @property
    def variant(self) -> str:
        return "baseline" if self.mix is None else self.mix if self.mix in STRATEGY_ARMS else f"i-Mix ({self.mix})"

    def label(self) -> str:
        ratio = f"  data {self.data_ratio:g}" if self.data_ratio != 1 else ""
        name = self.name
        if name == "default" and self.domain_adapter is not None:  # the embedded set, named as the tables name it
            name = (self.cfg.dataset if self.cfg else None) or self.domain_adapter.default_dataset
        return f"{self.domain}/{name}  {self.method}  {self.variant}  seed {self.seed}{ratio}"

    def command(self, results: str | None = None) -> str:
        """The cell as a `bench run` line; with ``results``, one that fills the suite's results file."""
        argv = [*self.argv, "--results", results] if results else self.argv
        return "python -m bench run " + " ".join(_quote(str(a)) for a in argv)


@dataclass
class Grid:
    cells: list[Cell]
    notes: list[str] = field(default_factory=list)


def duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else (
        f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s")


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " \"$*?") else arg


@dataclass(frozen=True)
class Axes:
    """The grid's axes, each from the call, else the last preset or config layer naming it, else its default."""

    domains: list[str]
    methods: list[str]
    seeds: list[int]
    mixes: list[str]
    strategies: list[str]
    ratios: list[float]

    @classmethod
    def read(cls, layers: list[dict[str, Any]], given: dict[str, Any]) -> "Axes":
        from bench.training.methods import canonical_method

        def axis(name: str, default: Any) -> Any:
            if given.get(name) is not None:
                return given[name]
            return next((spec[name] for spec in reversed(layers) if name in spec), default)

        ratios = [float(r) for r in axis("data_ratios", [RunConfig.data_ratio])]
        for ratio in ratios:
            if not in_fraction(ratio):
                raise UserError(f"--data-ratios must lie in {FRACTION}, got {ratio:g}.")
        return cls(domains=list(axis("domains", ["tabular"])),
                   methods=[canonical_method(m) for m in axis("methods", ["simclr"])],
                   seeds=_seeds(axis("seeds", 1)), mixes=list(axis("mixes", [RunConfig.mix])),  # the declared defaults
                   strategies=list(axis("strategies", ["imix"])), ratios=ratios)


def select_rows(rows: list[tuple[str, str]], datasets: Sequence[str] | None) -> list[tuple[str, str]]:
    """The dataset entries --datasets names (by name, or domain/name); all of them without it."""
    if not datasets:
        return rows
    known = {name for _, name in rows} | {f"{d}/{n}" for d, n in rows}
    missing = [d for d in datasets if d not in known]
    if missing:
        raise unknown_choice("dataset entry", missing[0], sorted({n for _, n in rows}),
                             "Dataset entries come from the preset and --config; see --dry-run.")
    return [(d, n) for d, n in rows if n in datasets or f"{d}/{n}" in datasets]


def expand_grid(*, preset: dict[str, Any] | None, config: dict[str, Any] | None, domains: Sequence[str] | None,
                datasets: Sequence[str] | None, methods: Sequence[str] | None, seeds: Any, mixes: Sequence[str] | None,
                data_ratios: Sequence[float] | None, cli: dict[str, Any], strategies: Sequence[str] | None = None) -> Grid:
    """All cells, seeds outermost: a suite stopped early still has every row once."""
    layers = merge_specs(preset, config)
    axes = Axes.read(layers, {"domains": domains, "methods": methods, "seeds": seeds, "mixes": mixes,
                              "strategies": strategies, "data_ratios": data_ratios})
    rows = select_rows(dataset_entries(layers, axes.domains), datasets)
    grid = Grid(cells=[])
    known = {domain: DomainFlags(domain) for domain in dict.fromkeys(d for d, _ in rows)}  # once per suite
    prepared: dict[str, tuple[dict[str, Any], dict[str, Any], list[str]]] = {}
    for domain, name in rows:
        flags = cell_flags(layers, domain, name, cli)
        offered = offered_mixers(known[domain].cls.mixers)
        skipped = [m for m in axes.mixes if m not in offered]
        if skipped:
            grid.notes.append(f"{domain}/{name}: no i-Mix with {', '.join(skipped)} (the {domain} domain "
                              f"offers {', '.join(offered)}); those cells are left out.")
        prepared[f"{domain}/{name}"] = (flags, known[domain].settings(flags, f"{domain}/{name}"),
                                        row_arms(axes.strategies, [m for m in axes.mixes if m in offered]))

    for seed in axes.seeds:
        for ratio in axes.ratios:
            for domain, name in rows:
                flags, settings, row_mixes = prepared[f"{domain}/{name}"]
                on_row = row_methods(layers, domain, name, axes.methods)
                for method in (m for m in axes.methods if m in on_row):
                    for mix in [None, *row_mixes]:
                        imix = mix is not None and arm_flags(mix)[2]
                        arms = [a for spec in layers for a in matching_arms(spec, domain, name, method, imix)]
                        source = "; ".join(a[ARM_SOURCE] for a in arms if ARM_SOURCE in a)
                        grid.cells.append(_cell(known[domain], layers, cli, (domain, name, method, mix, seed, ratio),
                                                (flags, settings) if not arms else None, source))
    return grid


def _cell(known: DomainFlags, layers: list[dict[str, Any]], cli: dict[str, Any], where: tuple, row: tuple | None,
          source: str) -> Cell:
    """One cell resolved to its RunConfig and adapter, through the function `bench run` uses
    (``row``: the row's flags and settings when no [[arms]] entry changes them)."""
    from bench.prepare import prepare_with

    domain, name, method, mix, seed, ratio = where
    arm_argv, arm_settings, imix = arm_flags(mix) if mix is not None else ([], {}, False)
    if row is None:
        flags = cell_flags(layers, domain, name, cli, method, imix)
        row = (flags, known.settings(flags, f"{domain}/{name}"))
    flags, settings = row
    settings = {**settings, "seed": seed}
    argv = ["--domain", domain, *flags_to_argv(flags, known.option_strings), "--method", method, "--seed", str(seed)]
    argv, settings = argv + arm_argv, {**settings, **arm_settings}
    if ratio != 1:
        argv += ["--data-ratio", f"{ratio:g}"]
        settings["data_ratio"] = float(f"{ratio:g}")  # as the printed command line reads it
    cell = Cell(domain, name, method, mix, seed, ratio, argv, source)
    cell.cfg, cell.domain_adapter = prepare_with(known.cls, domain, method, True if imix else None,
                                                 **settings)
    cell.key = config_key(cell.cfg.to_dict())
    return cell


def run_cell(cell: Cell, results: str, quiet: bool) -> tuple[dict[str, Any] | None, str | None]:
    """Run one cell into ``results``: its record (None on processes other than rank 0), or why it failed.

    Unless the cell names its own --checkpoint-dir, it checkpoints into the suite's folder and resumes
    from a checkpoint left there by a suite that was stopped, which is deleted once the record is written.
    """
    from bench.core.log import configure
    from bench.run import run_experiment

    cell.cfg.results = results
    cell.cfg.quiet = cell.cfg.quiet or quiet
    own_checkpoints = cell.cfg.checkpoint_dir is None
    if own_checkpoints:  # a cell cut short resumes from its last epoch on the next suite
        cell.cfg.checkpoint_dir = str(checkpoint_folder(results))
        # only where there is one: "--resume: no checkpoint yet" is for a user's own --resume
        cell.cfg.resume = checkpoint_path(cell.cfg.checkpoint_dir, cell.key).exists()
    configure(cell.cfg.quiet)
    try:
        record = run_experiment(cell.cfg, cell.domain_adapter)
    except KeyboardInterrupt:
        raise
    except UserError as error:
        return None, str(error)
    except Exception as error:  # one broken cell must not stop the grid; show why in full
        traceback.print_exc(file=sys.stderr)
        return None, f"{type(error).__name__}: {error}"
    if own_checkpoints and distributed.is_main():
        checkpoint_path(cell.cfg.checkpoint_dir, cell.key).unlink(missing_ok=True)
    return record, None


def run_grid(grid: Grid, results: str, quiet: bool = False, out=None, reuse: Sequence[str] = ()) -> int:
    """Run every unfinished cell; a failing cell is reported and the rest go on. 0 if all succeed.

    ``reuse``: other results files whose cells count as done (read once, never written)."""
    out = out or sys.stdout
    reused = reused_keys(reuse)
    width = len(str(len(grid.cells)))
    failed: list[tuple[Cell, str]] = []
    counts = {"ran": 0, "recorded": 0, "claimed": 0}
    claims = Claims(beside_results(results, ".claims"))
    main = distributed.is_main()
    if not main:  # the other processes of a torchrun suite train their share and stay silent
        out, quiet = open(os.devnull, "w"), True
    for note in grid.notes:
        print(f"note: {note}", file=out)
    for i, cell in enumerate(grid.cells, 1):
        prefix = f"[{i:>{width}}/{len(grid.cells)}]"
        # Under torchrun rank 0 decides and claims; all processes then run the cell together.
        decision = "reused" if cell.key in reused else distributed.broadcast_object(
            _decide(cell, results, claims) if main else None)
        if decision in ("recorded", "claimed", "reused"):
            counts["claimed" if decision == "claimed" else "recorded"] += 1
            why = {"recorded": "already recorded", "claimed": "running in another suite",
                   "reused": f"recorded in {reused.get(cell.key)}"}[decision]
            if not quiet:
                print(f"{prefix} skip  {cell.label()}: {why}", file=out, flush=True)
            continue
        started = time.perf_counter()
        try:
            record, error = run_cell(cell, results, quiet)
        finally:
            if main:
                claims.release(cell.key)
        if error is not None:
            failed.append((cell, error))
            print(f"{prefix} FAILED  {cell.label()}: {error}", file=out, flush=True)
            continue
        counts["ran"] += 1
        if not quiet and record is not None:
            print(f"{prefix} done  {cell.label()}: probe {100 * record['probe']['accuracy']:.2f}%  "
                  f"kNN {100 * record['knn']['accuracy']:.2f}%  {duration(time.perf_counter() - started)}",
                  file=out, flush=True)
    if main:
        remove_if_empty(claims.folder, checkpoint_folder(results))
    print_summary(counts, failed, results, out, reuse)
    return 1 if failed else 0


def print_summary(counts: dict[str, int], failed: list[tuple[Cell, str]], results: str, out,
                  reuse: Sequence[str] = ()) -> None:
    elsewhere = f", {counts['claimed']} left to another suite" if counts["claimed"] else ""
    print(f"suite: {counts['ran']} ran, {counts['recorded']} already recorded{elsewhere}, {len(failed)} failed; "
          f"records in {results}.", file=out)
    for cell, why in failed:
        print(f"  failed: {cell.label()}: {why}\n    rerun alone: {cell.command(results)}", file=out)
    if counts["ran"] or counts["recorded"]:
        print(f"table: python -m bench table --results {' '.join([*reuse, results])}", file=out)
