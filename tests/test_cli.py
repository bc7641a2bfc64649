"""The command line end to end: every method runs, and every user error is a clear message."""

from __future__ import annotations

import json

import pytest

from bench.cli import main
from bench.results.records import read_records
from bench.training.methods import METHODS, aliases
from bench.training.mixing import MIXERS

TINY = ["--epochs", "1", "--data-ratio", "0.2", "--width", "32", "--batch-size", "64", "--quiet",
        "--proj-hidden", "32", "--queue-size", "64"]


# Every registered method, with i-Mix where it takes it (ntxent refuses it: see the error tests).
RUNNABLE = [(name, imix) for name, cls in METHODS.items() for imix in (False, True) if cls.supports_imix or not imix]


@pytest.mark.parametrize("method, imix", RUNNABLE)
def test_every_method_runs_end_to_end_and_appends_one_record(method, imix, tmp_path, capsys):
    results = tmp_path / "runs.jsonl"
    args = ["run", "--domain", "tabular", "--method", method, *TINY, "--results", str(results)]
    assert main(args + (["--imix"] if imix else [])) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"tabular/digits  {method}  {'i-Mix' if imix else 'baseline'}")
    assert "linear probe" in line and "kNN" in line and "wall" in line
    (record,) = read_records(results)
    assert record["method"] == method and record["imix"] is imix
    assert len(record["loss_curve"]) == 1
    assert 0.1 < record["probe"]["accuracy"] <= 1.0
    assert record["config"]["temperature"] == 0.5  # the tabular domain's default for digits applied
    assert record["environment"]["torch"].startswith("2.")


def test_npair_alias_and_seed_reproducibility(tmp_path):
    results = tmp_path / "runs.jsonl"
    for _ in range(2):
        assert main(["run", "--method", "npair", "--imix", "--seed", "3", *TINY, "--results", str(results)]) == 0
    first, second = read_records(results)
    assert first["method"] == "simclr"
    assert first["loss_curve"] == second["loss_curve"]
    assert first["probe"]["accuracy"] == second["probe"]["accuracy"]


def test_list_names_every_choice(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for word in ("tabular", "digits", "covtype", "higgs100k", "csv", *METHODS, *aliases(), *MIXERS, "mlp", "paper-mlp"):
        assert word in out


@pytest.mark.parametrize("args, message", [
    (["run", "--domain", "pictures"], "unknown domain 'pictures'; valid choices:"),
    (["run", "--method", "swav"], f"unknown method 'swav'; valid choices: {', '.join(sorted([*METHODS, *aliases()]))}"),
    (["run", "--dataset", "iris"], "unknown tabular dataset 'iris'; valid choices: covtype, csv, digits"),
    (["run", "--imix", "--mix", "cutmix"], "--mix cutmix is not offered by the tabular domain; its choices: mixup"),
    (["run", "--imix", "--mix", "manifold"], f"unknown mixing strategy 'manifold'; valid choices: {', '.join(sorted(MIXERS))}"),
    (["run", "--method", "ntxent", "--imix"], "Use --method simclr"),
    (["run", "--alpha", "0"], "--alpha must be positive"),
    (["run", "--epochs", "many"], "invalid int value: 'many'"),
    (["run", "--dataset", "csv"], "--dataset csv needs --data PATH"),
    (["run", "--encoder", "mlp", "--pieces", "4"], "encoder 'mlp' has no option pieces; its options are: width, depth"),
    (["table", "--results", "/nonexistent/runs.jsonl"], "no result records at /nonexistent/runs.jsonl"),
])
def test_user_errors_exit_2_with_a_message_and_no_traceback(args, message, tmp_path, capsys):
    assert main(args + (["--results", str(tmp_path / "r.jsonl"), "--quiet"] if args[0] == "run" else [])) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "r.jsonl").exists()


def test_csv_label_missing_lists_the_columns(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("a,b,kind\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    assert main(["run", "--dataset", "csv", "--data", str(table), "--label", "class", "--quiet"]) == 2
    assert "its columns are: a, b, kind" in capsys.readouterr().err


def test_a_nan_loss_stops_the_run_and_keeps_earlier_records(tmp_path, capsys, monkeypatch):
    results = tmp_path / "runs.jsonl"
    assert main(["run", *TINY, "--results", str(results)]) == 0
    before = results.read_text()
    from bench.training.methods.simclr import SimCLR

    original = SimCLR.loss
    monkeypatch.setattr(SimCLR, "loss", lambda self, *a: original(self, *a) * float("nan"))
    assert main(["run", *TINY, "--epochs", "2", "--results", str(results)]) == 2
    err = capsys.readouterr().err
    assert "the loss became nan in epoch 1" in err and "learning rate" in err
    assert results.read_text() == before
    assert len([json.loads(line) for line in before.splitlines()]) == 1


def test_epochs_zero_evaluates_the_untrained_encoder(tmp_path):
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--epochs", "0", "--width", "32", "--quiet", "--results", str(results)]) == 0
    (record,) = read_records(results)
    assert record["loss_curve"] == [] and record["probe"]["accuracy"] > 0.5


def test_eval_every_stores_knn_at_each_nth_epoch_and_the_last(tmp_path):
    results = tmp_path / "runs.jsonl"
    args = ["run", "--epochs", "5", "--eval-every", "2", "--width", "32", "--quiet", "--results", str(results)]
    assert main(args) == 0
    record = json.loads(results.read_text())
    assert [entry["epoch"] for entry in record["monitor"]] == [2, 4, 5]
    assert all(0 <= entry["knn"] <= 1 for entry in record["monitor"])
    # the monitor scores held-out training rows, never the test split: a tenth of digits' 1347 rows
    assert {(entry["split"], entry["n_validation"]) for entry in record["monitor"]} == {("validation", 135)}


def test_a_dependency_that_is_not_installed_is_an_install_step_not_a_traceback(monkeypatch, capsys):
    import bench.cli as cli

    def parse_without_torch(argv):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(cli, "parse", parse_without_torch)
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "'torch'" in err and "pip install -e ." in err and "Traceback" not in err


def test_a_missing_module_of_the_project_itself_is_a_bug_and_shown_in_full(monkeypatch):
    import bench.cli as cli

    def parse_with_a_broken_import(argv):
        raise ModuleNotFoundError("No module named 'bench.nowhere'", name="bench.nowhere")

    monkeypatch.setattr(cli, "parse", parse_with_a_broken_import)
    with pytest.raises(ModuleNotFoundError):
        main(["list"])
