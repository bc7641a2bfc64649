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
