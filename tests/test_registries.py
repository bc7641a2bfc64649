"""A new method is one class plus one registry line, and a new mixer one spec plus one registry line.

The toys below are registered the way docs/adding-a-method.md says (one ``METHODS`` / ``MIXERS``
entry each, here through monkeypatch so the registries are restored after each test), then run
through `bench run`, `bench suite --dry-run`, `bench table` and `bench list` with no other edit.
"""

from __future__ import annotations

import json

import pytest
import torch
from torch import Tensor

from bench.cli import main
from bench.core.options import Option
from bench.results.records import read_records
from bench.training.methods import METHODS, BuildContext
from bench.training.methods.simclr import SimCLR, npair_loss
from bench.training.mixing import MIXERS, Mix, MixerSpec
from bench.core.rng import Rng

TINY = ["--epochs", "1", "--data-ratio", "0.2", "--width", "32", "--batch-size", "64", "--quiet", "--proj-hidden", "32"]


class ScaledNPair(SimCLR):
    """N-pair with its logits scaled once more: a method with an option and a default of its own."""

    name = "scaled-npair"
    summary = "toy: N-pair with an extra logit scale"
    options = (Option("logit_scale", float, 1.0, "extra factor on the logits", valid=lambda v: v > 0,
                      valid_text="(0, inf)"),)
    defaults = {"proj_head": "mlp"}

    @classmethod
    def from_config(cls, cfg, backbone, feature_dim: int, context: BuildContext) -> "ScaledNPair":
        method = cls(backbone, feature_dim, temperature=cfg.temperature / cfg.method_options["logit_scale"],
                     **cls.head_settings(cfg, feature_dim))
        return method


def keep_mostly(x: Tensor, alpha: float, rng: Rng, weight: float = 0.75) -> tuple[Tensor, Mix]:
    """A mixer with a parameter: every sample keeps ``weight`` of itself."""
    perm = torch.randperm(x.shape[0], generator=rng.torch)
    lam = torch.full((x.shape[0],), weight)
    return weight * x + (1 - weight) * x[perm], Mix(perm=perm, lam=lam)


KEEP_MOSTLY = MixerSpec("keepmostly", keep_mostly, "toy: a fixed-weight MixUp",
                        params=(Option("weight", float, 0.75, "own weight", valid=lambda v: 0.5 <= v <= 1,
                                       valid_text="[0.5, 1]"),))


@pytest.fixture
def toys(monkeypatch):
    monkeypatch.setitem(METHODS, ScaledNPair.name, ScaledNPair)  # the one registry line of a method
    monkeypatch.setitem(MIXERS, KEEP_MOSTLY.name, KEEP_MOSTLY)  # the one registry line of a mixer


def test_a_registered_method_and_mixer_run_with_their_own_options(toys, tmp_path, capsys):
    results = tmp_path / "runs.jsonl"
    base = ["run", "--method", "scaled-npair", *TINY, "--results", str(results)]
    assert main(base + ["--logit-scale", "2"]) == 0
    assert main(base + ["--logit-scale", "2", "--imix", "--mix", "keepmostly", "--weight", "0.6"]) == 0
    baseline, mixed = read_records(results)
    assert baseline["method"] == "scaled-npair" and mixed["imix"] is True
    assert baseline["config"]["method_options"] == {"logit_scale": 2.0}
    assert baseline["config"]["proj_head"] == "mlp"  # the method's own default, below the flags
    assert mixed["config"]["mix"] == "keepmostly" and mixed["config"]["mix_options"] == {"weight": 0.6}
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["run", "--method", "scaled-npair", "--help"])
    assert "--method scaled-npair:\n  --logit-scale" in capsys.readouterr().out  # the method's group in the help


def test_a_method_option_out_of_range_is_refused_naming_the_method(toys, tmp_path, capsys):
    assert main(["run", "--method", "scaled-npair", "--logit-scale", "-1", *TINY,
                 "--results", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "--logit-scale must be in (0, inf), got -1" in err and "--method scaled-npair" in err
    assert "Traceback" not in err


def test_a_method_option_is_refused_for_another_method(toys, tmp_path, capsys):
    assert main(["run", "--method", "simclr", "--logit-scale", "2", *TINY, "--results", str(tmp_path / "r.jsonl")]) == 2
    assert "unrecognized arguments: --logit-scale 2" in capsys.readouterr().err


def test_the_toys_appear_in_list_suite_and_table(toys, tmp_path, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "scaled-npair" in out and "[options: --logit-scale]" in out and "keepmostly" in out
    assert main(["suite", "--domains", "tabular", "--methods", "scaled-npair", "--mixes", "keepmostly", "--seeds", "1",
                 "--dry-run", "--results", str(tmp_path / "s.jsonl"), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "--method scaled-npair" in out and "--mix keepmostly" in out
    results = tmp_path / "runs.jsonl"
    for seed in ("0", "1", "2"):
        base = ["run", "--method", "scaled-npair", *TINY, "--seed", seed, "--results", str(results)]
        assert main(base) == 0 and main(base + ["--imix", "--mix", "keepmostly"]) == 0
    capsys.readouterr()
    assert main(["table", "--results", str(results)]) == 0
    table = capsys.readouterr().out
    assert "scaled-npair" in table and "keepmostly" in table
    assert len(read_records(results)) == 6 and json.loads(results.read_text().splitlines()[0])["method"] == "scaled-npair"


def _table_names(section: str) -> list[str]:
    """The backticked first cells of the table rows right under a README heading's line."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([\w+-]+)`", body, flags=re.M)


def test_the_readme_tables_list_exactly_the_registered_methods_mixers_and_strategies():
    from bench.training.strategies import STRATEGIES

    names = _table_names("## Methods\n")
    registered = set(METHODS) | set(MIXERS) | set(STRATEGIES)
    assert [n for n in names if n in METHODS] and set(names) == registered and len(names) == len(registered), (
        "README's Methods section must have one row per registered method, mixer and strategy; "
        f"rows: {names}, registered: {sorted(METHODS)}, {sorted(MIXERS)} and {sorted(STRATEGIES)}")
