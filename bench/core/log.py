"""The suite's logger: warnings and notes go to stderr, results to stdout."""

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


def configure(quiet: bool = False) -> None:
    """Plain 'imix-bench: message' lines; --quiet keeps warnings and errors only."""
    if not logger.handlers:
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter("imix-bench: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
