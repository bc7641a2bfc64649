"""`bench table --by strategy`: one gain column per treated arm against the same baseline, paired by seed;
the arms are told apart by strategy, setting and mix layer, and each pairs only with its own baseline."""

from __future__ import annotations

import pytest

from bench.cli import main
from bench.results.append import append_record
from bench.results.arms import arm_key, pairings
from bench.results.labels import arm_label, variant_of
from bench.results.strategy_table import strategy_table


def _record(seed: int, accuracy: float, imix: bool = False, **config) -> dict:
    cfg = {"epochs": 10, "method": "simclr", "imix": imix, "seed": seed, "alpha": 1.0, "mix": "mixup", **config}
    return {"domain": "tabular", "dataset": "letter", "method": "simclr", "imix": imix, "mix": "mixup" if imix else None,
            "seed": seed, "config": cfg, "probe": {"accuracy": accuracy}, "knn": {"accuracy": accuracy}}


ARMS = {  # per arm: accuracy by seed 0, 1, 2
    "baseline": ({}, (0.90, 0.92, 0.91)),
    "i-Mix": ({"imix": True}, (0.93, 0.97, 0.94)),  # gains 3, 5, 3
    "i-Mix (mixup, layer 2)": ({"imix": True, "mix_layer": "2"}, (0.91, 0.93, 0.92)),  # gains 1, 1, 1
    "e-Mix": ({"imix": True, "strategy": "emix", "mix_layer": "1"}, (0.88, 0.90, 0.90)),  # -2, -2, -1
    "DACL, alpha 0.9": ({"strategy": "dacl", "dacl_alpha": 0.9}, (0.92, 0.93, 0.91)),  # 2, 1, 0
    "Gaussian, sigma 0.1": ({"strategy": "gaussian", "sigma": 0.1}, (0.90, 0.92, 0.91)),  # 0, 0, 0
    "InputMix": ({"inputmix": True}, (0.94, 0.92, 0.91)),  # 4, 0, 0
}
RECORDS = [_record(seed, acc, **settings) for settings, accs in ARMS.values() for seed, acc in enumerate(accs)]


def test_each_arm_is_named_by_what_it_ran():
    names = {arm_label(r, with_mix=True) for r in RECORDS if not r["config"].get("inputmix")}
    assert names == {"baseline", "i-Mix (mixup)", "i-Mix (mixup, layer 2)", "e-Mix", "DACL, alpha 0.9",
                     "Gaussian, sigma 0.1"}
    assert len({arm_key(r) for r in RECORDS}) == 7  # seven arms, three seeds each
    assert variant_of(_record(0, 0.9, strategy="dacl", dacl_alpha=0.5)) == "DACL, alpha 0.5"


def test_every_arm_pairs_with_the_one_baseline():
    by_variant = {p.mix: p for p in pairings(RECORDS, inputmix_arm=True)}
    assert set(by_variant) == {"mixup", "mixup, layer 2", "e-Mix", "DACL, alpha 0.9", "Gaussian, sigma 0.1", "InputMix"}
    assert all(len(p.baseline) == 3 and len(p.imix) == 3 for p in by_variant.values())


def test_inputmix_stays_a_setting_of_both_arms_in_the_method_table():
    with_inputmix = [r for r in RECORDS if r["config"].get("inputmix")]
    both = with_inputmix + [_record(s, 0.95, imix=True, inputmix=True) for s in range(3)]
    (pairing,) = pairings(both)  # the paper's Table 3 layout: InputMix | InputMix + i-Mix
    assert len(pairing.baseline) == 3 and pairing.mix == "mixup"
    with pytest.raises(Exception, match="differ in more than"):
        pairings(RECORDS)  # InputMix records are not pooled with the plain baseline


def test_the_strategy_table_has_a_gain_column_per_arm_by_hand():
    header, _, row, *_ = strategy_table(RECORDS).splitlines()
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns[:3] == ["dataset", "method", "baseline"]
    assert [c.split(":")[0] for c in columns[3:]] == ["i-Mix", "i-Mix (mixup, layer 2)", "InputMix", "e-Mix",
                                                      "DACL, alpha 0.9", "Gaussian, sigma 0.1"]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2] == "91.00 ± 1.00 (3)"
    assert cells[3] == "+3.67 [+0.80, +6.54] (p=0.032)"  # gains 3, 5, 3 (as tests/test_tables.py works out)
    assert cells[4] == "+1.00 (identical gains)"
    assert cells[5].startswith("+1.33 [")
    assert cells[6].startswith("-1.67 [")
    assert cells[7].startswith("+1.00 [")
    assert cells[8] == "+0.00 (identical gains)"


def test_a_strategys_own_setting_sets_arms_apart_and_others_do_not():
    loose = _record(0, 0.9, strategy="dacl", dacl_alpha=0.9, sigma=0.5)  # sigma does nothing for DACL
    assert arm_key(loose) == arm_key(_record(0, 0.9, strategy="dacl", dacl_alpha=0.9))
    assert arm_key(_record(0, 0.9, strategy="dacl", dacl_alpha=0.5)) != arm_key(loose)


def test_bench_table_by_strategy_prints_it(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    for record in RECORDS:
        append_record(path, record)
    assert main(["table", "--results", str(path), "--by", "strategy"]) == 0
    out = capsys.readouterr().out
    assert "e-Mix: gain [95% CI] (p)" in out and "+3.67 [+0.80, +6.54] (p=0.032)" in out
    assert main(["table", "--results", str(path), "--by", "strategy", "--format", "latex"]) == 2


@pytest.mark.parametrize("strategies", [["imix", "emix", "dacl", "gaussian", "inputmix"]])
def test_a_suite_runs_each_strategy_beside_the_baseline(strategies, tmp_path):
    from bench.suite import expand_grid

    grid = expand_grid(preset=None, config=None, domains=["tabular"], datasets=None, methods=["moco"], seeds=1,
                       mixes=None, data_ratios=None, cli={"epochs": 1}, strategies=strategies)
    assert [c.variant for c in grid.cells] == ["baseline", "i-Mix (mixup)", "inputmix", "emix", "dacl", "gaussian"]
    emix = grid.cells[3]
    assert "--strategy emix" in emix.command() and emix.cfg.imix and emix.cfg.mix_layer == "1"
    assert grid.cells[2].cfg.inputmix and grid.cells[2].cfg.strategy is None
    with pytest.raises(Exception, match="unknown strategy 'mixmatch' in --strategies"):
        expand_grid(preset=None, config=None, domains=["tabular"], datasets=None, methods=["moco"], seeds=1,
                    mixes=None, data_ratios=None, cli={}, strategies=["mixmatch"])
