"""Result records: one JSON object per finished run, appended to a JSON-lines file.

A record is written in one ``write`` call on a file opened for appending, under an
exclusive lock, then flushed to disk. A run killed at any moment therefore leaves either
its whole line or none, and runs appending at the same time never interleave.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterator

from .errors import UserError
from .log import logger

RECORD_VERSION = 1


def append_record(path: str | Path, record: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, sort_keys=True, allow_nan=False) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        # A line after a torn last line would be unreadable; start it on a line of its own.
        size = os.fstat(fd).st_size
        if size:
            with open(path, "rb") as existing:
                existing.seek(size - 1)
                if existing.read(1) != b"\n":
                    line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"short write to {path}: {written} of {len(line)} bytes")
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock


# What every reader (table, plot, suite) relies on; a line without them is not a record.
RECORD_FIELDS = ("domain", "dataset", "method", "imix", "seed", "config", "probe", "knn")


def is_record(value: Any) -> bool:
    """A JSON value with the fields of a result record, its accuracies numbers."""
    if not isinstance(value, dict) or not all(name in value for name in RECORD_FIELDS):
        return False
    accuracies = [value[m].get("accuracy") if isinstance(value[m], dict) else None for m in ("probe", "knn")]
    return (isinstance(value["config"], dict) and all(isinstance(v, str) for v in (value["domain"], value["dataset"],
            value["method"])) and all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in accuracies))


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every complete record in the file; lines that are not records are skipped with a warning.

    Not records: torn or non-JSON lines, bytes that are not UTF-8, JSON values without the record fields.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"no result records at {path}. Run `python -m bench run ...` first, or pass --results PATH.")
    if path.is_dir():
        raise UserError(f"--results {path} is a folder; give the JSON-lines file inside it.")
    skipped = 0
    try:
        lines = open(path, "rb")
    except OSError as error:
        raise UserError(f"--results {path} cannot be read ({error.strerror or error}).") from None
    with lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                skipped += 1
                continue
            if is_record(record):
                yield record
            else:
                skipped += 1
    if skipped:
        logger.warning("skipped %d unreadable line(s) in %s", skipped, path)


def read_records(path: str | Path, missing_ok: bool = False) -> list[dict[str, Any]]:
    """All complete records; with ``missing_ok`` a file not yet written holds none."""
    if missing_ok and not Path(path).exists():
        return []
    return list(iter_records(path))
