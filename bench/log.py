"""The suite's logger: warnings and notes go to stderr, results to stdout."""

from __future__ import annotations

import logging

logger = logging.getLogger("imix_bench")


def configure(quiet: bool = False) -> None:
    """Plain 'imix-bench: message' lines; --quiet keeps warnings and errors only."""
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("imix-bench: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(logging.WARNING if quiet else logging.INFO)
