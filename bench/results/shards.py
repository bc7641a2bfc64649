"""Splitting a grid over independent workers, and joining their results files back.

A cluster job array (SLURM ``--array``, or any scheduler) runs N copies of one command that
differ only in an index. ``bench suite --shard K/N`` (1-based; ``--shard-index K-1 --shard-count N``
for 0-based indices such as Kubernetes') gives copy K a fixed share of the cells,
every N-th pair (a baseline and its i-Mix arms at one seed) of the full ordered cell list,
starting at the K-th: the share does not depend on what is already recorded, so the shares
stay disjoint across restarts and no worker needs a lock another worker can see. Each worker writes its own results file; the readers
(`bench table`, `plot`, `report`) take them all and refuse a cell recorded in two files, which
means a shard was run twice into different files, or files of different grids were mixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Hashable, Sequence, TypeVar

from bench.core.config import config_key
from bench.core.errors import UserError

T = TypeVar("T")


SHARD_HINT = ("write N into the job script, not $SLURM_ARRAY_TASK_COUNT, which is 1 when a single task is "
              "resubmitted (docs/cluster.md)")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` (1-based, as SLURM's --array=1-N) -> (K, N) with 1 <= K <= N; anything else is a UserError."""
    k_text, sep, n_text = str(text).strip().partition("/")
    try:
        k, n = int(k_text), int(n_text)
    except ValueError:
        k = n = 0
    if not sep or n < 1 or not 1 <= k <= n:
        zero_based = sep and n >= 1 and k == 0
        raise UserError(
            f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 1/4 for the first of four workers "
            f"(in a SLURM array: --shard $SLURM_ARRAY_TASK_ID/N with --array=1-N; {SHARD_HINT})."
            + (" For 0-based indices (Kubernetes indexed jobs, --array=0-N-1) use --shard-index K --shard-count N."
               if zero_based or not sep else "")
            + (" K is empty: is the task id variable set (run under sbatch --array)?" if sep and not k_text.strip()
               else ""))
    return k, n


def shard_from_flags(shard: str | None, index: int | None, count: int | None) -> tuple[int, int] | None:
    """Worker K of N (1-based) from ``--shard K/N`` or from the 0-based ``--shard-index I --shard-count N``
    (I = K - 1: Kubernetes' $JOB_COMPLETION_INDEX, an --array=0-N-1 task id); None without either."""
    if shard is not None and (index is not None or count is not None):
        raise UserError("give either --shard K/N (1-based) or --shard-index I --shard-count N (0-based), not both.")
    if shard is not None:
        return parse_shard(shard)
    if index is None and count is None:
        return None
    if index is None or count is None or count < 1 or not 0 <= index < count:
        raise UserError(f"--shard-index {index} --shard-count {count}: expected 0 <= I < N, both given, e.g. "
                        "--shard-index 0 --shard-count 4 for the first of four workers (Kubernetes: --shard-index "
                        f"$JOB_COMPLETION_INDEX --shard-count N; {SHARD_HINT}).")
    return index + 1, count


def expand_result_paths(paths: Sequence[str]) -> list[str]:
    """The paths, with a glob pattern the shell left unexpanded (quoted, or from a config) expanded in
    sorted order; a pattern that matches no file is a UserError naming it."""
    import glob

    expanded = []
    for path in paths:
        if any(char in path for char in "*?[") and not Path(path).exists():
            matches = sorted(glob.glob(str(Path(path).expanduser())))
            if not matches:
                raise UserError(f"--results {path}: no file matches this pattern. Check the folder, or run the "
                                "shards first.")
            expanded += matches
        else:
            expanded.append(path)
    return expanded


def shard_of(items: Sequence[T], k: int, n: int, unit: Callable[[T], Hashable] | None = None) -> list[T]:
    """Worker K's share: units K-1, K-1+N, K-1+2N, ... of the units in order of first appearance
    (round robin, so every worker gets a similar mix of seeds and data sets from a grid ordered
    seeds outermost). A unit is one item, or the items that share ``unit(item)``."""
    order: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        order.setdefault(unit(item) if unit else i, len(order))
    return [item for i, item in enumerate(items) if order[unit(item) if unit else i] % n == k - 1]


def paired_unit(cell: Any) -> tuple:
    """A baseline and its i-Mix arms at one seed go to the same worker, so a shard cut short
    still holds complete pairs for the paired test (and no worker gets all the baselines)."""
    return cell.domain, cell.name, cell.method, cell.seed, cell.data_ratio


def _cell_label(record: dict[str, Any]) -> str:
    arm = f"i-Mix ({record.get('mix') or 'mixup'})" if record.get("imix") else "baseline"
    ratio = record.get("config", {}).get("data_ratio", 1.0)
    at = f" data {ratio:g}" if ratio != 1 else ""
    return f"{record.get('domain')}/{record.get('dataset')} {record.get('method')} {arm} seed {record.get('seed')}{at}"


def distinct_paths(paths: Sequence[str]) -> list[str]:
    """The paths, globs expanded, with repeats of the same file dropped (``a.jsonl`` and ``./a.jsonl``
    are one file)."""
    seen: dict[Path, str] = {}
    for path in expand_result_paths(paths):
        seen.setdefault(Path(path).resolve(), path)
    return list(seen.values())


def refuse_duplicate_cells(by_path: dict[str, list[dict[str, Any]]]) -> None:
    """Raise UserError when one cell (the same settings and seed: the same config key) has records
    in two of the files. Repeats within one file are reruns, which the tables resolve (last wins)."""
    owner: dict[str, tuple[str, dict[str, Any]]] = {}
    for path, records in by_path.items():
        for record in records:
            if "config" not in record:
                continue
            key = config_key(record["config"])
            if key in owner and owner[key][0] != path:
                raise UserError(
                    f"the cell {_cell_label(record)} (config key {key}) is recorded in both {owner[key][0]} and "
                    f"{path}. Each cell belongs in one results file: pass each shard's file once, and if a shard "
                    "was rerun into another file, keep one of the two records (delete its line from the other file).")
            owner.setdefault(key, (path, record))


def shard_grid(grid: Any, k: int, n: int) -> None:
    """Keep worker K's share of ``grid`` (a bench.suite.Grid) and say so in its notes."""
    total = len(grid.cells)
    kept = {id(cell) for cell in shard_of(grid.cells, k, n, unit=paired_unit)}
    positions = [i + 1 for i, cell in enumerate(grid.cells) if id(cell) in kept]
    grid.cells = [cell for cell in grid.cells if id(cell) in kept]
    more = ", ..." if len(positions) > 4 else ""
    positions = ", ".join(map(str, positions[:4]))
    grid.notes.append(f"shard {k}/{n}: {len(grid.cells)} of the grid's {total} cells (cells {positions}{more}); "
                      "the other shards' workers run the rest into their own results files.")
