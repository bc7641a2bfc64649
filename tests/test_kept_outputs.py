"""Documented warnings (exit 0) and outputs kept when writing fails: the other half of the bad-input tests.

tests/test_bad_inputs.py holds the table of inputs refused with exit 2; these cases run to the end,
warn, and keep every finished result somewhere a user is told about.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch

from bad_input_files import IMG, RECORD, TAB, Planted, files  # noqa: F401 (files: a fixture)
from bench import suite
from bench.cli import main
from bench.results.records import read_records

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
    from bench.training import checkpoint, training_state

    real_save = checkpoint.save_atomic
    folder = tmp_path / "ck"

    def fail_in_the_checkpoint_folder(payload, path):
        if path.parent == folder:
            raise OSError(28, "No space left on device")
        real_save(payload, path)

    monkeypatch.setattr(checkpoint, "save_atomic", fail_in_the_checkpoint_folder)
    monkeypatch.setattr(training_state, "save_checkpoint", checkpoint.save_checkpoint)
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
        from bench.results.append import append_record

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
