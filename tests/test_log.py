"""Warnings print once per run; IMIX_BENCH_MAX_EPOCHS caps the epochs a config resolves to."""

from __future__ import annotations

import pytest

from bench.core.config import config_key
from bench.training.resolve import resolve
from bench.core.errors import UserError
from bench.core.log import configure, logger, new_run
from bench.results.records import read_records
from bench.cli import main


def test_a_repeated_warning_prints_once_until_the_next_run(capsys):
    configure()
    for _ in range(3):
        logger.warning("--batch-size 256 is more than the 40 pretraining samples")
    logger.warning("another warning")
    assert capsys.readouterr().err.count("more than the 40") == 1
    new_run()
    logger.warning("--batch-size 256 is more than the 40 pretraining samples")
    assert capsys.readouterr().err.count("more than the 40") == 1


def test_a_run_with_a_batch_larger_than_its_data_says_so_once(tmp_path, capsys):
    args = ["run", "--epochs", "3", "--eval-every", "1", "--width", "16", "--batch-size", "4096", "--quiet",
            "--no-raw-probe", "--results", str(tmp_path / "r.jsonl")]
    assert main(args) == 0 and main(args) == 0  # two runs: the note once in each
    assert capsys.readouterr().err.count("is more than the 1347 pretraining samples") == 2


def test_max_epochs_caps_the_resolved_config_and_the_record(tmp_path, monkeypatch, capsys):
    configure()
    monkeypatch.setenv("IMIX_BENCH_MAX_EPOCHS", "1")
    cfg = resolve({"epochs": 100})
    assert cfg.epochs == 1 and resolve({"epochs": 0}).epochs == 0
    assert "IMIX_BENCH_MAX_EPOCHS=1: every run pretrains at most 1 epoch(s)" in capsys.readouterr().err
    with monkeypatch.context() as unset:
        unset.delenv("IMIX_BENCH_MAX_EPOCHS")
        assert config_key(cfg.to_dict()) == config_key(resolve({"epochs": 1}).to_dict())  # a 1-epoch run, as any
    results = tmp_path / "r.jsonl"
    assert main(["run", "--width", "16", "--quiet", "--no-raw-probe", "--results", str(results)]) == 0
    (record,) = read_records(results)
    assert record["config"]["epochs"] == 1 and len(record["loss_curve"]) == 1
    monkeypatch.setenv("IMIX_BENCH_MAX_EPOCHS", "lots")
    with pytest.raises(UserError, match="IMIX_BENCH_MAX_EPOCHS='lots': give a number of epochs"):
        resolve({})
