"""--wandb: the same scalars as TensorBoard in a Weights & Biases run, offline by default, never required;
and the per-step meter behind both, by hand."""

from __future__ import annotations

import sys
import types

import pytest
import torch

from bench.cli import main
from bench.results.records import read_records
from bench.training.mixing import Mix
from bench.training.step_meter import StepMeter
from test_tensorboard import TINY


class FakeRun:
    """What open_wandb asks of a W&B run, recorded."""

    def __init__(self, **init) -> None:
        self.init, self.logged, self.metrics, self.summary, self.finished = init, [], {}, {}, False

    def define_metric(self, name, step_metric=None):
        self.metrics[name] = step_metric

    def log(self, values):
        self.logged.append(values)

    def finish(self):
        self.finished = True


@pytest.fixture
def fake_wandb(monkeypatch):
    runs: list[FakeRun] = []
    module = types.SimpleNamespace(init=lambda **kw: runs.append(FakeRun(**kw)) or runs[-1],
                                   Settings=lambda **kw: ("settings", kw))
    monkeypatch.setitem(sys.modules, "wandb", module)
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_PROJECT", raising=False)
    return runs


def test_wandb_gets_step_and_epoch_scalars_offline_by_default(tmp_path, fake_wandb):
    results = tmp_path / "r.jsonl"
    args = ["run", "--imix", *TINY, "--wandb", str(tmp_path / "wb"), "--log-every", "5", "--results", str(results)]
    assert main(args) == 0
    (record,) = read_records(results)
    (run,) = fake_wandb
    assert run.init["mode"] == "offline" and run.init["project"] == "imix-bench" and run.init["dir"] == str(tmp_path / "wb")
    assert run.init["config"]["wandb"] == str(tmp_path / "wb") and run.init["name"].startswith("tabular-digits-simclr-imix")
    assert run.metrics["step/*"] == "train_step" and run.metrics["pretrain/*"] == "epoch"
    steps = [entry for entry in run.logged if "train_step" in entry]
    assert [entry["train_step"] for entry in steps] == [5, 10, 15]  # 5 steps an epoch (1347 rows, batch 256)
    assert [entry["step/loss"] for entry in steps] == pytest.approx(record["loss_curve"], rel=1e-5)
    epochs = [entry for entry in run.logged if "epoch" in entry]
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert [e["monitor/validation_knn_accuracy"] for e in epochs] == [m["knn"] for m in record["monitor"]]
    assert run.summary["final/probe_accuracy"] == record["probe"]["accuracy"] and run.finished
    assert record["config"]["log_every"] == 5


def test_wandb_mode_and_project_come_from_the_environment(tmp_path, fake_wandb, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    monkeypatch.setenv("WANDB_PROJECT", "mine")
    assert main(["run", *TINY, "--wandb", str(tmp_path / "wb"), "--results", str(tmp_path / "r.jsonl")]) == 0
    (run,) = fake_wandb
    assert (run.init["mode"], run.init["project"]) == ("disabled", "mine")
    assert not any("step/lam_mean" in entry for entry in run.logged)  # a baseline has no lam


def test_missing_wandb_is_a_user_error_before_any_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "wandb", None)  # import fails as if not installed
    results = tmp_path / "r.jsonl"
    assert main(["run", *TINY, "--wandb", str(tmp_path / "wb"), "--results", str(results)]) == 2
    error = capsys.readouterr().err
    assert "--wandb needs the wandb package" in error and "imix-bench[wandb]" in error and not results.exists()


def test_real_wandb_writes_an_offline_run_folder_without_network(tmp_path, monkeypatch):
    pytest.importorskip("wandb")
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.setenv("WANDB_DISABLE_GIT", "true")
    folder = tmp_path / "wb"
    assert main(["run", "--imix", *TINY, "--wandb", str(folder), "--log-every", "5",
                 "--results", str(tmp_path / "r.jsonl")]) == 0
    (run,) = (folder / "wandb").glob("offline-run-*")
    (log,) = run.glob("run-*.wandb")
    data = log.read_bytes()
    assert b"step/loss" in data and b"monitor/validation_knn_accuracy" in data and b"final/probe_accuracy" in data


def test_the_step_meter_averages_over_its_interval_and_syncs_only_then():
    reports = []
    meter = StepMeter(lambda step, scalars: reports.append((step, scalars)), every=2, batch_size=4)
    mixer = meter.watch(lambda x, alpha, rng: (x, Mix(torch.arange(2), torch.tensor([0.5, 1.0]) * alpha)))
    for step, loss in enumerate([1.0, 3.0, 5.0, 6.0, 7.0], start=1):
        mixer(torch.zeros(2), 1.0 if step < 3 else 0.8, None)  # lam means 0.75, 0.75, 0.6, 0.6, 0.6
        meter.step(step, torch.tensor(loss), lr=0.1 * step)
    assert [step for step, _ in reports] == [2, 4]  # step 5 waits for step 6
    (_, first), (_, second) = reports
    assert first["loss"] == 2.0 and second["loss"] == 5.5 and first["lr"] == pytest.approx(0.2)
    assert first["lam_mean"] == pytest.approx(0.75) and second["lam_mean"] == pytest.approx(0.6)
    assert first["samples_per_second"] > 0
    assert StepMeter(print, 2, 4).watch(None) is None  # no mixer (a baseline): nothing to watch
