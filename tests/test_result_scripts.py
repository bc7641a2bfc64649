"""The summary scripts beside the committed results still run and print the committed numbers."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str) -> str:
    done = subprocess.run([sys.executable, script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_signals_summary_prints_the_readme_rows():
    out = _run("results/signals/summary.py")
    simclr = next(line for line in out.splitlines() if "simclr" in line and "baseline" in line)
    assert "76.77 ± 2.96 (3)" in simclr and "57.77 ± 1.72 (3)" in simclr  # results/signals/README.md
    assert "32.53 ± 0.57 (3)" in out  # the raw-feature probe row


def test_images_summary_splits_mixup_and_cutmix():
    out = _run("results/images/summary.py")
    rows = [line for line in out.splitlines() if line.startswith("| moco")]
    assert [row.split("|")[2].strip() for row in rows] == ["baseline", "mixup", "cutmix"]
    assert "44.18 ± 0.25 (n=3)" in rows[2]  # the CutMix arm that bench table shows as images/cifar10 (10k) (cutmix)


def _script(path: str):
    """A script beside the results, imported as a module (results/ is not a package)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_repro_rule_takes_the_best_gain_unless_a_shorter_length_ties_it():
    choose = _script("results/repro/choose_lengths.py").choose
    # 10 epochs: mean 0.5, interval 0.5 +- 4.30 x 0.1/sqrt(3) = [0.25, 0.75]; 50: mean 2.0, [1.75, 2.25]
    assert choose({10: [0.4, 0.5, 0.6], 50: [1.9, 2.0, 2.1]}) == 50  # apart: the best
    # 50's interval is wide ([-2.97, 6.97] holds 0.5) but 10's ([0.25, 0.75]) does not hold 2.0: no tie
    assert choose({10: [0.4, 0.5, 0.6], 50: [0.0, 2.0, 4.0]}) == 50
    # both wide (10: [-4.47, 5.47], 50: [-2.97, 6.97]): each mean inside the other's, so the shorter one
    assert choose({10: [-1.5, 0.5, 2.5], 50: [0.0, 2.0, 4.0], 150: [-5.0, 1.0, 7.0]}) == 10
    assert choose({10: [1.0, 1.0, 1.0], 50: [1.0, 1.0, 1.0]}) == 10  # an exact tie: the shorter


def test_the_repro_rule_waits_for_every_length_of_the_study():
    done = subprocess.run([sys.executable, "results/repro/choose_lengths.py", "--results", "/nonexistent.jsonl"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    # no records: every data set is TBD, the exit code says not ready, and nothing is chosen by default
    assert done.returncode == 1 and "0 records from /nonexistent.jsonl" in done.stdout
    assert "declare -A EPOCHS=([letter]=TBD [mnist1d]=TBD [cifar10]=TBD [fsdd]=TBD)" in done.stdout


def test_regime_summary_gives_each_gain_its_interval_and_holm():
    out = _run("results/regime/summary.py")
    row = next(line for line in out.splitlines() if "letter" in line and "| simclr | 10 | 1 |" in line)
    # seeds 0-2: i-Mix minus baseline = 1.00, 1.10, 0.60 points; mean 0.90, sd sqrt(0.07) = 0.2646,
    # half width t(0.975, 2) x sd / sqrt(3) = 4.303 x 0.2646 / 1.732 = 0.657
    assert "| +0.90 | [+0.24, +1.56] | 0.028 |" in row
    holm = float(row.rstrip(" |").rsplit("|", 1)[1])
    assert 0.028 < holm <= 1.0  # adjusted over every tested row, so never below the raw p
    assert "After Holm's correction over the" in out.splitlines()[-1]


def _noaug_record(inputmix: bool, imix: bool, seed: int, accuracy: float, **config) -> dict:
    cfg = {"epochs": 150, "method": "simclr", "imix": imix, "inputmix": inputmix, "no_aug": True, "seed": seed,
           **config}
    return {"domain": "tabular", "dataset": "letter", "method": "simclr", "imix": imix, "mix": "mixup" if imix else None,
            "seed": seed, "config": cfg, "probe": {"accuracy": accuracy}, "knn": {"accuracy": accuracy}}


def test_table3_sets_four_arms_side_by_side_and_tests_each_contrast_seed_by_seed():
    table3 = _script("results/repro/table3.py")
    accuracy = {(False, False): [0.90, 0.91, 0.92], (True, False): [0.93, 0.95, 0.94],
                (False, True): [0.94, 0.94, 0.94], (True, True): [0.94, 0.94, 0.94]}
    records = [_noaug_record(inputmix, imix, seed, value)
               for (inputmix, imix), values in accuracy.items() for seed, value in enumerate(values)]
    records.append(_noaug_record(False, False, 0, 0.10, no_aug=False))  # a Table 1 record: not read
    [(name, arms, contrasts)] = table3.table(records, "probe")
    assert name == "tabular/letter simclr, 150 epochs"
    assert [round(arms[c].mean, 6) for c in table3.ARMS.values()] == [91.0, 94.0, 94.0, 94.0]
    by_name = {c.method: c for c in contrasts}
    assert list(by_name) == [f"{t} vs {r}" for t, r in table3.CONTRASTS]
    # InputMix minus no aug, seed by seed: 3, 4, 2; mean 3, sd 1, half width 4.303 x 1 / sqrt(3) = 2.484
    inputmix = by_name["InputMix vs no aug"]
    assert inputmix.gain == pytest.approx(3.0) and inputmix.ci == pytest.approx((0.516, 5.484), abs=1e-3)
    # both minus InputMix: 1, -1, 0, a mean of 0 and sd 1: the interval +-2.484 and p exactly 1
    both = by_name["InputMix + i-Mix vs InputMix"]
    assert both.ci == pytest.approx((-2.484, 2.484), abs=1e-3) and both.p_value == pytest.approx(1.0)
    # i-Mix and both are equal on every seed: no spread, so no p-value, and the note says why
    same = by_name["InputMix + i-Mix vs i-Mix"]
    assert same.gain == pytest.approx(0.0) and math.isnan(same.p_value) and same.test_note == "identical gains"
    # Holm over the five tested contrasts: never below the raw p, NaN where there is no test
    tested = [c for c in contrasts if not math.isnan(c.p_value)]
    assert len(tested) == 5 and all(c.p_adjusted >= c.p_value for c in tested)
    assert "| InputMix vs no aug | 3 | +3.00 [+0.52, +5.48] |" in table3.render([(name, arms, contrasts)])


def test_table3_refuses_to_pool_records_that_differ_in_another_setting():
    table3 = _script("results/repro/table3.py")
    records = [_noaug_record(False, False, 0, 0.9), _noaug_record(False, False, 1, 0.9, batch_size=64)]
    with pytest.raises(table3.TableError, match="differ in a setting other than the seed"):
        table3.table(records, "probe")
