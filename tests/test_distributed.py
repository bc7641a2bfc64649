"""Two Gloo processes on the CPU give the loss and gradients of one process with the whole batch.

The test starts the processes itself, as torchrun would (RANK, WORLD_SIZE, MASTER_ADDR/PORT),
and kills them if they take longer than a minute. Tolerance: 1e-5 (absolute and relative);
the processes sum partial results in another order, so the last bits differ (seen: ~1e-7).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import dist_worker
from bench.training.checkpoint import checkpoint_path
from bench.core.config import config_key
from bench.results.records import read_records
from train_helpers import tiny_config

HERE = Path(__file__).resolve().parent
TOLERANCE = dict(atol=1e-5, rtol=1e-5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(argv: list[str], world: int, cwd: Path, timeout: float = 60) -> list[subprocess.CompletedProcess]:
    """``world`` processes of ``python argv`` with torchrun's environment; killed after ``timeout``."""
    port = free_port()
    procs = []
    for rank in range(world):
        env = {**os.environ, "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": str(world),
               "LOCAL_WORLD_SIZE": str(world), "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port),
               "OMP_NUM_THREADS": "1", "PYTHONPATH": f"{HERE.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        procs.append(subprocess.Popen([sys.executable, *argv], env=env, cwd=cwd, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    done = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return done


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> tuple[list[dict], Path]:
    out = tmp_path_factory.mktemp("dist")
    for proc in launch([str(HERE / "dist_worker.py"), str(out)], 2, HERE):
        assert proc.returncode == 0, proc.stderr[-3000:]
    return [torch.load(out / f"rank{r}.pt", weights_only=False) for r in range(2)], out


@pytest.mark.parametrize("case", list(dist_worker.CASES))
@pytest.mark.slow
def test_two_processes_equal_one_with_the_global_batch(case, two_processes):
    (rank0, rank1), _ = two_processes
    single = dist_worker.step(case, world=1, rank=0)
    assert rank0[case]["loss"] == pytest.approx(single["loss"], abs=1e-5, rel=1e-5)
    assert rank0[case]["grads"].keys() == single["grads"].keys() and single["grads"]
    for name, grad in single["grads"].items():
        torch.testing.assert_close(rank0[case]["grads"][name], grad, **TOLERANCE, msg=name)
        assert torch.equal(rank0[case]["grads"][name], rank1[case]["grads"][name])  # DDP: identical everywhere
    if "queue" in single:  # MoCo: the gathered global keys entered both queues, in global order
        torch.testing.assert_close(rank0[case]["queue"], single["queue"], **TOLERANCE)
        assert torch.equal(rank0[case]["queue"], rank1[case]["queue"])


@pytest.mark.slow
def test_npair_in_groups_on_one_process_equals_two_processes_with_local_logits(two_processes):
    # run.sh's N-pair: 2 GPUs, each contrasting its own half with its own BatchNorm; --npair-group on one process
    (rank0, rank1), _ = two_processes
    single = dist_worker.grouped_npair_step(world=1, rank=0)
    assert rank0["grouped npair"]["loss"] == pytest.approx(single["loss"], abs=1e-5, rel=1e-5)
    assert single["grads"] and rank0["grouped npair"]["grads"].keys() == single["grads"].keys()
    for name, grad in single["grads"].items():
        torch.testing.assert_close(rank0["grouped npair"]["grads"][name], grad, **TOLERANCE, msg=name)
        assert torch.equal(rank0["grouped npair"]["grads"][name], rank1["grouped npair"]["grads"][name])
    # and it is not the gathered (global) N-pair loss of the same samples and pairs
    assert abs(rank0["simclr+imix"]["loss"] - single["loss"]) > 1e-3


@pytest.mark.slow
def test_trainer_runs_sharded_and_checkpoints_every_generator(two_processes):
    (rank0, rank1), out = two_processes
    assert len(rank0["train losses"]) == 2 and rank0["train losses"] == rank1["train losses"]  # averaged
    cfg = tiny_config(method="moco", imix=True, epochs=2, sync_bn=True, checkpoint_dir=str(out), checkpoint_every=1)
    saved = torch.load(checkpoint_path(out, config_key(cfg.to_dict())), weights_only=False)
    assert saved["epoch"] == 2 and len(saved["state"]["rng"]) == 2  # seed + rank: two different streams
    assert not torch.equal(saved["state"]["rng"][0]["torch"], saved["state"]["rng"][1]["torch"])


@pytest.mark.slow
def test_a_batch_that_does_not_split_over_the_processes_is_refused(two_processes):
    (rank0, _), _ = two_processes
    assert "does not split evenly over 2 processes" in rank0["odd batch"]
    assert "pass a multiple of 2 (e.g. 14)" in rank0["odd batch"]


@pytest.mark.slow
def test_torchrun_style_cli_run_writes_one_record_from_rank_0(tmp_path):
    results = tmp_path / "r.jsonl"
    argv = ["-m", "bench", "run", "--method", "simclr", "--imix", "--epochs", "1", "--data-ratio", "0.1",
            "--width", "32", "--batch-size", "32", "--proj-hidden", "32", "--no-raw-probe", "--results", str(results)]
    procs = launch(argv, 2, HERE.parent)
    assert [p.returncode for p in procs] == [0, 0], procs[0].stderr[-3000:] + procs[1].stderr[-3000:]
    assert "linear probe" in procs[0].stdout and "linear probe" not in procs[1].stdout  # Gloo itself prints a line
    (record,) = read_records(results)
    assert record["environment"]["processes"] == 2


@pytest.mark.slow
def test_cli_refuses_a_global_batch_that_does_not_split(tmp_path):
    argv = ["-m", "bench", "run", "--epochs", "1", "--batch-size", "33", "--data-ratio", "0.1", "--quiet",
            "--results", str(tmp_path / "r.jsonl")]
    procs = launch(argv, 2, HERE.parent)
    assert [p.returncode for p in procs] == [2, 2]
    assert "does not split evenly over 2 processes" in procs[0].stderr and "Traceback" not in procs[0].stderr
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.slow
def test_suite_under_two_processes_runs_each_cell_once_over_both(tmp_path):
    results = tmp_path / "r.jsonl"
    argv = ["-m", "bench", "suite", "--domains", "tabular", "--methods", "byol", "--seeds", "1", "--data-ratios",
            "0.1", "--epochs", "1", "--width", "32", "--batch-size", "32", "--no-raw-probe", "--results", str(results)]
    procs = launch(argv, 2, HERE.parent)
    assert [p.returncode for p in procs] == [0, 0], procs[0].stderr[-3000:] + procs[1].stderr[-3000:]
    assert "suite: 2 ran" in procs[0].stdout and "suite:" not in procs[1].stdout
    records = read_records(results)
    assert [r["imix"] for r in records] == [False, True]
    assert all(r["environment"]["processes"] == 2 for r in records)


def test_shuffled_bn_on_one_process_gives_the_same_keys():
    from bench.training.mixing import Mix
    from train_helpers import build

    x = torch.randn(16, 64, generator=torch.Generator().manual_seed(1))
    losses = []
    for shuffle in (False, True):
        method = build(tiny_config(method="moco", shuffle_bn=shuffle), (64,), n_train=128)
        losses.append(float(method.loss(x, x.flip(0), Mix.identity(16), torch.zeros(16, dtype=torch.long)).detach()))
    # one process: the permutation stays within the batch, so BatchNorm sees the same samples
    assert losses[0] == pytest.approx(losses[1], abs=1e-6)
