"""A file built once and read afterwards, written atomically: complete or absent, never half-written."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Callable, TypeVar

from bench.core.atomic import atomic_write
from bench.core.log import logger

T = TypeVar("T")


def cached(path: str | Path, build: Callable[[], T], save: Callable[[T, IO[bytes]], Any],
           load: Callable[[Path], T]) -> T:
    """``load(path)`` when the file exists, else ``build()``, saved with ``save(value, file)``.

    A cache that cannot be written (a read-only data root) only costs a rebuild next time.
    """
    path = Path(path)
    if path.exists():
        return load(path)
    value = build()
    try:
        with atomic_write(path) as file:
            save(value, file)
    except OSError as error:
        logger.debug("could not cache %s: %s", path, error)
    return value
