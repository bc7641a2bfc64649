"""Every method with i-MixUp and i-CutMix, end to end through the command line, on digits."""

from __future__ import annotations

import json
import math

import pytest

from bench.cli import main

# a quarter of each digit class (337 images) for the probe, 40% of those (135) for pretraining
TINY = ["--domain", "images", "--class-ratio", "0.25", "--data-ratio", "0.4", "--epochs", "1", "--batch-size", "64",
        "--width", "0.25", "--proj-hidden", "64", "--proj-dim", "32", "--queue-size", "256", "--quiet"]


def run(tmp_path, *flags: str) -> dict:
    results = tmp_path / "runs.jsonl"
    assert main(["run", *TINY, "--data-root", str(tmp_path), "--results", str(results), *flags]) == 0
    return json.loads(results.read_text().splitlines()[-1])


@pytest.mark.parametrize("method", ["simclr", "moco", "byol"])
@pytest.mark.parametrize("mix", ["mixup", "cutmix"])
def test_each_method_trains_with_imix(tmp_path, method, mix):
    record = run(tmp_path, "--method", method, "--imix", "--mix", mix)
    assert record["domain"] == "images" and record["dataset"] == "digits"
    assert record["method"] == method and record["imix"] and record["mix"] == mix
    assert record["data"]["n_train"] == 337 and record["data"]["n_pretrain"] == 135
    assert record["data"]["input_shape"] == [3, 32, 32]
    assert len(record["loss_curve"]) == 1 and math.isfinite(record["loss_curve"][0])
    assert record["probe"]["accuracy"] > 0.3  # ten classes: chance is 0.1


def test_ntxent_baseline_and_the_no_augmentation_setting(tmp_path):
    record = run(tmp_path, "--method", "ntxent")
    assert record["method"] == "ntxent" and not record["imix"]
    plain = run(tmp_path, "--method", "simclr", "--imix", "--no-aug", "--inputmix", "--seed", "1")
    assert plain["config"]["no_aug"] and plain["config"]["inputmix"] and math.isfinite(plain["loss_curve"][0])


def test_cutmix_is_refused_where_neighbours_are_not_correlated(tmp_path, capsys):
    code = main(["run", "--domain", "tabular", "--imix", "--mix", "cutmix", "--epochs", "1",
                 "--results", str(tmp_path / "r.jsonl")])
    assert code == 2 and "mixup" in capsys.readouterr().err
    assert not (tmp_path / "r.jsonl").exists()


def test_offline_cifar10_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    code = main(["run", "--domain", "images", "--dataset", "cifar10", "--data-root", str(tmp_path / "empty"),
                 "--results", str(tmp_path / "r.jsonl")])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # an earlier line may say a download was tried
    assert code == 2 and last.startswith("error:") and "cifar-10-python.tar.gz" in last
    assert "Traceback" not in err
