"""The speech domain end to end through the command line, on tiny data: one short epoch each."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from bench.cli import main

from speech_fixtures import class_folder

TINY = ["--domain", "speech", "--dataset", "audiofolder", "--seconds", "0.5", "--test-size", "0.34",
        "--epochs", "1", "--batch-size", "6", "--width", "0.25", "--stem-stride", "2",
        "--proj-dim", "16", "--proj-hidden", "32", "--queue-size", "12", "--quiet"]


def read_records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return class_folder(tmp_path_factory.mktemp("clips"), classes=3, per_class=6)


@pytest.mark.parametrize("method,mix", [("simclr", "mixup"), ("moco", "mixup"), ("byol", "mixup"), ("simclr", "cutmix")])
def test_every_method_with_imix_runs_one_epoch(tiny_folder, tmp_path, method, mix):
    results = tmp_path / "runs.jsonl"
    code = main(["run", *TINY, "--data", str(tiny_folder), "--method", method, "--imix", "--mix", mix,
                 "--results", str(results), "--data-root", str(tmp_path)])
    assert code == 0
    (record,) = read_records(results)
    assert (record["domain"], record["method"], record["imix"], record["mix"]) == ("speech", method, True, mix)
    assert record["data"]["input_shape"] == [1, 32, 16]  # the official recipe: 0.5 s = 1 + 8000 // 512 frames
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (12, 6)  # 2 of 6 per class in test
    assert record["config"]["temperature"] == 0.5  # the paper's speech setting, from the domain
    assert len(record["loss_curve"]) == 1 and math.isfinite(record["loss_curve"][0])
    assert 0 <= record["probe"]["accuracy"] <= 1


def test_fsdd_speaker_split_from_the_shared_data(shared_data, tmp_path):
    clips = tmp_path / "fsdd"
    clips.mkdir()
    for path in sorted((shared_data / "fsdd" / "recordings").glob("[0-2]_*_[0-3].wav")):
        if path.stem.split("_")[1] in ("jackson", "theo"):
            shutil.copy(path, clips / path.name)
    results = tmp_path / "runs.jsonl"
    code = main(["run", "--domain", "speech", "--dataset", "fsdd", "--data", str(clips), "--split", "speaker",
                 "--epochs", "1", "--batch-size", "6", "--width", "0.25", "--stem-stride", "2", "--quiet",
                 "--method", "byol", "--results", str(results), "--data-root", str(tmp_path)])
    assert code == 0
    (record,) = read_records(results)
    assert record["dataset"] == "fsdd-speaker"
    # 3 digits x 4 takes per speaker; theo (the last third of two speakers, by name) held out
    assert (record["data"]["n_train"], record["data"]["n_test"]) == (12, 12)
    assert record["data"]["test_split"] == "speakers theo held out"
    assert record["data"]["level"] == "peak"  # the default for FSDD: speakers are recorded at different levels


def test_audiofolder_without_data_is_a_user_error(tmp_path, capsys):
    code = main(["run", "--domain", "speech", "--dataset", "audiofolder", "--results", str(tmp_path / "r.jsonl")])
    assert code == 2
    assert "--dataset audiofolder needs --data ROOT" in capsys.readouterr().err


def test_list_describes_the_embedded_keyword_set(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "espeak-keywords" in out and "eSpeak NG" in out and "mixing mixup, cutmix" in out


def test_ntxent_baseline_runs_one_epoch(tiny_folder, tmp_path):
    results = tmp_path / "runs.jsonl"
    assert main(["run", *TINY, "--data", str(tiny_folder), "--method", "ntxent", "--results", str(results),
                 "--data-root", str(tmp_path)]) == 0
    (record,) = read_records(results)
    assert (record["method"], record["imix"]) == ("ntxent", False)
