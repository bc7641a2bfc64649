"""results/gpu/first.sh, the prepared GPU run (issue 26), end to end in its tiny CPU mode.

The device machine is lent for minutes, so a typo found there costs the run: here the script
runs whole on a tiny image folder (TINY=1: CPU, fp32, batch 8, one step per loop, one epoch)
and every file it must bring back is checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "results" / "gpu" / "first.sh"
CLASSES = ("red", "green", "blue")


def _helper(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "results" / "gpu" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiny_folder(root: Path, train: int = 8, test: int = 4) -> Path:
    """32x32 JPEGs whose class is their dominant colour, so even a one-epoch encoder tells them apart."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for split, count in (("train", train), ("test", test)):
        for channel, name in enumerate(CLASSES):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 80, (32, 32, 3), dtype=np.uint8)
                pixels[..., channel] += 150
                Image.fromarray(pixels).save(folder / f"{i:04d}.jpg")
    return root


def run_script(out: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TINY": "1", "PYTHON": sys.executable, **env}
    return subprocess.run(["bash", str(SCRIPT), str(out)], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def pack_like_stage_data(folder: Path, archive: Path) -> Path:
    """The archive stage_data.sh writes: the tree under a top folder named cifar10/."""
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar10")
    return archive


@pytest.mark.slow
def test_tiny_run_writes_every_file_with_sane_numbers(tmp_path):
    archive = pack_like_stage_data(write_tiny_folder(tmp_path / "images"), tmp_path / "tiny.tar.gz")
    out = tmp_path / "out"
    done = run_script(out, DATA="", DATA_ARCHIVE=str(archive))  # unpacked as on the device
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    files = sorted(p.name for p in out.iterdir())
    assert files == ["README.md", "device.json", "log.txt", "perf.jsonl", "runs.jsonl", "steps.tsv",
                     "untrained.jsonl"]  # at most 8: what the device's $OUT brings back
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", name) for name in files)

    perf = read_jsonl(out / "perf.jsonl")
    assert [(p["settings"]["precision"], p["settings"]["channels_last"]) for p in perf] == [
        ("fp32", False), ("fp32", True)]
    for record in perf:
        assert record["settings"]["encoder"] == "resnet18" and record["settings"]["mix"] == "cutmix"
        assert record["settings"]["batch_size"] == 4
        assert all(rate > 0 for rate in record["samples_per_second"].values())
        assert set(record["samples_per_second"]) == {"a_model", "b_trainer", "c_reference"}

    runs = read_jsonl(out / "runs.jsonl")
    assert [r["imix"] for r in runs] == [False, True]
    assert {r["config"]["epochs"] for r in runs} == {1} and {r["encoder"] for r in runs} == {"resnet18"}
    assert runs[1]["config"]["mix"] == "mixup"
    for run in runs:
        assert run["config"]["device"] == "cpu" and run["config"]["precision"] == "fp32"
        # three colour classes, chance 1/3: far above it, or the labels and features are crossed
        assert 0.5 < run["knn"]["accuracy"] <= 1 and 0.5 < run["probe"]["accuracy"] <= 1
        assert run["train_seconds"] > 0

    (untrained,) = read_jsonl(out / "untrained.jsonl")
    assert untrained["config"]["epochs"] == 0 and untrained["train_seconds"] == 0

    steps = [line.split("\t") for line in (out / "steps.tsv").read_text().splitlines()]
    assert [s[0] for s in steps] == ["device", "unpack", "perf fp32", "perf fp32-cl", "untrained (--epochs 0)",
                                     "train baseline", "train i-Mix (mixup)", "table knn", "table probe"]
    assert {s[1] for s in steps} == {"ok"}
    device = json.loads((out / "device.json").read_text())
    assert device["torch"] and device["cpu_count"] >= 1

    readme = (out / "README.md").read_text()
    assert "Tiny CPU run" in readme and "| fp32 + channels-last |" in readme
    assert f"{100 * runs[0]['knn']['accuracy']:.2f}%" in readme and "simclr i-Mix (mixup)" in readme
    assert "| simclr untrained encoder | 0 |" in readme
    log = (out / "log.txt").read_text()
    assert "(measured at --epochs 0) -> 1 epochs" in log and "training: 1 epochs per arm" in log


def test_a_folder_with_results_is_never_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "runs.jsonl").write_text("earlier\n")
    done = run_script(out, DATA=str(tmp_path))
    assert done.returncode == 2 and "already holds results" in done.stderr
    assert (out / "runs.jsonl").read_text() == "earlier\n"


def test_without_staged_data_it_says_how_to_stage_it(tmp_path):
    done = run_script(tmp_path / "out", DATA="", DATA_ARCHIVE=str(tmp_path / "missing.tar.gz"))
    assert done.returncode == 2 and "stage_data.sh" in done.stdout
    assert not (tmp_path / "out" / "steps.tsv").exists()  # stopped before running anything


def test_bench_internals_are_named_in_one_line():
    """The bench/ reorganisation may move bench.perf: one edit of PERF_MODULE must be enough."""
    code = [line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("#")]
    assert [line for line in code if "bench." in line] == ["PERF_MODULE=${PERF_MODULE:-bench.perf}"]
    for helper in ("device_info", "plan_epochs", "write_readme"):
        text = (ROOT / "results" / "gpu" / f"{helper}.py").read_text()
        assert "import bench" not in text and "from bench" not in text


def test_the_plan_fits_both_runs_in_the_time_left():
    plan = _helper("plan_epochs").plan
    # 10,000 samples/s over 50,000 images: 5 s an epoch, 10 s for both arms;
    # (200 s - 2 x 35 s) x 0.85 = 110.5 s -> 11 epochs
    assert plan(10_000, 200, 50_000, runs=2, overhead=35, margin=0.85, max_epochs=100) == 11
    assert plan(10_000, 60, 50_000, runs=2, overhead=35, margin=0.85, max_epochs=100) == 1  # never 0
    assert plan(1e6, 600, 50_000, runs=2, overhead=35, margin=0.85, max_epochs=40) == 40


def test_the_overhead_is_the_untrained_runs_wall_less_its_decoding(tmp_path):
    module = _helper("plan_epochs")
    untrained = tmp_path / "untrained.jsonl"
    untrained.write_text(json.dumps({"wall_seconds": 40.0, "load_seconds": 25.0}) + "\n")
    # the later runs read the decoded cache: 40 - 25 s, plus the start-up that wall_seconds misses
    assert module.run_overhead(untrained, 35.0) == (15.0 + module.STARTUP_S, "measured at --epochs 0")
    assert module.run_overhead(tmp_path / "missing.jsonl", 35.0) == (35.0, "a default")


def test_the_plan_reads_the_trainer_speed_of_the_training_settings(tmp_path):
    rate = _helper("plan_epochs").trainer_rate
    perf = tmp_path / "perf.jsonl"

    def record(precision: str, channels_last: bool, compiled: bool, b: float) -> str:
        return json.dumps({"settings": {"precision": precision, "channels_last": channels_last, "compile": compiled},
                           "samples_per_second": {"b_trainer": b}})

    perf.write_text("\n".join([record("fp32", False, False, 4000), record("bf16", True, False, 9000),
                               record("bf16", True, True, 15000)]) + "\n")
    assert rate(perf, "bf16", True) == (9000, "measured")  # the compiled one is not what trains
    assert rate(perf, "fp16", False) == (4000, "slowest other measurement")
    assert rate(tmp_path / "none.jsonl", "bf16", True)[1] == "nothing measured: a default"
