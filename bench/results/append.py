"""Result records: one JSON object per finished run, appended to a JSON-lines file.

A record is written in one ``write`` call on a file opened for appending, under an
exclusive lock, then flushed to disk. A run killed at any moment therefore leaves either
its whole line or none, and runs appending at the same time never interleave. Reading them
back (robustly, skipping torn lines) is ``bench/results/records.py``.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

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
