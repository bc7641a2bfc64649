"""Adapters from outside the package: an import path, an installed entry point, and the
clear message each kind of broken adapter gets instead of a traceback."""

from __future__ import annotations

import pytest

from bench.cli import main
from bench.results.records import read_records
from tests.adapter_modules import IMPORT_FAILS, TOY, write_module

TINY = ["--epochs", "1", "--batch-size", "32", "--width", "16", "--proj-hidden", "16", "--quiet"]


@pytest.fixture
def user_folder(tmp_path, monkeypatch):
    """A folder on sys.path, as the user's own project would be."""
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_adapter_by_import_path_runs_end_to_end(user_folder, tmp_path, capsys):
    module = write_module(user_folder, TOY)
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--domain", f"{module}:ToyDomain", "--imix", *TINY, "--results", str(results)]) == 0
    assert capsys.readouterr().out.startswith("toy/blobs  simclr  i-Mix")
    (record,) = read_records(results)
    assert (record["domain"], record["dataset"], record["data"]["n_train"]) == ("toy", "blobs", 96)
    assert record["config"]["domain"] == f"{module}:ToyDomain"
    assert record["probe"]["accuracy"] > 0.9  # blobs 3 standard deviations apart


def test_import_path_finds_a_module_in_the_current_directory(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".")])  # as the imix-bench script
    monkeypatch.chdir(tmp_path)
    module = write_module(tmp_path, TOY)
    assert main(["run", "--domain", f"{module}:ToyDomain", *TINY, "--results", "runs.jsonl"]) == 0
    assert read_records(tmp_path / "runs.jsonl")[0]["domain"] == "toy"


def write_distribution(folder, module: str) -> None:
    """A minimal installed distribution: a .dist-info folder announcing two adapters."""
    info = folder / "toy_adapters-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-adapters\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[imix_bench.domains]\ntoy = {module}:ToyDomain\nbroken = missing_module_of_toy:Nope\n")


def test_entry_point_adapter_is_listed_with_its_origin_and_runs(user_folder, tmp_path, capsys):
    write_distribution(user_folder, write_module(user_folder, TOY))
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    toy_line = next(line for line in out.splitlines() if line.lstrip().startswith("toy "))
    assert "entry point from distribution toy-adapters 1.0" in toy_line
    assert "two Gaussian blobs" in toy_line
    broken_line = next(line for line in out.splitlines() if line.lstrip().startswith("broken "))
    assert "BROKEN" in broken_line and "missing_module_of_toy" in broken_line
    assert "tabular" in out and "signals" in out and "builtin" in out  # the others are still listed

    results = tmp_path / "runs.jsonl"
    assert main(["run", "--domain", "toy", *TINY, "--results", str(results)]) == 0
    assert read_records(results)[0]["domain"] == "toy"


def test_entry_point_cannot_shadow_a_builtin(user_folder, monkeypatch):
    from domains import registry

    module = write_module(user_folder, TOY)
    info = user_folder / "shadow-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shadow\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[imix_bench.domains]\ntabular = somewhere:Else\ntoy = {module}:ToyDomain\n")
    warnings = []
    monkeypatch.setattr(registry.logger, "warning", lambda text, *args: warnings.append(text % args))
    sources = registry.available_sources()
    assert sources["tabular"].origin == "builtin"
    # the same distribution's other adapter is read, so the shadowing entry point was seen and refused
    assert (sources["toy"].target, sources["toy"].origin) == (f"{module}:ToyDomain", "entry point from distribution shadow 1.0")
    assert warnings == ["domain adapter 'tabular' (somewhere:Else, entry point from distribution shadow 1.0) is shadowed "
                        "by domain adapter 'tabular' (domains.tabular:TabularDomain, builtin); reach it with --domain somewhere:Else"]


BROKEN = [
    ("FloatLabels", ["'toy'", "train.y must be a 1-D torch.long tensor", "torch.float32", "use y.long()"]),
    ("LabelOutOfRange", ["test.y holds labels 0..7, outside 0..1"]),
    ("TooFewLabels", ["train.x holds 96 samples but train.y 90 labels"]),
    ("WrongInputShape", ["preprocess(x) returned samples shaped (8,), but load() declared input_shape (1, 8)"]),
    ("AugmentCrops", ["augment(x, rng) returned samples shaped (4,)", "input_shape (8,)"]),
    ("AugmentDropsSamples", ["augment(x, rng) returned 3 samples for a batch of 4"]),
    ("AugmentUsesGlobalGenerator", ["augment(x, rng) gave other views for the same rng", "global generator",
                                    "generator=rng.torch"]),
    ("AugmentRaises", ["augment(x, rng) raised RuntimeError", "user_adapter_", "stored samples shaped (4, 8)"]),
    ("CutMixOnVectors", ["cutmix, which needs inputs shaped (channels, length, ...); input_shape is (8,)"]),
    ("UnknownEncoder", ["default_encoder 'transformer-xl' is not a registered encoder", "register_encoder"]),
    ("ClashingFlag", ["add_arguments failed", "--epochs"]),
    ("Incomplete", ["`summary` must be a non-empty string", "`datasets` must be a non-empty dict",
                    "does not define load(self, request)"]),
    ("NotADomain", ["is the class NotADomain, not a subclass of domains.Domain"]),
    ("Missing", ["has no attribute 'Missing'", "AugmentCrops", "ToyDomain"]),
]


