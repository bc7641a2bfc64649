"""Every bad input a user (or an attacker) can give gets a message, never a traceback or lost work.

One table of cases, each run in-process through ``bench.cli.main``: the exit code is 2, stderr
names the problem, nothing prints a traceback, and the results file is byte-for-byte unchanged.
A few documented warnings (exit 0) sit in a second table. The data are tiny files written here.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import torch

from bench import suite
from bench.checkpoint import checkpoint_path, save_checkpoint
from bench.cli import main, parse, prepare_run
from bench.config import config_key
from bench.records import read_records
from speech_fixtures import class_folder, write_corrupt

TAB = ["--epochs", "1", "--batch-size", "16", "--width", "16", "--proj-dim", "8", "--proj-hidden", "16",
       "--quiet", "--no-raw-probe"]
IMG = ["--domain", "images", "--dataset", "imagefolder", "--image-size", "8", "--epochs", "1", "--batch-size", "4",
       "--width", "0.125", "--proj-dim", "8", "--proj-hidden", "16", "--queue-size", "8", "--quiet"]
RECORD = {"domain": "tabular", "dataset": "toy", "method": "simclr", "imix": False, "mix": None, "seed": 0,
          "config": {"epochs": 3, "data_ratio": 1.0}, "probe": {"accuracy": 0.9}, "knn": {"accuracy": 0.8},
          "loss_curve": [1.0], "monitor": []}


class Planted:
    """A pickle that creates a marker file when unpickled: the proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def write_csv(path: Path, rows: list[str], header: str = "a,b,label") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def two_class_rows(n: int = 40, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{rng.normal() + (i % 2):.3f},{rng.normal():.3f},{'xy'[i % 2]}" for i in range(n)]


def image_folder(root: Path, classes: tuple[str, ...] = ("cat", "dog"), per_class: int = 4) -> Path:
    from PIL import Image

    for split in ("train", "test"):
        for c, name in enumerate(classes):
            (root / split / name).mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                Image.new("RGB", (8, 8), (60 * c + 10 * i, 100, 200 - 40 * c)).save(root / split / name / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Every input file the cases read, written once."""
    d = tmp_path_factory.mktemp("inputs")
    write_csv(d / "ok.csv", two_class_rows())
    write_csv(d / "header_only.csv", [])
    write_csv(d / "no_labels.csv", ["1,2,", "3,4,", "5,6,"])
    write_csv(d / "unseen.csv", two_class_rows(20) + ["0.1,0.2,z"] * 4)
    write_csv(d / "missing_labels.csv", two_class_rows() + ["0.5,0.5,"] * 3)
    write_csv(d / "indexed.csv", [f"{i + 1},{r}" for i, r in enumerate(two_class_rows())], header=",a,b,label")
    (d / "latin1.csv").write_bytes("a,b,label\n1,2,\xe9t\xe9\n3,4,\x80\n".encode("latin-1") + b"\xff\xfe\x00\n")
    (d / "a_folder").mkdir()
    (d / "a_file").write_text("not a folder\n")
    image_folder(d / "images")
    image_folder(d / "one_class", classes=("cat",))
    broken = image_folder(d / "broken_image")
    (broken / "train" / "cat" / "9.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    (d / "no_test").mkdir()
    image_folder(d / "no_test_src")
    (d / "no_test_src" / "train").rename(d / "no_test" / "train")
    audio = class_folder(d / "audio", classes=2, per_class=2, seconds=0.2)
    for i in range(6):
        write_corrupt(audio / "class0" / f"bad{i}.wav")
    (d / "junk.jsonl").write_bytes(b'\xff\xfe not utf-8\n{"n": 1}\n' + b"[" * 50_000 + b"]" * 50_000 + b"\n")
    configs = {
        "bad.toml": "[settings\nepochs = 1\n",
        "bad.yaml": "settings: [epochs: 1\n",
        "grid.ini": "[settings]\nepochs = 1\n",
        "misspelt_false.toml": "[settings]\nraw_prob = false\n",
        "misspelt_number.toml": "[settings]\nepoch = 1\n",
        "axis.toml": "[settings]\nseed = 3\n",
        "section.toml": "[setting]\nepochs = 1\n",
    }
    for name, text in configs.items():
        (d / name).write_text(text)
    return d


@dataclass
class Case:
    id: str
    argv: Callable[[Path, Path], list[str]]  # (input files, this case's folder) -> command line
    message: str  # a regular expression stderr must match
    plant: Callable[[list[str], Path], None] | None = None  # writes a file the command then meets


def checkpoint_for(argv: list[str]) -> Path:
    """Where `bench run argv` keeps its checkpoint (a predictable name, which is what an attacker uses)."""
    cfg, _ = prepare_run(parse(argv))
    return checkpoint_path(cfg.checkpoint_dir, config_key(cfg.to_dict()))


def plant_pickle(argv: list[str], here: Path) -> None:
    path = checkpoint_for(argv)
    key = config_key(prepare_run(parse(argv))[0].to_dict())
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"format": 1, "config_key": key, "epoch": 1, "state": Planted(here / "MARKER")}, path)


def plant_bytes(data: bytes) -> Callable[[list[str], Path], None]:
    def plant(argv: list[str], here: Path) -> None:
        path = checkpoint_for(argv)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return plant


def plant_payload(make: Callable[[str], dict]) -> Callable[[list[str], Path], None]:
    def plant(argv: list[str], here: Path) -> None:
        path = checkpoint_for(argv)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(make(config_key(prepare_run(parse(argv))[0].to_dict())), path)
    return plant


def run(*flags: str) -> Callable[[Path, Path], list[str]]:
    """`bench run` with the tiny tabular settings; {f} and {h} in a flag name the files and the case folder."""
    return lambda f, h: ["run", *TAB, *[a.format(f=f, h=h) for a in flags]]


def cmd(*words: str) -> Callable[[Path, Path], list[str]]:
    return lambda f, h: [a.format(f=f, h=h) for a in words]


CKPT = ("--checkpoint-dir", "{h}/ck", "--resume")

CASES = [
    # unknown names
    Case("unknown-domain", run("--domain", "pictures"), r"unknown domain 'pictures'; valid choices"),
    Case("unknown-method", run("--method", "swav"), r"unknown method 'swav'; valid choices: byol"),
    Case("unknown-dataset", run("--dataset", "iris"), r"unknown tabular dataset 'iris'; valid choices"),
    Case("unknown-mix", run("--imix", "--mix", "manifold"), r"unknown mixing strategy 'manifold'"),
    Case("unknown-encoder", run("--encoder", "vgg"), r"unknown encoder 'vgg'"),
    Case("unknown-command", cmd("train"), r"invalid choice: 'train'.*See `python -m bench --help`"),
    Case("unknown-precision", run("--precision", "fp8"), r"invalid choice: 'fp8'.*`python -m bench run --help`"),
    Case("abbreviated-flag", run("--epoch", "1"), r"unrecognized arguments: --epoch 1\. See `python -m bench run --help`"),
    Case("abbreviated-suite-flag", cmd("suite", "--seed", "2", "--results", "{h}/r.jsonl"),
         r"unrecognized arguments: --seed 2\. See `python -m bench suite --help`"),
    # out-of-range numbers
    Case("negative-epochs", run("--epochs", "-1"), r"--epochs must be 0 or more"),
    Case("batch-of-one", run("--batch-size", "1"), r"--batch-size must be at least 2"),
    Case("zero-lr", run("--lr", "0"), r"--lr must be positive"),
    Case("data-ratio-above-one", run("--data-ratio", "1.5"), r"--data-ratio must be in \(0, 1\]"),
    Case("zero-alpha", run("--alpha", "0"), r"--alpha must be positive"),
    Case("ema-of-one", run("--method", "moco", "--ema", "1"), r"--ema must be in \[0, 1\)"),
    Case("epochs-not-a-number", run("--epochs", "ten"), r"invalid int value: 'ten'"),
    Case("inputdrop-above-one", run("--inputdrop", "1.5"), r"--inputdrop must be in \[0, 1\)"),
    # incompatible flags
    Case("ntxent-with-imix", run("--method", "ntxent", "--imix"), r"Use --method simclr"),
    Case("cutmix-on-tables", run("--imix", "--mix", "cutmix"), r"--mix cutmix is not offered by the tabular"),
    Case("resume-without-folder", run("--resume"), r"--resume needs --checkpoint-dir"),
    Case("shuffle-bn-without-moco", run("--shuffle-bn"), r"--shuffle-bn applies to MoCo"),
    # tables
    Case("csv-without-data", run("--dataset", "csv", "--label", "label"), r"--dataset csv needs --data PATH"),
    Case("csv-missing-file", run("--dataset", "csv", "--data", "{f}/nope.csv", "--label", "label"),
         r"no such file: .*nope\.csv"),
    Case("csv-data-is-a-folder", run("--dataset", "csv", "--data", "{f}/a_folder", "--label", "label"),
         r"a_folder is a folder; the csv dataset reads one CSV or Parquet file"),
    Case("csv-header-only", run("--dataset", "csv", "--data", "{f}/header_only.csv", "--label", "label"),
         r"holds no data rows \(only a header\)"),
    Case("csv-all-labels-missing", run("--dataset", "csv", "--data", "{f}/no_labels.csv", "--label", "label"),
         r"every row of .*no_labels\.csv has a missing value in the label column 'label'"),
    Case("csv-test-labels-unseen", run("--dataset", "csv", "--data", "{f}/unseen.csv", "--label", "label",
                                       "--test-last", "4"), r"no test row has a label seen in training \(test labels: z"),
    Case("csv-unknown-label", run("--dataset", "csv", "--data", "{f}/ok.csv", "--label", "target"),
         r"label column 'target' is not in ok\.csv; its columns are: a, b, label"),
    Case("csv-not-utf8", run("--dataset", "csv", "--data", "{f}/latin1.csv", "--label", "label"),
         r"could not read .*latin1\.csv as a table"),
    Case("csv-test-last-too-big", run("--dataset", "csv", "--data", "{f}/ok.csv", "--label", "label",
                                      "--test-last", "40"), r"--test-last must be between 1 and 39 rows"),
    # images and audio
    Case("image-folder-one-class", cmd("run", *IMG, "--data", "{f}/one_class", "--data-root", "{h}"),
         r"holds one class \(cat\); a classifier and its probe need at least two"),
    Case("image-folder-corrupt-file", cmd("run", *IMG, "--data", "{f}/broken_image", "--data-root", "{h}"),
         r"cannot decode .*9\.png as an image"),
    Case("image-folder-without-test", cmd("run", *IMG, "--data", "{f}/no_test", "--data-root", "{h}"),
         r"has no test/ subfolder"),
    Case("image-folder-is-a-file", cmd("run", *IMG, "--data", "{f}/a_file", "--data-root", "{h}"),
         r"--data .*a_file is not a folder"),
    Case("audio-mostly-corrupt", cmd("run", "--domain", "speech", "--dataset", "audiofolder", "--data", "{f}/audio",
                                     "--quiet", "--data-root", "{h}"), r"audio files could not be read"),
    Case("audio-without-data", cmd("run", "--domain", "speech", "--dataset", "audiofolder", "--quiet"),
         r"audiofolder needs --data"),
    # where the run writes
    Case("results-is-a-folder", run("--results", "{f}/a_folder"), r"--results .*a_folder is a folder"),
    Case("results-under-a-file", run("--results", "{f}/a_file/runs.jsonl"), r"a_file is a file, not a folder"),
    Case("suite-results-is-a-folder", cmd("suite", "--epochs", "1", "--results", "{f}/a_folder"),
         r"--results .*a_folder is a folder"),
    Case("checkpoint-dir-is-a-file", run("--checkpoint-dir", "{f}/a_file"),
         r"--checkpoint-dir .*a_file is a file, not a folder"),
    # checkpoints: planted, broken, foreign
    Case("checkpoint-planted-pickle", run(*CKPT), r"cannot be read \(UnpicklingError: Unsupported global: GLOBAL "
         r"getattr was not an allowed global by default\); it is damaged, or holds objects other than", plant_pickle),
    Case("checkpoint-garbage", run(*CKPT), r"checkpoint .* cannot be read", plant_bytes(b"not a checkpoint")),
    Case("checkpoint-truncated", run(*CKPT), r"checkpoint .* cannot be read", plant_bytes(b"PK\x03\x04half a zip")),
    Case("checkpoint-of-another-run", run(*CKPT), r"written by a run with other settings",
         plant_payload(lambda key: {"format": 1, "config_key": "0" * 16, "epoch": 1, "state": {}})),
    Case("checkpoint-foreign-format", run(*CKPT), r"is not an imix-bench checkpoint of format 1",
         plant_payload(lambda key: {"model": torch.zeros(2)})),
    Case("checkpoint-broken-state", run(*CKPT), r"has this run's header but its training state cannot be restored",
         plant_payload(lambda key: {"format": 1, "config_key": key, "epoch": 1, "state": {"method": {"w": 1}}})),
    # results files read by table and plot
    Case("table-results-missing", cmd("table", "--results", "{h}/nothing.jsonl"), r"no result records at"),
    Case("table-results-all-junk", cmd("table", "--results", "{f}/junk.jsonl"),
         r"skipped 3 unreadable line\(s\)[\s\S]*holds no finished runs yet"),
    Case("plot-results-all-junk", cmd("plot", "--results", "{f}/junk.jsonl", "--out", "{h}/fig"),
         r"skipped 3 unreadable line\(s\)[\s\S]*holds no finished runs yet"),
    Case("table-results-is-a-folder", cmd("table", "--results", "{f}/a_folder"), r"a_folder is a folder"),
    Case("table-where-unknown-field", cmd("table", "--results", "{h}/r.jsonl", "--where", "epoch=10"),
         r"no record has a field 'epoch'; valid fields: .*epochs"),
    Case("table-where-not-a-clause", cmd("table", "--results", "{h}/r.jsonl", "--where", "epochs"),
         r"expected FIELD=VALUE"),
    Case("table-unknown-metric", cmd("table", "--results", "{h}/r.jsonl", "--metric", "f1"),
         r"invalid choice: 'f1'.*`python -m bench table --help`"),
    # suite settings and config files
    Case("suite-config-missing", cmd("suite", "--config", "{h}/none.toml", "--results", "{h}/r.jsonl"),
         r"--config .*none\.toml: no such file"),
    Case("suite-config-bad-toml", cmd("suite", "--config", "{f}/bad.toml", "--results", "{h}/r.jsonl"),
         r"is not valid TOML"),
    Case("suite-config-bad-yaml", cmd("suite", "--config", "{f}/bad.yaml", "--results", "{h}/r.jsonl"),
         r"is not valid YAML"),
    Case("suite-config-unknown-type", cmd("suite", "--config", "{f}/grid.ini", "--results", "{h}/r.jsonl"),
         r"unknown file type '\.ini'"),
    Case("suite-config-unknown-section", cmd("suite", "--config", "{f}/section.toml", "--results", "{h}/r.jsonl"),
         r"unknown section\(s\) setting"),
    Case("suite-config-misspelt-false", cmd("suite", "--config", "{f}/misspelt_false.toml", "--results",
                                            "{h}/r.jsonl", "--dry-run"),
         r"unknown setting 'raw_prob'\. Valid settings .*raw_probe"),
    Case("suite-config-misspelt-number", cmd("suite", "--config", "{f}/misspelt_number.toml", "--results",
                                             "{h}/r.jsonl", "--dry-run"), r"unknown setting 'epoch'\. Valid settings"),
    Case("suite-config-sets-an-axis", cmd("suite", "--config", "{f}/axis.toml", "--results", "{h}/r.jsonl"),
         r"the grid sets seed per cell"),
    Case("suite-unknown-preset", cmd("suite", "--preset", "gpu-huge", "--results", "{h}/r.jsonl"),
         r"unknown preset 'gpu-huge'"),
    Case("suite-zero-seeds", cmd("suite", "--seeds", "0", "--results", "{h}/r.jsonl"), r"--seeds must be at least 1"),
    Case("suite-data-ratio-above-one", cmd("suite", "--data-ratios", "2", "--results", "{h}/r.jsonl"),
         r"--data-ratios must lie in \(0, 1\]"),
    Case("suite-unknown-method", cmd("suite", "--methods", "swav", "--results", "{h}/r.jsonl"),
         r"unknown method 'swav'"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_input_exits_2_with_a_message_naming_it(case, files, tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    results.write_text(json.dumps(RECORD) + "\n")
    before = results.read_bytes()
    argv = case.argv(files, tmp_path)
    if argv[0] == "run" and "--results" not in argv:
        argv += ["--results", str(results)]
    if case.plant is not None:
        case.plant(argv, tmp_path)
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert re.search(case.message, err), err
    assert "Traceback" not in err + out
    assert results.read_bytes() == before
    assert not (tmp_path / "MARKER").exists()  # no planted code ran


def test_the_table_has_at_least_forty_cases():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


def test_the_planted_pickle_would_run_code_if_unpickled(tmp_path):
    """The guard above is meaningful: the same file loaded unsafely creates the marker."""
    path = tmp_path / "evil.pt"
    torch.save({"state": Planted(tmp_path / "MARKER")}, path)
    torch.load(path, weights_only=False)
    assert (tmp_path / "MARKER").exists()


# ------------------------------------------------------------------ documented warnings (exit 0)

def run_ok(argv: list[str], capsys) -> tuple[str, dict]:
    results = Path(argv[argv.index("--results") + 1])
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err + out
    return err, read_records(results)[-1]


def test_rows_without_a_label_are_dropped_counted_and_recorded(files, tmp_path, capsys):
    err, record = run_ok(["run", *TAB, "--dataset", "csv", "--data", str(files / "missing_labels.csv"), "--label",
                          "label", "--results", str(tmp_path / "r.jsonl")], capsys)
    assert "dropped 3 of 43 rows of missing_labels.csv whose label (column 'label') is missing" in err
    assert record["data"]["dropped_rows_missing_label"] == 3
    assert record["data"]["n_train"] + record["data"]["n_test"] == 40


def test_a_test_label_unseen_in_training_drops_those_rows_with_a_warning(files, tmp_path, capsys):
    err, record = run_ok(["run", *TAB, "--dataset", "csv", "--data", str(files / "unseen.csv"), "--label", "label",
                          "--test-last", "8", "--results", str(tmp_path / "r.jsonl")], capsys)
    assert "dropped 4 test rows whose label never occurs in training (z)" in err
    assert record["data"]["dropped_test_rows_unseen_label"] == 4 and record["data"]["n_test"] == 4


def test_an_exported_row_index_column_is_dropped_not_used_as_a_feature(files, tmp_path, capsys):
    err, record = run_ok(["run", *TAB, "--dataset", "csv", "--data", str(files / "indexed.csv"), "--label", "label",
                          "--results", str(tmp_path / "r.jsonl")], capsys)
    assert "dropped the first column of indexed.csv: it numbers the rows 1..40" in err
    assert record["data"]["features"] == 2  # a and b only


def test_a_batch_larger_than_the_data_scales_the_lr_by_the_batch_used(tmp_path, capsys):
    # digits at data ratio 0.02: 27 pretraining rows; batch 100000 trains with batches of 27
    err, record = run_ok(["run", *TAB, "--batch-size", "100000", "--data-ratio", "0.02", "--lr", "0.256",
                          "--results", str(tmp_path / "r.jsonl")], capsys)
    assert err.count("--batch-size 100000 is more than the 27 pretraining samples") == 1
    assert record["training"] == {"batch_size": 27, "lr": pytest.approx(0.256 * 27 / 256)}
    assert record["config"]["batch_size"] == 100000  # the request, so suites still recognise the cell


def test_junk_lines_in_a_results_file_are_skipped_with_a_note(files, tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    results.write_bytes((files / "junk.jsonl").read_bytes() + (json.dumps(RECORD) + "\n").encode())
    assert main(["table", "--results", str(results)]) == 0
    out, err = capsys.readouterr()
    assert "skipped 3 unreadable line(s)" in err and "toy" in out
    assert main(["plot", "--results", str(results), "--out", str(tmp_path / "fig")]) == 0
    capsys.readouterr()


def test_a_damaged_or_planted_image_cache_is_decoded_again_without_running_code(files, tmp_path, capsys):
    argv = ["run", *IMG, "--epochs", "0", "--data", str(files / "images"), "--data-root", str(tmp_path),
            "--results", str(tmp_path / "r.jsonl")]
    run_ok(argv, capsys)
    (cache,) = (tmp_path / "imagefolder").glob("*.pt")
    torch.save({"train_x": Planted(tmp_path / "MARKER")}, cache)
    err, _ = run_ok(argv, capsys)
    assert "cannot be read" in err and "decoding the folder again" in err
    assert not (tmp_path / "MARKER").exists()
    cache.write_bytes(b"truncated")
    err, _ = run_ok(argv, capsys)
    assert "decoding the folder again" in err
    assert torch.load(cache, weights_only=True)["train_x"].shape == (8, 3, 8, 8)  # rewritten whole


def test_a_planted_espeak_cache_is_rendered_again_without_running_code(tmp_path, caplog):
    from domains import speech_sources

    cache = tmp_path / "espeak.pt"
    torch.save({"x": Planted(tmp_path / "MARKER"), "y": torch.zeros(1), "test": torch.zeros(1)}, cache)
    assert speech_sources._read_synth_cache(cache) is None
    assert not (tmp_path / "MARKER").exists()
    good = {"x": torch.zeros(2, 4, dtype=torch.int16), "y": torch.zeros(2, dtype=torch.long),
            "test": torch.tensor([False, True]), "voices": ["a", "b"]}
    torch.save(good, cache)
    assert speech_sources._read_synth_cache(cache)["voices"] == ["a", "b"]


# ------------------------------------------------------------------ no finished run is lost

def test_a_record_that_cannot_be_written_after_training_goes_to_the_fallback_file(tmp_path, capsys, monkeypatch):
    from bench import run as run_module

    results = tmp_path / "out" / "runs.jsonl"
    real_pretrain = run_module.pretrain

    def pretrain_then_lose_the_results_path(*args, **kwargs):
        stats = real_pretrain(*args, **kwargs)
        results.mkdir(parents=True)  # the path became a folder while the run trained: appending fails
        return stats

    monkeypatch.setattr(run_module, "pretrain", pretrain_then_lose_the_results_path)
    code = main(["run", *TAB, "--data-ratio", "0.1", "--results", str(results)])
    err = capsys.readouterr().err
    fallback = tmp_path / "out" / "runs.jsonl.unsaved.jsonl"
    assert code == 2 and "Traceback" not in err
    assert f"it was saved to {fallback} instead" in err
    (record,) = read_records(fallback)
    assert record["domain"] == "tabular" and record["config"]["epochs"] == 1


def test_a_checkpoint_that_cannot_be_written_goes_under_the_data_root(tmp_path, capsys, monkeypatch):
    from bench import checkpoint, trainer

    real_save = checkpoint.save_atomic
    folder = tmp_path / "ck"

    def fail_in_the_checkpoint_folder(payload, path):
        if path.parent == folder:
            raise OSError(28, "No space left on device")
        real_save(payload, path)

    monkeypatch.setattr(checkpoint, "save_atomic", fail_in_the_checkpoint_folder)
    monkeypatch.setattr(trainer, "save_checkpoint", checkpoint.save_checkpoint)
    code = main(["run", *TAB, "--data-ratio", "0.1", "--checkpoint-dir", str(folder), "--data-root",
                 str(tmp_path / "root"), "--results", str(tmp_path / "r.jsonl")])
    err = capsys.readouterr().err
    assert code == 0 and "No space left on device" in err
    assert len(list((tmp_path / "root" / "unsaved-checkpoints").glob("run-*.pt"))) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files")
def test_a_read_only_results_file_is_refused_before_training(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    results.write_text(json.dumps(RECORD) + "\n")
    results.chmod(0o444)
    assert main(["run", *TAB, "--results", str(results)]) == 2
    assert "cannot be written" in capsys.readouterr().err
    assert results.read_text() == json.dumps(RECORD) + "\n"


@pytest.mark.skipif(not Path("/sys/kernel").is_dir() or os.access("/sys/kernel", os.W_OK) and os.geteuid() != 0,
                    reason="needs Linux's read-only /sys")
@pytest.mark.parametrize("flag", ["--results", "--checkpoint-dir"])
def test_a_read_only_file_system_is_refused_before_training(flag, tmp_path, capsys):
    target = "/sys/kernel/imix-bench-check.jsonl" if flag == "--results" else "/sys/kernel"
    argv = ["run", *TAB, flag, target] + ([] if flag == "--results" else ["--results", str(tmp_path / "r.jsonl")])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{flag} {target} cannot be written" in err and "Traceback" not in err
    assert not (tmp_path / "r.jsonl").exists()


# ------------------------------------------------------------------ configs, suites

def test_every_documented_config_format_can_be_read(tmp_path):
    """TOML and YAML are documented (README: Suites); PyYAML must come with the install."""
    import tomllib

    from bench.presets import load_config_file

    dependencies = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert any(d.lower().startswith("pyyaml") for d in dependencies["dependencies"])
    (tmp_path / "g.toml").write_text("[settings]\nepochs = 2\n")
    (tmp_path / "g.yaml").write_text("settings:\n  epochs: 2\n")
    (tmp_path / "g.yml").write_text("settings: {epochs: 2}\n")
    for name in ("g.toml", "g.yaml", "g.yml"):
        assert load_config_file(tmp_path / name)["settings"] == {"epochs": 2}


def test_dry_run_commands_fill_the_suites_results_file_and_name_the_real_dataset(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    assert main(["suite", "--dry-run", "--epochs", "1", "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "tabular/digits  simclr  baseline  seed 0" in out and "tabular/default" not in out
    assert f"--results {results}" in out


def test_a_cell_recorded_while_its_claim_was_taken_is_skipped(tmp_path, monkeypatch):
    grid = suite.expand_grid(preset=None, config=None, domains=None, datasets=None, methods=None, seeds=None,
                             mixes=["mixup"], data_ratios=None, cli={"epochs": 1})
    cell = grid.cells[0]
    results = tmp_path / "r.jsonl"
    claims = suite.Claims(tmp_path / "claims")
    real_take = suite.Claims.take

    def take_while_another_suite_finishes(self, key):
        from bench.results import append_record

        append_record(results, {**RECORD, "config": cell.cfg.to_dict()})
        return real_take(self, key)

    monkeypatch.setattr(suite.Claims, "take", take_while_another_suite_finishes)
    assert suite._decide(cell, str(results), claims) == "recorded"
    assert not (tmp_path / "claims" / cell.key).exists()  # the claim was given back


def test_suite_cells_do_not_say_no_checkpoint_yet(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    code = main(["suite", "--epochs", "1", "--data-ratios", "0.05", "--mixes", "mixup", "--width", "16",
                 "--batch-size", "16", "--no-raw-probe", "--results", str(results)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "no checkpoint" not in err and "tabular/digits" in out
    assert len(read_records(results)) == 2
