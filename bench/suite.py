"""The benchmark grid: domain x dataset x method x {baseline, i-Mix} x seed (x data ratio).

Every cell is exactly a `bench run` command line, so the dry run can print it and a user can
rerun any one cell by hand. A cell counts as done when the results file holds a record whose
resolved config has the same digest (`config_key`), whoever wrote it: restarting a stopped
suite skips what is finished, and a cell that was cut short simply runs again (from its last
checkpoint: unless told otherwise, the suite checkpoints every cell into `<results>.checkpoints/`,
passes `--resume`, and deletes a cell's checkpoint once its record is written (the record is
what the suite keeps; give `--checkpoint-dir DIR` to keep the trained models instead).
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from . import distributed
from .checkpoint import checkpoint_path
from .config import RunConfig, config_key
from .errors import UserError, unknown_choice
from .presets import get_preset
from .records import read_records

# Grid axes that the suite sets per cell; presets and files may not set them as settings.
AXES = ("domain", "method", "imix", "mix", "seed", "data_ratio")


@dataclass
class Cell:
    domain: str
    name: str  # the dataset entry's name
    method: str
    mix: str | None  # None: the baseline
    seed: int
    data_ratio: float
    argv: list[str]
    source: str = ""  # where the preset's arm settings come from (e.g. a run.sh line)
    cfg: RunConfig | None = None
    domain_adapter: Any = None
    key: str = ""

    @property
    def variant(self) -> str:
        return "baseline" if self.mix is None else f"i-Mix ({self.mix})"

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


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " \"$*?") else arg


def _seeds(value: Any) -> list[int]:
    if isinstance(value, int):
        if value < 1:
            raise UserError(f"--seeds must be at least 1, got {value}.")
        return list(range(value))
    return [int(s) for s in value]


def _entry_name(entry: dict[str, Any]) -> str:
    return str(entry.get("name") or entry.get("dataset") or "default")


def merge_specs(preset: dict[str, Any] | None, config: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The layers in the order they apply; a config file may name a preset to start from."""
    layers = []
    if config and config.get("preset") and preset is None:
        preset = get_preset(config["preset"])
    for spec in (preset, config):
        if spec:
            layers.append(spec)
    return layers


def dataset_entries(layers: list[dict[str, Any]], domains: Sequence[str]) -> list[tuple[str, str]]:
    """(domain, entry name) of every grid row, in the order of --domains; later layers add rows."""
    rows: list[tuple[str, str]] = []
    for domain in domains:
        names = [_entry_name(e) for spec in layers for e in spec.get("datasets", []) if e["domain"] == domain]
        if not names:
            names = ["default"]  # the domain's embedded default dataset
        rows += [(domain, n) for n in dict.fromkeys(names)]
    return rows


# Keys of an [[arms]] entry that choose the cells it applies to (absent: any), and its label.
ARM_MATCH = ("domain", "dataset", "method", "imix")
ARM_SOURCE = "source"


def matching_arms(spec: dict[str, Any], domain: str, name: str, method: str | None,
                  imix: bool | None) -> list[dict[str, Any]]:
    """The spec's [[arms]] entries for one cell: settings per method and baseline/i-Mix arm."""
    if method is None:
        return []
    cell = {"domain": domain, "dataset": name, "method": method, "imix": imix}
    return [arm for arm in spec.get("arms", []) if all(arm[k] == cell[k] for k in ARM_MATCH if k in arm)]


def cell_flags(layers: list[dict[str, Any]], domain: str, name: str, cli: dict[str, Any],
               method: str | None = None, imix: bool | None = None) -> dict[str, Any]:
    """Settings < domain settings < dataset entry < matching arms, for each layer in turn; then
    the suite's flags."""
    flags: dict[str, Any] = {}
    for spec in layers:
        flags.update(spec.get("settings", {}))
        flags.update(spec.get("domain", {}).get(domain, {}))
        for entry in spec.get("datasets", []):
            if entry["domain"] == domain and _entry_name(entry) == name:
                flags.update({k: v for k, v in entry.items() if k not in ("name", "domain", "methods")})
        for arm in matching_arms(spec, domain, name, method, imix):
            flags.update({k: v for k, v in arm.items() if k not in (*ARM_MATCH, ARM_SOURCE)})
    flags.update({k: v for k, v in cli.items() if v is not None})
    clash = sorted(set(flags) & set(AXES))
    if clash:
        raise UserError(f"the grid sets {', '.join(clash)} per cell; remove it from the settings of "
                        f"{domain}/{name} and use the suite's --domains, --methods, --seeds, --mixes or "
                        "--data-ratios instead.")
    return flags


