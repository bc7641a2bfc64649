"""Files written whole or not at all: checkpoints, backbone files, data caches, downloads.

The content goes to a temporary name beside the file, is flushed to disk, then renamed over it
(``os.replace`` is atomic on POSIX and Windows). A crash, a kill or a full disk while writing
leaves the previous file (or none), never half of one under the file's name. Part of the core:
it imports nothing from the project, so ``domains/`` may use it.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


def temporary_pattern(path: Path) -> str:
    """The glob of the temporary names ``atomic_write`` uses for ``path`` (left behind only by a kill)."""
    return f".{path.name}.*.tmp"


@contextmanager
def atomic_write(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path`` (folders created); on leaving the block without an error,
    fsync it and rename it over ``path``; on an error, remove it and re-raise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as file:
            os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes the file private; ours need not be
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible on every platform."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
