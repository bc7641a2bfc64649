"""Which cells are done (a record with the same config digest, in the results file or in a file
given to --reuse) and which another suite is running (a claim file next to the results file), so
several suites can share one grid and results file.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Sequence

from bench.core.config import config_key
from bench.core.errors import UserError
from bench.results.records import read_records


def finished_keys(records: list[dict[str, Any]]) -> set[str]:
    return {config_key(r["config"]) for r in records if "config" in r}


class Claims:
    """Marks the cells a suite is running, so several suites can share one grid and results file.

    A claim is a file named by the cell's key holding the owner's host and pid, created
    exclusively. A claim whose process is gone (killed suite) is stale and taken over.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.me = f"{socket.gethostname()} {os.getpid()}"

    def take(self, key: str) -> bool:
        path = self.folder / key
        try:
            fd = self._create(path)
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

    def _create(self, path: Path) -> int:
        """Create the claim file exclusively; the folder again if another suite just removed it empty."""
        for _ in range(3):
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileNotFoundError:
                continue
        return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)

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


def reused_keys(paths: Sequence[str]) -> dict[str, str]:
    """The config digest of every record in these other results files (--reuse), each to its file."""
    keys: dict[str, str] = {}
    for path in paths:
        if not Path(path).is_file():
            raise UserError(f"--reuse {path}: no such results file. Give a JSON-lines file of records that "
                            "an earlier suite or run wrote, or leave --reuse out.")
        keys.update(dict.fromkeys(finished_keys(read_records(path)), str(path)))
    return keys


def _decide(cell: Any, results: str, claims: Claims) -> str:
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


def remove_if_empty(*folders: Path) -> None:
    """Tidy up after a suite: its claims and checkpoint folders go once nothing is left in them (a cell
    cut short keeps its checkpoint, and another suite's claim keeps the claims folder)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # not empty, already gone, or not ours to remove
            pass
