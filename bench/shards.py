"""Splitting a grid over independent workers, and joining their results files back.

A cluster job array (SLURM ``--array``, or any scheduler) runs N copies of one command that
differ only in an index. ``bench suite --shard K/N`` gives copy K a fixed share of the cells,
every N-th one of the full ordered cell list, starting at the K-th: the share does not depend
on what is already recorded, so the shares stay disjoint across restarts and no worker needs
a lock another worker can see. Each worker writes its own results file; the readers
(`bench table`, `plot`, `report`) take them all and refuse a cell recorded in two files, which
means a shard was run twice into different files, or files of different grids were mixed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence, TypeVar

from .config import config_key
from .errors import UserError

T = TypeVar("T")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N) with 1 <= K <= N; anything else is a UserError."""
    k_text, sep, n_text = str(text).strip().partition("/")
    try:
        k, n = int(k_text), int(n_text)
    except ValueError:
        k = n = 0
    if not sep or n < 1 or not 1 <= k <= n:
        raise UserError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 1/4 for the first of four "
                        "workers (in a SLURM array: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT with "
                        "--array=1-N).")
    return k, n


def shard_of(items: Sequence[T], k: int, n: int) -> list[T]:
    """Worker K's share: the items at positions K-1, K-1+N, K-1+2N, ... (round robin, so every
    worker gets a similar mix of seeds and data sets from a grid ordered seeds outermost)."""
    return [item for i, item in enumerate(items) if i % n == k - 1]


def _cell_label(record: dict[str, Any]) -> str:
    arm = f"i-Mix ({record.get('mix') or 'mixup'})" if record.get("imix") else "baseline"
    ratio = record.get("config", {}).get("data_ratio", 1.0)
    at = f" data {ratio:g}" if ratio != 1 else ""
    return f"{record.get('domain')}/{record.get('dataset')} {record.get('method')} {arm} seed {record.get('seed')}{at}"


def distinct_paths(paths: Sequence[str]) -> list[str]:
    """The paths with repeats of the same file dropped (``a.jsonl`` and ``./a.jsonl`` are one file)."""
    seen: dict[Path, str] = {}
    for path in paths:
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
    grid.cells = shard_of(grid.cells, k, n)
    positions = ", ".join(str(i + 1) for i in range(k - 1, min(total, k - 1 + 3 * n), n))
    more = ", ..." if len(grid.cells) > 3 else ""
    grid.notes.append(f"shard {k}/{n}: {len(grid.cells)} of the grid's {total} cells (cells {positions}{more}); "
                      "the other shards' workers run the rest into their own results files.")
