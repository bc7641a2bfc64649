"""Every bad input a user (or an attacker) can give gets a message, never a traceback or lost work.

One table of cases, each run in-process through ``bench.cli.main``: the exit code is 2, stderr
names the problem, nothing prints a traceback, and the results file is byte-for-byte unchanged.
The documented warnings (exit 0) and the outputs kept when writing fails are in
tests/test_kept_outputs.py; the tiny input files both read are written by tests/bad_input_files.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import torch

from bench.training.checkpoint import checkpoint_path
from bench.cli import main, parse, prepare_run
from bench.core.config import config_key
from bad_input_files import IMG, RECORD, TAB, Planted, files  # noqa: F401 (files: a fixture)

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
    Case("npair-group-of-one", run("--npair-group", "1"), r"--npair-group must be at least 2"),
    Case("npair-group-for-moco", run("--method", "moco", "--npair-group", "64"), r"applies to --method simclr"),
    Case("npair-group-not-dividing", run("--npair-group", "7", "--batch-size", "32", "--epochs", "1"),
         r"--npair-group 7 does not split the per-process batch of 32 samples.*e\.g\. 4, 8, 16"),
    Case("unknown-cutmix-box", run("--cutmix-box", "square"), r"invalid choice: 'square'"),
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
