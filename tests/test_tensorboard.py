"""--tensorboard: the event files hold the record's loss curve, learning rates and validation monitor per
epoch, and the loss, learning rate, lam and throughput every --log-every steps."""

from __future__ import annotations

import sys

import pytest

from bench.cli import main
from bench.core.config import config_key
from bench.results.records import read_records
from bench.training.schedules import warmup_cosine

TINY = ["--epochs", "3", "--width", "32", "--batch-size", "256", "--proj-hidden", "32", "--eval-every", "1",
        "--warmup-epochs", "1", "--no-raw-probe", "--quiet"]


def test_event_file_holds_loss_lr_and_knn_per_epoch(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    results, board = tmp_path / "r.jsonl", tmp_path / "tb"
    assert main(["run", "--imix", *TINY, "--tensorboard", str(board), "--log-every", "5", "--results", str(results)]) == 0
    (record,) = read_records(results)
    (folder,) = board.iterdir()  # one subfolder per run, named by what ran
    assert folder.name.startswith("tabular-digits-simclr-imix-mixup-seed0-")
    events = EventAccumulator(str(folder))
    events.Reload()

    def scalars(tag: str) -> tuple[list[int], list[float]]:
        points = events.Scalars(tag)
        return [p.step for p in points], [p.value for p in points]

    steps, losses = scalars("pretrain/loss")
    assert steps == [1, 2, 3] and losses == pytest.approx(record["loss_curve"], rel=1e-6)  # float32 in the file
    # the learning rate of each epoch's first step: warm-up over epoch 1, then cosine (1347 rows, batch 256: 5 steps)
    cfg = record["config"]
    per_epoch = record["data"]["n_pretrain"] // cfg["batch_size"]
    assert per_epoch == 5
    factor = warmup_cosine(3 * per_epoch, per_epoch)
    expected = [cfg["lr"] * cfg["batch_size"] / 256 * factor(e * per_epoch) for e in range(3)]
    assert scalars("pretrain/lr") == ([1, 2, 3], pytest.approx(expected, rel=1e-6))
    assert expected[0] == pytest.approx(0.125 / 5)  # (step 0 + 1) / 5 warm-up steps of the scaled lr 0.125
    knn_steps, knn = scalars("monitor/validation_knn_accuracy")
    assert knn_steps == [1, 2, 3] and knn == pytest.approx([m["knn"] for m in record["monitor"]], rel=1e-6)
    assert scalars("final/probe_accuracy") == ([3], pytest.approx([record["probe"]["accuracy"]], rel=1e-6))
    # per step, every 5 steps (one epoch here): the mean loss of those steps is the epoch's loss, the learning
    # rate the one step 5, 10, 15 used, lam the mean mixing weight (folded to >= 0.5), and a throughput
    step_numbers, step_losses = scalars("step/loss")
    assert step_numbers == [5, 10, 15] and step_losses == pytest.approx(record["loss_curve"], rel=1e-5)
    assert scalars("step/lr") == ([5, 10, 15], pytest.approx(
        [cfg["lr"] * cfg["batch_size"] / 256 * factor(s - 1) for s in (5, 10, 15)], rel=1e-6))
    assert all(0.5 <= lam <= 1 for lam in scalars("step/lam_mean")[1]) and len(scalars("step/lam_mean")[1]) == 3
    assert all(rate > 0 for rate in scalars("step/samples_per_second")[1])
    # the folder is bookkeeping: the run is the same cell with or without it (a suite skips it either way)
    assert cfg["tensorboard"] == str(board)
    assert config_key(cfg) == config_key({**cfg, "tensorboard": None}) == config_key(
        {k: v for k, v in cfg.items() if k not in ("tensorboard", "log_every")})


def test_missing_tensorboard_is_a_user_error_before_any_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # import fails as if not installed
    results = tmp_path / "r.jsonl"
    assert main(["run", *TINY, "--tensorboard", str(tmp_path / "tb"), "--results", str(results)]) == 2
    error = capsys.readouterr().err
    assert "--tensorboard needs the tensorboard package" in error and "imix-bench[tensorboard]" in error
    assert not results.exists() and not (tmp_path / "tb").exists()
