"""``IMIX_BENCH_MAX_EPOCHS=N``: cap every run's pretraining epochs, to try the documented commands quickly.

The docs' examples train for the real lengths (100 epochs on the embedded digits); with the cap
set, each runs at most N epochs, so the README and docs/api.md can be followed (and are tested,
tests/test_docs.py) in a minute or two. The cap is applied where a config is resolved, so the
record stores the epochs that ran: a capped run is another cell, never mistaken for a full one.
"""

from __future__ import annotations

import os

from bench.core.errors import UserError
from bench.core.log import logger

MAX_EPOCHS = "IMIX_BENCH_MAX_EPOCHS"


def epochs_cap() -> int | None:
    """The cap from the environment, or None when it is unset or empty."""
    text = os.environ.get(MAX_EPOCHS, "").strip()
    if not text:
        return None
    try:
        cap = int(text)
    except ValueError:
        cap = -1
    if cap < 0:
        raise UserError(f"{MAX_EPOCHS}={text!r}: give a number of epochs (0 or more), or unset it for the real lengths.")
    return cap


def capped_epochs(epochs: int) -> int:
    """``epochs``, or the cap when it is lower (saying so, once per run)."""
    cap = epochs_cap()
    if cap is None or epochs <= cap:
        return epochs
    logger.warning("%s=%d: every run pretrains at most %d epoch(s), to try the examples quickly; the records "
                   "store the capped --epochs (unset it for the real lengths)", MAX_EPOCHS, cap, cap)
    return cap
