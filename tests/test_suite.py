"""The suite: grid expansion, layering of settings, skipping finished cells, surviving kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.cli import main
from bench.core.errors import UserError
from bench.presets import load_config_file
from bench.results.records import read_records
from bench.suite import expand_grid

ROOT = Path(__file__).resolve().parents[1]
TINY = {"epochs": 1, "width": 32, "batch_size": 128, "proj_hidden": 32, "queue_size": 64, "raw_probe": False}
SPEC = {"settings": TINY, "domain": {"tabular": {"temperature": 0.3}},
        "datasets": [{"domain": "tabular", "dataset": "digits", "temperature": 0.4}]}


def _grid(**overrides):
    args = dict(preset=None, config=SPEC, domains=["tabular"], datasets=None, methods=["simclr", "byol"], seeds=2,
                mixes=None, data_ratios=None, cli={})
    args.update(overrides)
    return expand_grid(**args)


def test_grid_is_every_combination_with_seeds_outermost():
    cells = _grid().cells
    assert len(cells) == 2 * 2 * 2  # methods x {baseline, i-Mix} x seeds
    assert [(c.seed, c.method, c.mix) for c in cells[:4]] == [
        (0, "simclr", None), (0, "simclr", "mixup"), (0, "byol", None), (0, "byol", "mixup")]
    assert len({c.key for c in cells}) == len(cells)
    assert all(c.cfg.epochs == 1 and c.cfg.dataset == "digits" for c in cells)


def test_settings_layer_entry_over_domain_over_all_and_flags_over_everything():
    assert {c.cfg.temperature for c in _grid().cells} == {0.4}
    assert {c.cfg.temperature for c in _grid(cli={"temperature": 0.7, "epochs": None}).cells} == {0.7}
    # a config file layered over a preset: its settings win over the preset's entry
    preset = {"settings": {"epochs": 5}, "datasets": [{"domain": "tabular", "dataset": "digits", "epochs": 7}]}
    config = {"settings": {"width": 32}}
    cells = _grid(preset=preset, config=config, methods=["simclr"], seeds=1).cells
    assert cells[0].cfg.epochs == 7 and cells[0].cfg.encoder_options == {"width": 32}


def test_mixers_a_domain_does_not_offer_are_left_out_with_a_note():
    grid = _grid(mixes=["mixup", "cutmix"], methods=["simclr"], seeds=1)
    assert [c.mix for c in grid.cells] == [None, "mixup"]
    assert "cutmix" in grid.notes[0] and "tabular" in grid.notes[0]


def test_bad_settings_are_user_errors_naming_the_choices():
    with pytest.raises(UserError, match=r"unknown setting 'epoch'.*epochs"):
        _grid(config={"settings": {"epoch": 3}})
    with pytest.raises(UserError, match=r"sets seed per cell.*--seeds"):
        _grid(config={"settings": {"seed": 3}})
    with pytest.raises(UserError, match="unknown dataset entry 'nope'"):
        _grid(datasets=["nope"])
    with pytest.raises(UserError, match="unknown method"):
        _grid(methods=["simclr", "swav"])


def test_config_files_in_toml_and_yaml(tmp_path):
    toml = tmp_path / "grid.toml"
    toml.write_text('methods = ["moco"]\n[settings]\nepochs = 2\n[[datasets]]\ndomain = "tabular"\nname = "d"\n'
                    'dataset = "digits"\n')
    yaml = tmp_path / "grid.yaml"
    yaml.write_text("methods: [moco]\nsettings: {epochs: 2}\ndatasets:\n  - {domain: tabular, name: d, dataset: digits}\n")
    assert load_config_file(toml) == load_config_file(yaml)
    bad = tmp_path / "bad.toml"
    bad.write_text("[settings\n")
    with pytest.raises(UserError, match="not valid TOML"):
        load_config_file(bad)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(UserError, match="use .toml, .yaml or .yml"):
        load_config_file(tmp_path / "x.json")
    with pytest.raises(UserError, match="unknown section"):
        yaml.write_text("setings: {}\n")
        load_config_file(yaml)


def _write_config(tmp_path: Path, extra_entry: str = "") -> Path:
    config = tmp_path / "grid.toml"
    settings = "\n".join(f"{k} = {json.dumps(v) if not isinstance(v, bool) else str(v).lower()}" for k, v in TINY.items())
    config.write_text(f"[settings]\n{settings}\n[[datasets]]\ndomain = \"tabular\"\ndataset = \"digits\"\n{extra_entry}")
    return config


def test_finished_cells_are_skipped_and_a_failing_cell_does_not_stop_the_rest(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    config = _write_config(tmp_path, f'[[datasets]]\ndomain = "tabular"\nname = "broken"\ndataset = "csv"\n'
                                     f'data = "{missing}"\nlabel = "y"\n')
    results = tmp_path / "runs.jsonl"
    args = ["suite", "--config", str(config), "--methods", "simclr", "--seeds", "1", "--results", str(results)]
    assert main(args) == 1  # the broken entry's two cells failed ...
    out = capsys.readouterr().out
    assert out.count("FAILED") == 2 and "rerun alone: python -m bench run --domain tabular --dataset csv" in out
    assert len(read_records(results)) == 2  # ... and the digits cells ran
    assert main([*args, "--datasets", "digits"]) == 0
    assert "0 ran, 2 already recorded" in capsys.readouterr().out
    assert len(read_records(results)) == 2
    # the dry run knows what is done and estimates a new seed from the records
    assert main([*args, "--datasets", "digits", "--seeds", "2", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count("    done  ") == 2 and "2 already recorded, 2 to run, about" in out


def test_a_suite_killed_mid_grid_finishes_on_restart_without_redoing_cells(tmp_path):
    config = _write_config(tmp_path)
    results = tmp_path / "runs.jsonl"
    command = [sys.executable, "-m", "bench", "suite", "--config", str(config), "--methods", "simclr,byol",
               "--seeds", "2", "--results", str(results), "--quiet"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and len(read_records(results)) >= 2:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    done_before = {r["id"] for r in read_records(results)}
    assert 2 <= len(done_before) < 8, "the kill must land mid-grid"
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    records = read_records(results)
    assert len(records) == 8  # 2 methods x 2 arms x 2 seeds, each once
    assert done_before <= {r["id"] for r in records}  # nothing finished was redone or lost
    assert len({(r["method"], r["imix"], r["seed"]) for r in records}) == 8


def test_claims_keep_two_suites_off_the_same_cell_and_stale_claims_are_taken_over(tmp_path):
    from bench.suite import Claims

    mine, other = Claims(tmp_path / "claims"), Claims(tmp_path / "claims")
    assert mine.take("cell")
    assert not other.take("cell")  # this process is alive, so the claim holds
    mine.release("cell")
    assert other.take("cell")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "claims" / "old").write_text(f"{mine.me.split()[0]} {dead.stdout.strip()}")
    assert mine.take("old")  # its owner is gone: a killed suite's cell is run again


@pytest.mark.parametrize("name", ["paper", "cpu"])
def test_every_built_in_preset_expands_to_valid_run_commands(name):
    from bench.presets import PRESETS

    preset = PRESETS[name]
    grid = expand_grid(preset=preset, config=None, domains=None, datasets=None, methods=None, seeds=None,
                       mixes=None, data_ratios=None, cli={})
    entries = [e for e in preset["datasets"] if e["domain"] in preset["domains"]]
    rows = {(c.domain, c.cfg.dataset) for c in grid.cells}
    assert rows == {(e["domain"], e["dataset"]) for e in entries}
    # an entry's own `methods` list narrows the methods run on it (the paper preset's HIGGS rows)
    runs = sum(len(e.get("methods", preset["methods"])) for e in entries)
    assert len(grid.cells) == runs * 2 * preset["seeds"]


def test_paper_preset_holds_the_papers_settings():
    from bench.presets import PRESETS

    grid = expand_grid(preset=PRESETS["paper"], config=None, domains=["images", "speech", "tabular"],
                       datasets=["cifar10", "speechcommands", "covtype"], methods=["moco"], seeds=None,
                       mixes=None, data_ratios=None, cli={})
    by_dataset = {c.cfg.dataset: c.cfg for c in grid.cells if c.mix}
    cifar, speech, covtype = by_dataset["cifar10"], by_dataset["speechcommands"], by_dataset["covtype"]
    assert (cifar.encoder, cifar.batch_size, cifar.temperature, cifar.epochs) == ("resnet50", 256, 0.2, 4000)
    assert (speech.encoder, speech.temperature, speech.epochs) == ("resnet50", 0.5, 500)
    assert (covtype.encoder, covtype.batch_size, covtype.temperature, covtype.alpha) == ("paper-mlp", 512, 0.1, 2.0)
    assert cifar.scaled_lr == pytest.approx(0.125) and covtype.scaled_lr == pytest.approx(0.25)
    assert (cifar.ema, cifar.queue_size, cifar.proj_dim, cifar.momentum, cifar.weight_decay) == (0.999, 4096, 128, 0.9, 1e-4)


def test_suite_resumes_a_cell_from_its_checkpoint_and_removes_it_once_recorded(tmp_path, capsys):
    from bench.suite import checkpoint_folder

    config = _write_config(tmp_path)
    results = tmp_path / "runs.jsonl"
    grid = ["suite", "--config", str(config), "--methods", "simclr", "--seeds", "1", "--mixes", "mixup",
            "--results", str(results)]
    # a cell that ran to its checkpoint (here: its last epoch) but never wrote its record
    cell = expand_grid(preset=None, config=load_config_file(config), domains=None, datasets=None,
                       methods=["simclr"], seeds=1, mixes=None, data_ratios=None, cli={}).cells[0]
    elsewhere = tmp_path / "elsewhere.jsonl"
    assert main(["run", *cell.argv, "--checkpoint-dir", str(checkpoint_folder(str(results))),
                 "--results", str(elsewhere), "--quiet"]) == 0
    assert len(list(checkpoint_folder(str(results)).glob("*.pt"))) == 1
    capsys.readouterr()
    assert main(grid) == 0
    assert "after epoch 1 of 1" in capsys.readouterr().err
    records = read_records(results)
    assert len(records) == 2  # the resumed cell and its i-Mix partner, each once
    resumed = next(r for r in records if r["method"] == "simclr" and not r["imix"])
    first = read_records(elsewhere)[0]
    # not trained again: the training time is the checkpointed run's, to the last digit
    assert resumed["loss_curve"] == first["loss_curve"] and resumed["train_seconds"] == first["train_seconds"]
    # the record says its wall time is the resuming process's alone (shorter than the training it reports)
    assert resumed["resumed_at_epoch"] == 1 and first["resumed_at_epoch"] is None
    assert list(checkpoint_folder(str(results)).glob("*")) == []  # the records are what the suite keeps


def test_dry_run_estimates_from_separate_timing_records(tmp_path, capsys):
    """Short timing runs kept in their own file estimate the real grid without counting as done."""
    config = _write_config(tmp_path)
    timing = tmp_path / "timing.jsonl"
    base = ["suite", "--config", str(config), "--methods", "simclr", "--seeds", "1"]
    assert main([*base, "--results", str(timing)]) == 0  # 2 cells of 1 epoch
    capsys.readouterr()
    real = ["--epochs", "3", "--results", str(tmp_path / "runs.jsonl"), "--dry-run"]
    assert main([*base, *real]) == 0
    assert "none has an estimate yet" in capsys.readouterr().out
    assert main([*base, *real, "--estimate-from", str(timing)]) == 0
    out = capsys.readouterr().out
    assert "2 cells: 0 already recorded, 2 to run, about" in out and out.count("~?") == 0


def test_reuse_counts_another_files_cells_as_done_and_never_writes_it(tmp_path, capsys):
    """A grid that extends an earlier one (new arms beside its baselines) runs only the new cells."""
    config = _write_config(tmp_path)
    earlier, extension = tmp_path / "earlier.jsonl", tmp_path / "extension.jsonl"
    base = ["suite", "--config", str(config), "--methods", "simclr", "--seeds", "1"]
    assert main([*base, "--results", str(earlier)]) == 0  # baseline and i-Mix, seed 0
    before = earlier.read_bytes()
    capsys.readouterr()
    grown = [*base, "--seeds", "2", "--results", str(extension), "--reuse", str(earlier)]
    assert main([*grown, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 cells: 2 already recorded, 2 to run, about" in out  # estimated from the reused records
    assert main(grown) == 0
    out = capsys.readouterr().out
    assert out.count(f"recorded in {earlier}") == 2 and "2 ran, 2 already recorded" in out
    assert f"table: python -m bench table --results {earlier} {extension}" in out
    assert earlier.read_bytes() == before
    assert sorted(r["seed"] for r in read_records(extension)) == [1, 1]


def test_reuse_of_a_missing_file_is_refused_before_anything_runs(tmp_path, capsys):
    config = _write_config(tmp_path)
    results = tmp_path / "runs.jsonl"
    assert main(["suite", "--config", str(config), "--methods", "simclr", "--seeds", "1", "--results", str(results),
                 "--reuse", str(tmp_path / "nowhere.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "--reuse" in err and "no such results file" in err and "Traceback" not in err
    assert not results.exists()


def test_a_resumed_record_gives_no_estimate(tmp_path):
    """Its wall time covers only the resuming process, so wall - train would be a negative 'fixed' cost."""
    from bench.suite_dry_run import estimate_seconds

    config = _write_config(tmp_path)
    cell = expand_grid(preset=None, config=load_config_file(config), domains=None, datasets=None,
                       methods=["simclr"], seeds=1, mixes=None, data_ratios=None, cli={}).cells[0]
    whole = {"config": cell.cfg.to_dict(), "wall_seconds": 30.0, "train_seconds": 20.0, "resumed_at_epoch": None}
    assert estimate_seconds(cell, [whole]) == 30.0  # 10 s fixed + 20 s training at the same length
    resumed = {**whole, "wall_seconds": 12.0, "resumed_at_epoch": 1}
    assert estimate_seconds(cell, [resumed]) is None
    older = {**whole, "wall_seconds": 12.0, "resumed_at_epoch": None}
    del older["resumed_at_epoch"]  # written before the field existed: caught by wall < train
    assert estimate_seconds(cell, [older, whole]) == 30.0


def test_seeds_flag_takes_a_count_or_an_explicit_list(capsys):
    """A final table can run fresh seeds (say 3-7) that a study choosing its settings never saw."""
    base = ["suite", "--domains", "tabular", "--methods", "simclr", "--epochs", "1", "--dry-run",
            "--results", "/nonexistent/runs.jsonl"]
    assert main([*base, "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    assert "seed 0" in out and "seed 1" in out and "seed 2" not in out
    assert main([*base, "--seeds", "3,5"]) == 0
    out = capsys.readouterr().out
    labels = [line.split("  ")[-1] for line in out.splitlines() if line.startswith("[")]
    assert labels == ["seed 3", "seed 3", "seed 5", "seed 5"]  # baseline and i-Mix of each seed