def flags_to_argv(flags: dict[str, Any], options: set[str], where: str) -> list[str]:
    """Settings as `bench run` flags: underscores become dashes, True a bare flag, False --no-X."""
    argv: list[str] = []
    first = ("dataset", "data")  # the dataset first: the printed commands read better
    for key, value in sorted(flags.items(), key=lambda kv: kv[0] not in first):
        flag = "--" + key.replace("_", "-")
        if value is None:
            continue
        if value is False and f"--no-{flag[2:]}" in options:
            argv.append(f"--no-{flag[2:]}")
            continue
        if flag not in options:  # also for a misspelt key set to false
            valid = sorted(o[2:].replace("-", "_") for o in options if o.startswith("--") and not o.startswith("--no-"))
            raise UserError(f"{where}: unknown setting {key!r}. Valid settings (the `bench run` flags of "
                            f"this domain, with underscores): {', '.join(valid)}.")
        if value is False:
            continue  # an off switch is the default
        if value is True:
            argv.append(flag)
        elif isinstance(value, (list, tuple)):
            argv += [flag, *map(str, value)]
        else:
            argv += [flag, str(value)]
    return argv


def expand_grid(*, preset: dict[str, Any] | None, config: dict[str, Any] | None, domains: Sequence[str] | None,
                datasets: Sequence[str] | None, methods: Sequence[str] | None, seeds: Any, mixes: Sequence[str] | None,
                data_ratios: Sequence[float] | None, cli: dict[str, Any]) -> Grid:
    """All cells, seeds outermost: a suite stopped early still has every row once."""
    from .adapters import domain_class
    from .flags import parse_run, run_option_strings, run_settings
    from .methods import canonical_method
    from .prepare import prepare

    layers = merge_specs(preset, config)

    def axis(name: str, given: Any, default: Any) -> Any:
        if given is not None:
            return given
        for spec in reversed(layers):
            if name in spec:
                return spec[name]
        return default

    domains = list(axis("domains", domains, ["tabular"]))
    methods = [canonical_method(m) for m in axis("methods", methods, ["simclr"])]
    seed_list = _seeds(axis("seeds", seeds, 1))
    mix_list = list(axis("mixes", mixes, ["mixup"]))
    ratios = [float(r) for r in axis("data_ratios", data_ratios, [1.0])]
    for ratio in ratios:
        if not 0 < ratio <= 1:
            raise UserError(f"--data-ratios must lie in (0, 1], got {ratio:g}.")

    rows = dataset_entries(layers, domains)
    if datasets:
        known = {name for _, name in rows} | {f"{d}/{n}" for d, n in rows}
        missing = [d for d in datasets if d not in known]
        if missing:
            raise unknown_choice("dataset entry", missing[0], sorted({n for _, n in rows}),
                                 "Dataset entries come from the preset and --config; see --dry-run.")
        rows = [(d, n) for d, n in rows if n in datasets or f"{d}/{n}" in datasets]

    grid = Grid(cells=[])
    prepared: dict[str, tuple[list[str], set[str], list[str]]] = {}
    for domain, name in rows:
        flags = cell_flags(layers, domain, name, cli)
        options = run_option_strings(domain_class(domain))
        base_argv = ["--domain", domain, *flags_to_argv(flags, options, f"{domain}/{name}")]
        offered = list(domain_class(domain).mixers)
        skipped = [m for m in mix_list if m not in offered]
        if skipped:
            grid.notes.append(f"{domain}/{name}: no i-Mix with {', '.join(skipped)} (the {domain} domain "
                              f"offers {', '.join(offered)}); those cells are left out.")
        prepared[f"{domain}/{name}"] = (base_argv, options, [m for m in mix_list if m in offered])

    for seed in seed_list:
        for ratio in ratios:
            for domain, name in rows:
                base_argv, options, row_mixes = prepared[f"{domain}/{name}"]
                for method in methods:
                    if method not in row_methods(layers, domain, name, methods):
                        continue
                    for mix in [None, *row_mixes]:
                        arms = [a for spec in layers for a in matching_arms(spec, domain, name, method, mix is not None)]
                        cell_argv = base_argv
                        if arms:
                            flags = cell_flags(layers, domain, name, cli, method, mix is not None)
                            cell_argv = ["--domain", domain, *flags_to_argv(flags, options, f"{domain}/{name}")]
                        argv = [*cell_argv, "--method", method, "--seed", str(seed)]
                        if mix is not None:
                            argv += ["--imix", "--mix", mix]
                        if ratio != 1:
                            argv += ["--data-ratio", f"{ratio:g}"]
                        source = "; ".join(a[ARM_SOURCE] for a in arms if ARM_SOURCE in a)
                        cell = Cell(domain, name, method, mix, seed, ratio, argv, source)
                        settings = run_settings(parse_run(argv, domain_class(domain)))
                        cell.cfg, cell.domain_adapter = prepare(**settings)
                        cell.key = config_key(cell.cfg.to_dict())
                        grid.cells.append(cell)
    return grid


