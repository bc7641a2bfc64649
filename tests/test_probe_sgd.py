"""The quick SGD linear probe (not the paper's protocol): it learns, it chooses its rate on validation only, it is repeatable."""

from __future__ import annotations

import pytest
import torch

from bench.evaluation import probe_sgd
from bench.cli import main
from bench.evaluation.probe import PROBE_FUNCTIONS
from bench.results.records import read_records


def blobs(n: int, d: int = 16, k: int = 4, spread: float = 4.0, seed: int = 0, noise: float = 1.0):
    """k Gaussian blobs whose centres are `spread` noise-widths apart on orthogonal axes."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    x = noise * torch.randn(n, d, generator=g)
    x[torch.arange(n), y] += spread
    return x, y


def test_separable_features_are_learned_perfectly():
    x, y = blobs(600, spread=12.0)
    xt, yt = blobs(200, spread=12.0, seed=1)
    result = probe_sgd.sgd_probe(x, y, xt, yt)
    assert result.accuracy == 1.0
    assert set(result.validation_accuracy) == {"0.01", "0.1", "1.0"}
    record = result.to_dict()
    assert record["lr"] in probe_sgd.LR_GRID and record["epochs"] == 100 and "c" not in record


def test_registered_as_the_sgd_probe():
    x, y = blobs(100)
    assert PROBE_FUNCTIONS["sgd"](x, y, x, y, seed=2) == probe_sgd.sgd_probe(x, y, x, y, seed=2)


def test_the_rate_with_the_best_validation_accuracy_is_chosen(monkeypatch):
    """Each fitted model is a stand-in that remembers its rate; validation scores are made by hand."""
    made_up = {0.01: 0.50, 0.1: 0.90, 1.0: 0.70}
    fits = []

    def fake_fit(x, y, n_classes, lr, epochs, seed, **_):
        fits.append((lr, len(y)))
        return lr

    monkeypatch.setattr(probe_sgd, "fit_linear", fake_fit)
    monkeypatch.setattr(probe_sgd, "score", lambda lr, x, y: made_up[lr])
    x, y = blobs(100)
    result = probe_sgd.sgd_probe(x, y, x[:10], y[:10])
    assert result.lr == 0.1
    assert result.validation_accuracy == {"0.01": 0.5, "0.1": 0.9, "1.0": 0.7}
    # three rates on the fit part (80 of 100), then the chosen rate on all training features
    assert fits == [(0.01, 80), (0.1, 80), (1.0, 80), (0.1, 100)]


def test_a_tie_goes_to_the_smaller_rate(monkeypatch):
    monkeypatch.setattr(probe_sgd, "fit_linear", lambda x, y, n, lr, *a, **k: lr)
    monkeypatch.setattr(probe_sgd, "score", lambda lr, x, y: 0.8)
    x, y = blobs(50)
    assert probe_sgd.sgd_probe(x, y, x, y).lr == 0.01


def test_test_labels_never_influence_the_choice():
    x, y = blobs(400, spread=1.5)  # overlapping blobs: the rates score differently
    xt, yt = blobs(200, spread=1.5, seed=1)
    first = probe_sgd.sgd_probe(x, y, xt, yt)
    shuffled = yt[torch.randperm(len(yt), generator=torch.Generator().manual_seed(5))]
    second = probe_sgd.sgd_probe(x, y, xt, shuffled)
    assert second.lr == first.lr
    assert second.validation_accuracy == first.validation_accuracy
    assert second.accuracy != first.accuracy  # the test labels did change the test score


def test_deterministic_for_a_seed_and_the_seed_matters():
    x, y = blobs(400, spread=1.5)
    xt, yt = blobs(200, spread=1.5, seed=1)
    a = probe_sgd.sgd_probe(x, y, xt, yt, seed=3)
    b = probe_sgd.sgd_probe(x, y, xt, yt, seed=3)
    c = probe_sgd.sgd_probe(x, y, xt, yt, seed=4)
    assert a == b
    assert c.validation_accuracy != a.validation_accuracy  # another validation split


def test_a_diverged_model_scores_zero():
    x, y = blobs(20)
    model = probe_sgd.fit_linear(x, y, 4, lr=0.1, epochs=2, seed=0)
    assert probe_sgd.score(model, x, y) > 0.5
    model.weight[0, 0] = float("nan")
    assert probe_sgd.score(model, x, y) == 0.0


@pytest.mark.parametrize("n, epochs", [(100, 100), (10_000, 25), (50_000, 5), (1_000_000, 5)])
def test_epochs_follow_the_sample_budget(n, epochs):
    assert probe_sgd.probe_epochs(n) == epochs


def test_bench_run_with_the_sgd_probe_records_it(tmp_path):
    results = tmp_path / "runs.jsonl"
    assert main(["run", "--probe", "sgd", "--epochs", "1", "--width", "32", "--batch-size", "64", "--quiet",
                 "--proj-hidden", "32", "--queue-size", "64", "--results", str(results)]) == 0
    (record,) = read_records(results)
    probe = record["probe"]
    assert probe["kind"] == "sgd" and record["config"]["probe"] == "sgd"
    assert probe["lr"] in probe_sgd.LR_GRID and set(probe["validation_accuracy"]) == {"0.01", "0.1", "1.0"}
    assert 0.5 < probe["accuracy"] <= 1.0
    assert record["raw_probe"]["lr"] in probe_sgd.LR_GRID  # the raw-input reference uses the same protocol
