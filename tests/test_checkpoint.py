"""Checkpoints: a resumed run equals an uninterrupted one, and a file is never half-written."""

from __future__ import annotations

import pytest
import torch

from bench.training import checkpoint
from bench.training.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from bench.cli import main
from bench.core.config import config_key
from bench.core.errors import UserError
from bench.results.records import read_records
from train_helpers import tiny_config, train


class Killed(Exception):
    """Stands in for the process being killed in the middle of an epoch."""


@pytest.mark.parametrize("method, imix", [("moco", True), ("byol", False), ("simclr", True)])
def test_resumed_run_gives_bit_identical_weights_and_losses(method, imix, tmp_path):
    settings = dict(method=method, imix=imix, epochs=4, checkpoint_every=1)
    straight, straight_stats = train(tiny_config(**settings))

    cfg = tiny_config(**settings, checkpoint_dir=str(tmp_path), resume=True)

    def kill_in_epoch_3(epoch: int, scalars: dict):
        if epoch == 3:  # after epoch 3's training, before its checkpoint: epoch 3 is lost
            raise Killed

    with pytest.raises(Killed):
        train(cfg, on_epoch_end=kill_in_epoch_3)
    saved = torch.load(checkpoint_path(tmp_path, config_key(cfg.to_dict())), weights_only=False)
    assert saved["epoch"] == 2

    resumed, resumed_stats = train(cfg)  # fresh objects, as a new process would build them
    assert resumed_stats.epoch_losses == straight_stats.epoch_losses  # exactly, all 4 epochs
    expected, got = straight.state_dict(), resumed.state_dict()
    assert expected.keys() == got.keys()
    for name in expected:  # includes the EMA copies, MoCo's queue and pointer, BatchNorm statistics
        assert torch.equal(expected[name], got[name]), name


def test_resume_without_a_checkpoint_starts_from_scratch(tmp_path, caplog):
    cfg = tiny_config(epochs=1, checkpoint_dir=str(tmp_path / "new"), resume=True)
    _, stats = train(cfg)
    assert len(stats.epoch_losses) == 1
    assert checkpoint_path(cfg.checkpoint_dir, config_key(cfg.to_dict())).exists()  # the last epoch is saved


def test_a_crash_while_writing_keeps_the_old_checkpoint_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "run-k.pt"
    save_checkpoint(path, "k", 1, {"weights": torch.ones(3)})
    real_save = torch.save

    def save_half_then_fail(obj, file, *args, **kwargs):
        file.write(b"PK\x03\x04 half a zip file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint.torch, "save", save_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(path, "k", 2, {"weights": torch.zeros(3)})
    monkeypatch.setattr(checkpoint.torch, "save", real_save)
    assert [p.name for p in tmp_path.iterdir()] == ["run-k.pt"]
    payload = load_checkpoint(path, "k")
    assert payload["epoch"] == 1 and torch.equal(payload["state"]["weights"], torch.ones(3))


def test_a_temporary_file_left_by_a_killed_writer_is_cleared_by_the_next_save(tmp_path):
    path = tmp_path / "run-k.pt"
    (tmp_path / ".run-k.pt.x1y2.tmp").write_bytes(b"left by a process killed while writing")
    save_checkpoint(path, "k", 3, {})
    assert [p.name for p in tmp_path.iterdir()] == ["run-k.pt"]
    assert load_checkpoint(path, "k")["epoch"] == 3


def test_a_checkpoint_of_another_run_or_a_broken_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "run-k.pt"
    save_checkpoint(path, "other", 1, {})
    with pytest.raises(UserError, match="other settings .* Use another --checkpoint-dir or drop --resume"):
        load_checkpoint(path, "k")
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(UserError, match="cannot be read .* drop --resume"):
        load_checkpoint(path, "k")
    assert load_checkpoint(tmp_path / "absent.pt", "k") is None


def test_cli_resume_of_a_finished_run_repeats_its_record(tmp_path, capsys):
    args = ["run", "--method", "moco", "--epochs", "2", "--data-ratio", "0.1", "--width", "32", "--batch-size", "32",
            "--proj-hidden", "32", "--queue-size", "64", "--quiet", "--results", str(tmp_path / "r.jsonl"),
            "--checkpoint-dir", str(tmp_path / "ck"), "--checkpoint-every", "1", "--resume", "--no-raw-probe"]
    assert main(args) == 0
    assert main(args) == 0  # resumes after the last epoch: no training, the same evaluation
    first, second = read_records(tmp_path / "r.jsonl")
    assert first["loss_curve"] == second["loss_curve"] and len(first["loss_curve"]) == 2
    assert first["probe"]["accuracy"] == second["probe"]["accuracy"]
    # the resumed record's wall time covers the first process too, and says what the second took alone
    assert second["resumed_at_epoch"] == 2 and second["train_seconds"] == first["train_seconds"]
    assert second["wall_seconds"] >= second["train_seconds"] + second["last_process_wall_seconds"]
    assert first["wall_seconds"] == pytest.approx(first["last_process_wall_seconds"], abs=0.01)


@pytest.mark.parametrize("args, message", [
    (["--resume"], "--resume needs --checkpoint-dir DIR"),
    (["--checkpoint-every", "-1", "--checkpoint-dir", "x"], "--checkpoint-every must be 0"),
    (["--workers", "-2"], "--workers must be 0"),
    (["--shuffle-bn"], "--shuffle-bn applies to MoCo's key encoder only"),
])
def test_bad_checkpoint_and_speed_flags_exit_2_without_traceback(args, message, tmp_path, capsys):
    assert main(["run", *args, "--quiet", "--results", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.slow
def test_a_killed_process_resumes_to_the_same_weights_as_an_uninterrupted_one(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    def argv(folder: str) -> list[str]:
        return ["run", "--method", "moco", "--imix", "--epochs", "40",
                "--data-ratio", "0.1", "--width", "32", "--batch-size", "32", "--proj-hidden", "32",
                "--queue-size", "64", "--workers", "1", "--quiet", "--no-raw-probe", "--checkpoint-every", "1",
                "--checkpoint-dir", str(tmp_path / folder), "--resume", "--results", str(tmp_path / f"{folder}.jsonl")]

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{repo}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    assert main(argv("straight")) == 0  # in this process: one start-up less
    bench = [sys.executable, "-m", "bench"]
    victim = subprocess.Popen(bench + argv("killed"), env=env, cwd=repo)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "killed").glob("run-*.pt")) and time.monotonic() < deadline:
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)  # no cleanup at all, possibly in the middle of a write
    victim.wait(timeout=10)
    (saved,) = (tmp_path / "killed").glob("run-*.pt")
    stopped_after = torch.load(saved, weights_only=False)["epoch"]
    subprocess.run(bench + argv("killed"), env=env, cwd=repo, check=True, timeout=60)

    (straight,) = read_records(tmp_path / "straight.jsonl")
    (resumed,) = read_records(tmp_path / "killed.jsonl")
    assert stopped_after < 40, "the run finished before it could be killed; make it longer"
    assert resumed["loss_curve"] == straight["loss_curve"]
    final = [torch.load(next((tmp_path / f).glob("run-*.pt")), weights_only=False)["state"]["method"]
             for f in ("straight", "killed")]
    assert all(torch.equal(final[0][name], final[1][name]) for name in final[0])
    assert not list((tmp_path / "killed").glob(".*.tmp"))  # a write cut short by the kill is cleared later
