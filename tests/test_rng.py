"""Per-process seeds: rank 0 keeps the run's seed; other ranks never repeat another run's rank 0."""

from __future__ import annotations

import inspect

from bench import run
from bench.core.rng import process_seed


def test_rank_zero_keeps_the_seed_so_one_process_runs_do_not_change():
    assert [process_seed(s, 0) for s in (0, 1, 7, 123)] == [0, 1, 7, 123]


def test_rank_one_of_seed_s_is_not_rank_zero_of_seed_s_plus_one():
    assert process_seed(0, 1) != 1 and process_seed(5, 1) != 6
    seeds = {process_seed(s, r) for s in range(100) for r in range(8)}
    assert len(seeds) == 800  # no two (seed, rank) pairs share a stream
    assert process_seed(3, 2) == process_seed(3, 2) and 0 <= process_seed(3, 2) < 2 ** 63


def test_the_run_draws_its_augmentation_seed_from_process_seed():
    assert "process_seed(cfg.seed, distributed.rank())" in inspect.getsource(run.open_run)