def row_methods(layers: list[dict[str, Any]], domain: str, name: str, methods: list[str]) -> list[str]:
    """A dataset entry may list the only methods run on it (run.sh runs HIGGS with MoCo only)."""
    from .methods import canonical_method

    for spec in reversed(layers):
        for entry in spec.get("datasets", []):
            if entry["domain"] == domain and _entry_name(entry) == name and "methods" in entry:
                return [canonical_method(m) for m in entry["methods"]]
    return methods


def finished_keys(records: list[dict[str, Any]]) -> set[str]:
    return {config_key(r["config"]) for r in records if "config" in r}


def estimate_seconds(cell: Cell, records: list[dict[str, Any]]) -> float | None:
    """From earlier records of the same settings (any seed, variant, epochs or data ratio).

    Training time scales with epochs x pretraining samples; the rest (loading, evaluation) is
    taken as is. None when no earlier run of these settings is on record.
    """
    ignore = {"seed", "imix", "mix", "alpha", "epochs", "data_ratio", "eval_every"}
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
            if record.get("resumed_at_epoch") is not None or fixed < 0:  # wall covers the last process only
                continue
            guesses.append(fixed + record["train_seconds"] * work_new / work_old)
        except (KeyError, TypeError, ZeroDivisionError):
            continue
    return statistics.fmean(guesses) if guesses else None


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else (
        f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s")


def dry_run(grid: Grid, records: list[dict[str, Any]], out=None, results: str | None = None,
            timing: Sequence[dict[str, Any]] = ()) -> None:
    """List the cells; ``timing`` records (short timing runs kept apart) only inform the estimates."""
    out = out or sys.stdout
    done = finished_keys(records)
    timed = [*records, *timing]
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
                state = "~" + _duration(guess)
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
        summary += f", about {_duration(total)}"
        if unknown:
            summary += (f" for {todo - unknown} of them; {unknown} have no estimate (no earlier run of "
                        "their settings in the results file)")
    print(summary + ".", file=out)


class Claims:
    """Marks the cells a suite is running, so several suites can share one grid and results file.

    A claim is a file named by the cell's key holding the owner's host and pid, created
    exclusively. A claim whose process is gone (killed suite) is stale and taken over.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.me = f"{socket.gethostname()} {os.getpid()}"

    def take(self, key: str) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / key
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if self._alive(path):
                return False
            stale = path.with_name(f"{key}.{os.getpid()}")
            stale.write_text(self.me)
            os.replace(stale, path)
            return True
        with os.fdopen(fd, "w") as file:
            file.write(self.me)
        return True

    def release(self, key: str) -> None:
        path = self.folder / key
        try:
            if path.read_text() == self.me:
                path.unlink()
        except FileNotFoundError:
            pass

    def _alive(self, path: Path) -> bool:
        try:
            host, pid = path.read_text().split()
        except (FileNotFoundError, ValueError):
            return False  # vanished, or half-written by a process that died at once
        if host != socket.gethostname():
            return True  # another machine's suite on a shared disk: trust it
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def _decide(cell: Cell, results: str, claims: Claims) -> str:
    """'recorded', 'claimed' (by another suite) or 'run' (claimed now by this one)."""
    # Read again before each cell: another suite may share the results file.
    if cell.key in finished_keys(read_records(results, missing_ok=True)):
        return "recorded"
    if not claims.take(cell.key):
        return "claimed"
    # Another suite may have finished the cell between the check and the claim: look once more.
    if cell.key in finished_keys(read_records(results, missing_ok=True)):
        claims.release(cell.key)
        return "recorded"
    return "run"


def beside_results(results: str, suffix: str) -> Path:
    """A folder next to the results file that belongs to it (claims, checkpoints): <results><suffix>."""
    return Path(results).with_name(Path(results).name + suffix)


def checkpoint_folder(results: str) -> Path:
    """Where a suite keeps the checkpoints of unfinished cells."""
    return beside_results(results, ".checkpoints")


def run_grid(grid: Grid, results: str, quiet: bool = False, out=None) -> int:
    """Run every unfinished cell; a failing cell is reported and the rest go on. 0 if all succeed."""
    out = out or sys.stdout
    from .log import configure
    from .run import run_experiment

    width = len(str(len(grid.cells)))
    failed: list[tuple[Cell, str]] = []
    ran = skipped = busy = 0
    claims = Claims(beside_results(results, ".claims"))
    main = distributed.is_main()
    if not main:  # the other processes of a torchrun suite train their share and stay silent
        out, quiet = open(os.devnull, "w"), True
    for note in grid.notes:
        print(f"note: {note}", file=out)
    for i, cell in enumerate(grid.cells, 1):
        prefix = f"[{i:>{width}}/{len(grid.cells)}]"
        # Under torchrun rank 0 decides and claims; all processes then run the cell together.
        decision = distributed.broadcast_object(_decide(cell, results, claims) if main else None)
        if decision == "recorded":
            skipped += 1
            if not quiet:
                print(f"{prefix} skip  {cell.label()}: already recorded", file=out, flush=True)
            continue
        if decision == "claimed":
            busy += 1
            if not quiet:
                print(f"{prefix} skip  {cell.label()}: running in another suite", file=out, flush=True)
            continue
        cell.cfg.results = results
        cell.cfg.quiet = cell.cfg.quiet or quiet
        own_checkpoints = cell.cfg.checkpoint_dir is None
        if own_checkpoints:  # a cell cut short resumes from its last epoch on the next suite
            cell.cfg.checkpoint_dir = str(checkpoint_folder(results))
            # only where there is one: "--resume: no checkpoint yet" is for a user's own --resume
            cell.cfg.resume = checkpoint_path(cell.cfg.checkpoint_dir, cell.key).exists()
        configure(cell.cfg.quiet)
        started = time.perf_counter()
        try:
            record = run_experiment(cell.cfg, cell.domain_adapter)
        except KeyboardInterrupt:
            raise
        except UserError as error:
            failed.append((cell, str(error)))
            print(f"{prefix} FAILED  {cell.label()}: {error}", file=out, flush=True)
            continue
        except Exception as error:  # one broken cell must not stop the grid; show why in full
            failed.append((cell, f"{type(error).__name__}: {error}"))
            print(f"{prefix} FAILED  {cell.label()}: {type(error).__name__}: {error}", file=out, flush=True)
            traceback.print_exc(file=sys.stderr)
            continue
        finally:
            if main:
                claims.release(cell.key)
        ran += 1
        if own_checkpoints and main:
            checkpoint_path(cell.cfg.checkpoint_dir, cell.key).unlink(missing_ok=True)
        if not quiet and record is not None:
            print(f"{prefix} done  {cell.label()}: probe {100 * record['probe']['accuracy']:.2f}%  "
                  f"kNN {100 * record['knn']['accuracy']:.2f}%  {_duration(time.perf_counter() - started)}",
                  file=out, flush=True)
    elsewhere = f", {busy} left to another suite" if busy else ""
    print(f"suite: {ran} ran, {skipped} already recorded{elsewhere}, {len(failed)} failed; records in {results}.",
          file=out)
    for cell, why in failed:
        print(f"  failed: {cell.label()}: {why}\n    rerun alone: {cell.command(results)}", file=out)
    if ran or skipped:
        print(f"table: python -m bench table --results {results}", file=out)
    return 1 if failed else 0
