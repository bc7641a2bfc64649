"""docs/adding-a-domain.md as a newcomer follows it: the worked example's file and commands run as
written, its training defaults are declared and listed, and an adapter without any is told what it
inherits, once."""

from __future__ import annotations

import sys

from bench.cli import main
from conftest import REPO
from test_docs import code_blocks, run_blocks

GUIDE = REPO / "docs" / "adding-a-domain.md"


def _waves_source() -> str:
    (source,) = [code for language, code in code_blocks(GUIDE.read_text(), marked_only=False)
                 if language == "python" and "class WavesDomain" in code]
    return source


def test_the_worked_example_runs_as_written_and_lists_what_it_declares(tmp_path):
    (tmp_path / "waves.py").write_text(_waves_source())
    (commands,) = [(language, code) for language, code in code_blocks(GUIDE.read_text(), marked_only=False)
                   if "--domain waves:WavesDomain --method simclr" in code]
    (run,) = run_blocks([commands], tmp_path)  # the run, its --help and its list, in one output
    assert "waves/waves  simclr  i-Mix (cutmix, alpha 1)  seed 0:" in run
    assert "--noise NOISE" in run
    assert ("    waves        training: declares optimizer adamw, lr 0.001, batch_size 100, epochs 30, "
            "temperature 0.2, weight_decay 0.0001; inherits nothing") in run
    assert "declares no training defaults" not in run


def test_an_adapter_without_training_defaults_is_told_what_it_inherits_once(tmp_path, monkeypatch, capsys):
    source = _waves_source()
    start, end = source.index("    def defaults(self, dataset):"), source.index("    def load(self, request):")
    (tmp_path / "bare_waves.py").write_text(source[:start] + source[end:])
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "bare_waves", raising=False)
    args = ["run", "--domain", "bare_waves:WavesDomain", "--epochs", "2", "--eval-every", "1", "--batch-size", "100",
            "--results", str(tmp_path / "r.jsonl")]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert err.count("the waves domain declares no training defaults for waves, so this run takes the bench's: "
                     "optimizer sgd, lr 0.125, temperature 0.2, weight_decay 0.0001") == 1  # batch and epochs given
    assert main(["list", "--domain", "bare_waves:WavesDomain"]) == 0
    out = capsys.readouterr().out
    assert "  waves      synthetic sine / square / sawtooth waves [encoder cnn1d; mixing mixup, cutmix; import path]" in out
    assert ("    waves        training: declares nothing; inherits optimizer sgd, lr 0.125, batch_size 256, epochs 100, "
            "temperature 0.2, weight_decay 0.0001") in out
    assert "tabular" not in out.split("methods:")[0]  # only the domain asked for
