"""The torch logistic probe solves scikit-learn's problem: same C, same accuracy, same weights."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from bench.evaluation.logistic import LogisticProblem, Standardiser
from bench.evaluation.probe import PROBE_C_GRID, linear_probe, validation_split


def overlapping_blobs(n: int, seed: int, d: int = 12, k: int = 4):
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % k
    x = torch.randn(n, d, generator=g) * torch.linspace(0.5, 3, d)  # columns on different scales
    x[torch.arange(n), y] += 1.5
    return x, y


def sklearn_probe(x, y, xt, yt, seed=0):
    """The previous implementation (scikit-learn L-BFGS, refit from scratch), inline."""
    x, y = x.numpy(), y.numpy()
    fit, val = validation_split(y, seed)
    scores = {}
    for c in PROBE_C_GRID:
        scaler = StandardScaler().fit(x[fit])
        model = LogisticRegression(C=c, max_iter=500).fit(scaler.transform(x[fit]), y[fit])
        scores[c] = model.score(scaler.transform(x[val]), y[val])
    best = max(PROBE_C_GRID, key=lambda c: (scores[c], -c))
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=best, max_iter=500).fit(scaler.transform(x), y)
    return model.score(scaler.transform(xt.numpy()), yt.numpy()), best, scores


def test_same_choice_and_accuracy_as_the_sklearn_probe():
    x, y = overlapping_blobs(600, seed=0)
    xt, yt = overlapping_blobs(400, seed=1)
    accuracy, best, scores = sklearn_probe(x, y, xt, yt)
    result = linear_probe(x, y, xt, yt)
    assert result.c == best
    assert abs(result.accuracy - accuracy) <= 0.005  # 2 of 400 test samples
    for c in PROBE_C_GRID:
        assert abs(result.validation_accuracy[str(c)] - scores[c]) <= 0.01


def test_weights_match_sklearn_at_one_c():
    x, y = overlapping_blobs(500, seed=2)
    z = Standardiser.fit(x)(x)
    ours = LogisticProblem(z, y, 4).fit(0.1)
    reference = LogisticRegression(C=0.1, max_iter=1000, tol=1e-8).fit(z.numpy(), y.numpy())
    assert np.allclose(ours.weight.T.numpy(), reference.coef_, atol=2e-3)
    assert np.allclose(ours.bias.numpy(), reference.intercept_, atol=2e-3)


def test_a_warm_start_reaches_the_same_solution():
    x, y = overlapping_blobs(300, seed=3)
    problem = LogisticProblem(Standardiser.fit(x)(x), y, 4)
    cold = problem.fit(1.0)
    warm = problem.fit(1.0, start=problem.fit(0.01))
    assert torch.allclose(cold.weight, warm.weight, atol=2e-3)
