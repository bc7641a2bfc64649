"""Settings are declared once (bench/core/settings.py on RunConfig's fields); the built-in presets state
only what differs from the defaults; a suite checks each domain's adapter once, not once per cell."""

from __future__ import annotations

import dataclasses

import pytest

from bench.core.config import RunConfig, config_key
from bench.core.errors import UserError
from bench.flags import RUN_FIELDS, Parser, add_run_arguments
from bench.presets import PRESETS
from bench.suite import expand_grid

DOMAINS = ("images", "signals", "speech", "tabular")
# Defaults a preset names on purpose: the official speech recipe, so the printed commands show it.
NAMED_TO_STAY_VISIBLE = {"speech_recipe", "sc_protocol"}


def test_every_declared_setting_is_a_run_flag_whose_help_shows_the_declared_default():
    declared = [f.name for f in dataclasses.fields(RunConfig) if f.metadata["flag"]]
    assert list(RUN_FIELDS) == declared
    parser = Parser(prog="bench run")
    add_run_arguments(parser)
    actions = {a.dest: a for a in parser._actions}
    assert actions["alpha"].help.endswith("(default 1)") and actions["alpha"].default is None
    assert actions["weight_decay"].help.endswith("(default 0.0001)")
    assert actions["mix"].help.endswith("(default mixup)") and actions["mix"].default is None
    assert actions["probe"].choices == ("logistic", "sgd", "official")
    assert actions["milestones"].nargs == "+" and actions["raw_probe"].option_strings == ["--raw-probe", "--no-raw-probe"]


def test_declared_choices_and_ranges_are_what_validate_refuses():
    with pytest.raises(UserError, match=r"unknown --schedule 'linear'; valid choices: cosine, step\."):
        RunConfig(schedule="linear").validate()
    with pytest.raises(UserError, match=r"--data-ratio must be in \(0, 1\], got 1.5"):
        RunConfig(data_ratio=1.5).validate()
    RunConfig(moco_negatives=None, method="moco").validate()  # an unset choice stays allowed


def _row_defaults(domain: str) -> dict[str, dict]:
    """Per dataset of the domain: RunConfig's defaults < the domain's, and its own flags' defaults."""
    from bench.adapters import domain_class
    from bench.api import domain_options

    cls = domain_class(domain)
    adapter = cls(**domain_options(cls))
    base = {f.name: getattr(RunConfig(), f.name) for f in dataclasses.fields(RunConfig)}
    return {d: {**base, **adapter.defaults(d), **domain_options(cls), **cls.option_defaults(d)} for d in cls.datasets}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_state_only_what_differs_from_the_layer_beneath(name):
    preset = PRESETS[name]
    rows = {domain: _row_defaults(domain) for domain in DOMAINS}
    for key, value in preset.get("settings", {}).items():  # beneath: each domain's defaults, any data set
        assert any(d.get(key) != value for r in rows.values() for d in r.values()), f"{name}: settings.{key}"
    for domain, table in preset.get("domain", {}).items():  # beneath: the settings, else the domain's defaults
        for key, value in table.items():
            if key in NAMED_TO_STAY_VISIBLE:
                continue
            beneath = [preset.get("settings", {}).get(key, d.get(key)) for d in rows[domain].values()]
            assert any(b != value for b in beneath), f"{name}: domain.{domain}.{key}"
    for entry in preset.get("datasets", []):  # beneath: the domain's table, the settings, its data set's defaults
        defaults = rows[entry["domain"]][entry["dataset"]]
        for key, value in entry.items():
            if key not in ("domain", "dataset", "name", "methods"):
                beneath = preset.get("domain", {}).get(entry["domain"], {}).get(
                    key, preset.get("settings", {}).get(key, defaults.get(key)))
                assert beneath != value, f"{name}: {entry['dataset']}.{key}"


def test_config_file_values_are_read_as_the_flags_read_them_and_bad_ones_are_user_errors():
    def cell(**settings):
        grid = expand_grid(preset=None, config={"settings": settings}, domains=["tabular"], datasets=None,
                           methods=["simclr"], seeds=1, mixes=None, data_ratios=None, cli={})
        return grid.cells[1]  # the i-Mix cell

    given = cell(alpha=2, epochs=3, milestones=2, raw_probe=False, symmetric=False, inputdrop=0, header=False)
    assert type(given.cfg.alpha) is float and given.cfg.milestones == [2] and given.cfg.raw_probe is False
    assert given.cfg.domain_options["inputdrop"] == 0.0 and given.cfg.symmetric is False
    assert given.cfg.domain_options["header"] is False and "--no-header" in given.argv  # header = false
    from bench.cli import parse, prepare_run

    by_hand, _ = prepare_run(parse(["run", *given.argv]))  # the printed command line is the same run
    assert config_key(by_hand.to_dict()) == given.key
    assert "--alpha 2" in " ".join(given.argv) and "--no-raw-probe" in given.argv
    with pytest.raises(UserError, match=r"epochs = 'many' is not an int"):
        cell(epochs="many")
    with pytest.raises(UserError, match=r"unknown --probe 'linear'; valid choices"):
        cell(probe="linear")
    with pytest.raises(UserError, match=r"symmetric = 'yes' is not true or false"):
        cell(symmetric="yes")


def test_a_suite_imports_and_checks_each_adapter_once(monkeypatch):
    import bench.adapters

    calls = []
    real = bench.adapters.check_adapter_class
    monkeypatch.setattr(bench.adapters, "check_adapter_class", lambda cls, label: calls.append(label) or real(cls, label))
    grid = expand_grid(preset=None, config={"settings": {"epochs": 1}}, domains=["tabular", "images"], datasets=None,
                       methods=["simclr", "moco"], seeds=2, mixes=None, data_ratios=None, cli={})
    assert len(grid.cells) == 2 * 2 * 2 * 2
    assert len(calls) <= 2  # once per domain (none when the registry has checked it already)
