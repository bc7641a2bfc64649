"""The suite's logger: warnings and notes go to stderr, results to stdout.

A warning or note is printed once per run: the same message again (a batch note from every epoch,
a dropped-rows note from every resolve of a suite's cells) is held back until ``new_run()``, which
each run calls as it starts, so a suite of cells still says it once per cell. Errors always print.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("imix_bench")


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (redirections and pytest replace it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class OncePerRun(logging.Filter):
    """Lets each warning or note through once until the next run starts."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno not in (logging.INFO, logging.WARNING):
            return True
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


_once = OncePerRun()
logger.addFilter(_once)  # for every caller, configured or not (the Python API, tests)


def new_run() -> None:
    """A run starts: its warnings are printed even if an earlier run printed the same."""
    _once.seen.clear()


def configure(quiet: bool = False) -> None:
    """Plain 'imix-bench: message' lines; --quiet keeps warnings and errors only."""
    if not logger.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("imix-bench: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