@pytest.mark.parametrize("cls, fragments", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_adapter_gets_a_message_naming_it(cls, fragments, user_folder, tmp_path, capsys):
    module = write_module(user_folder, TOY)
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--domain", f"{module}:{cls}", *TINY, "--results", str(results)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert f"{module}:{cls}" in captured.err or f"{module}:ToyDomain" in captured.err
    for fragment in fragments:
        assert fragment in captured.err
    assert not results.exists()


@pytest.mark.parametrize("spec, fragments", [
    ("IMPORT_FAILS:Anything", ["importing module", "ModuleNotFoundError", "a_package_that_is_not_installed",
                               "The adapter needs the module 'a_package_that_is_not_installed'"]),
    ("not_a_module_anywhere:Thing", ["'not_a_module_anywhere:Thing' (import path)", "PYTHONPATH"]),
    (":Thing", ["not an import path; write it as package.module:ClassName"]),
    ("pictures", ["unknown domain 'pictures'; valid choices: images, signals, speech, tabular",
                  "--domain package.module:ClassName"]),
])
def test_adapter_that_cannot_be_found_or_imported(spec, fragments, user_folder, capsys):
    if spec.startswith("IMPORT_FAILS"):
        spec = spec.replace("IMPORT_FAILS", write_module(user_folder, IMPORT_FAILS))
    assert main(["run", "--domain", spec, *TINY]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def guide_code_blocks() -> list[str]:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "adding-a-domain.md").read_text()
    blocks = [block.split("\n", 1)[1] for block in text.split("```")[1::2] if block.startswith("python")]
    return [block for block in blocks if "\nclass " in block]  # the adapters and the encoder, in order


def test_the_guides_worked_example_runs_as_written(user_folder, tmp_path, capsys):
    example, _, encoder = guide_code_blocks()
    module = write_module(user_folder, example)
    results = tmp_path / "runs.jsonl"
    args = ["run", "--domain", f"{module}:WavesDomain", "--imix", "--mix", "cutmix", "--noise", "0.05",
            "--epochs", "2", "--batch-size", "100", "--width", "0.25", "--quiet", "--results", str(results)]
    assert main(args) == 0
    (record,) = read_records(results)
    assert record["domain"] == "waves" and record["data"]["input_shape"] == [1, 64]
    assert record["config"]["domain_options"]["noise"] == 0.05
    assert record["probe"]["accuracy"] > 0.8  # three wave shapes, told apart whatever the phase
    assert record["raw_probe"]["accuracy"] < 0.5  # random phases hide the shape from a linear probe

    with_encoder = write_module(user_folder, example + encoder.replace("\nclass TinyNet", "\n\nclass TinyNet")
                                + '\nWavesDomain.default_encoder = "tinynet"\n')
    results2 = tmp_path / "runs2.jsonl"
    assert main(["run", "--domain", f"{with_encoder}:WavesDomain", "--epochs", "1", "--batch-size", "100",
                 "--width", "16", "--quiet", "--results", str(results2)]) == 0
    assert read_records(results2)[0]["encoder"] == "tinynet"


def test_the_guides_kit_example_reads_a_csv_with_the_shared_flags(user_folder, tmp_path, capsys):
    numbers = write_module(user_folder, guide_code_blocks()[1])
    rows = "".join(f"{i % 3},{i % 3 + 0.1 * (i % 5)},{i % 7}\n" for i in range(60))  # the first feature tells the class
    (table := tmp_path / "t.csv").write_text("label,a,b\n" + rows)
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--domain", f"{numbers}:NumbersDomain", "--data", str(table), "--test-size", "0.25",
                 "--epochs", "1", "--batch-size", "16", "--quiet", "--results", str(results)]) == 0
    (record,) = read_records(results)
    assert record["dataset"] == "numbers:t" and (record["data"]["n_train"], record["data"]["n_test"]) == (45, 15)
    assert record["config"]["domain_options"] == {"label": None, "header": True, "test_data": None, "test_size": 0.25}
    assert record["raw_probe"]["accuracy"] == 1.0


def test_the_guides_suite_config_runs_the_worked_example(user_folder, tmp_path, capsys):
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "adding-a-domain.md").read_text()
    (config,) = [b.split("\n", 1)[1] for b in text.split("```")[1::2] if b.startswith("toml") and "domains =" in b]
    module = write_module(user_folder, guide_code_blocks()[0])
    grid = tmp_path / "grid.toml"
    grid.write_text(config.replace("waves:WavesDomain", f"{module}:WavesDomain"))
    assert main(["suite", "--config", str(grid), "--dry-run", "--results", str(tmp_path / "runs.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "6 cells: 0 already recorded, 6 to run" in out  # simclr x {baseline, i-Mix} x 3 seeds
    assert out.count(f"--domain {module}:WavesDomain --noise 0.05 --batch-size 100 --method simclr") == 6
