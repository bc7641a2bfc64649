"""The text protocol's length rule (results/text/choose_length.py): the repro rule on the text study's lengths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def choose(results: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "results/text/choose_length.py", "--results", str(results)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def record(method: str, imix: bool, seed: int, epochs: int, accuracy: float) -> dict:
    config = {"epochs": epochs, "data_ratio": 1.0, "alpha": 1.0, "mix": "mixup", "dataset": "wordnet-nouns",
              **({"moco_negatives": "batch+queue" if imix else "queue"} if method == "moco" else {})}
    return {"domain": "text", "dataset": "wordnet-nouns", "method": method, "imix": imix, "mix": "mixup" if imix else None,
            "seed": seed, "config": config, "data": {"n_train": 16000}, "probe": {"accuracy": accuracy},
            "knn": {"accuracy": accuracy}, "loss_curve": [1.0], "monitor": []}


def test_it_waits_for_every_length_then_takes_the_best_untied_gain(tmp_path):
    done = choose(tmp_path / "none.jsonl")
    assert done.returncode == 1 and "EPOCHS=TBD" in done.stdout and "5 epochs: not all" in done.stdout
    # gains in points per seed (i-Mix minus baseline, both methods alike): 5 epochs ~0, 15 ~+1, 40 ~+3
    gains = {5: (0.0, 0.1, -0.1), 15: (1.0, 1.1, 0.9), 40: (3.0, 3.1, 2.9)}
    rows = [record(m, imix, seed, epochs, 0.5 + (gains[epochs][seed] / 100 if imix else 0.0))
            for epochs in gains for m in ("simclr", "moco") for imix in (False, True) for seed in (0, 1, 2)]
    path = tmp_path / "regime.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = choose(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "40 epochs: gain +3.00" in done.stdout and done.stdout.strip().endswith("EPOCHS=40")
