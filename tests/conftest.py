"""Shared test fixtures: the offline data beside the repository, and small run settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from threadpoolctl import threadpool_limits

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("IMIX_BENCH_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (the real data sets laid out for tests); skipped where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"offline data not found at {SHARED_DATA} (set IMIX_BENCH_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _few_threads():
    """Tests use small tensors; one thread (torch and the probe's BLAS) avoids oversubscribing
    a small CI machine, where threads fighting for two cores made the probe 10x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _warnings_afresh():
    """Each test starts as a new run would: a warning another test printed is printed again."""
    from bench.core.log import new_run

    new_run()
    yield
