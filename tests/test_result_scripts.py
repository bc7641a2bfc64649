"""The summary scripts beside the committed results still run and print the committed numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def _choose_lengths():
    import importlib.util

    spec = importlib.util.spec_from_file_location("choose_lengths", ROOT / "results/repro/choose_lengths.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_repro_rule_takes_the_best_gain_unless_a_shorter_length_ties_it():
    choose = _choose_lengths().choose
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
