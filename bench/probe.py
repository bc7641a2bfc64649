"""Evaluation of frozen representations: a linear probe and a kNN classifier.

Nothing here looks at the test split until the final score: the probe's regularisation
is chosen on a validation split carved from the training data.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import Tensor, nn

from domains.base import Domain

PROBE_C_GRID = (0.01, 0.1, 1.0, 10.0)  # inverse L2 strength of the logistic regression
VALIDATION_FRACTION = 0.2


@dataclass
class ProbeResult:
    """A probe's test accuracy and the setting it chose on validation (the accuracy of each candidate).

    The logistic probe chooses ``c``; the SGD probe chooses ``lr`` and records its schedule.
    Settings a probe does not have are left out of the record.
    """

    accuracy: float
    c: float | None
    validation_accuracy: dict[str, float]
    lr: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    momentum: float | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@torch.no_grad()
def extract_features(backbone: nn.Module, domain: Domain, x: Tensor, device: torch.device,
                     batch_size: int = 1024) -> Tensor:
    """Backbone outputs of the clean (un-augmented) view, in eval mode, as float32 on the CPU."""
    was_training = backbone.training
    backbone.eval()
    chunks = [backbone(domain.preprocess(chunk.to(device))).float().cpu() for chunk in x.split(batch_size)]
    backbone.train(was_training)
    return torch.cat(chunks)


def _fit_logistic(x: np.ndarray, y: np.ndarray, c: float) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=500)
    with warnings.catch_warnings():
        # A probe that stops at max_iter is still a fair, deterministic measurement.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(scaler.transform(x), y)
    return scaler, model


def validation_split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the fit and validation parts of a training split, stratified where every class
    has two samples; every probe chooses its setting on this same split."""
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    return train_test_split(np.arange(len(y)), test_size=VALIDATION_FRACTION, random_state=seed, stratify=stratify)


def linear_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
                 seed: int = 0, c_grid: tuple[float, ...] = PROBE_C_GRID) -> ProbeResult:
    """Multinomial logistic regression on standardised features; C chosen on validation.

    The chosen C is refitted on the whole training split before the test score.
    """
    x, y = train_x.numpy(), train_y.numpy()
    fit, val = validation_split(y, seed)
    x_fit, x_val, y_fit, y_val = x[fit], x[val], y[fit], y[val]
    scores = {}
    for c in c_grid:
        scaler, model = _fit_logistic(x_fit, y_fit, c)
        scores[c] = float(model.score(scaler.transform(x_val), y_val))
    best = max(c_grid, key=lambda c: (scores[c], -c))  # ties: the stronger regularisation
    scaler, model = _fit_logistic(x, y, best)
    accuracy = float(model.score(scaler.transform(test_x.numpy()), test_y.numpy()))
    return ProbeResult(accuracy, best, {str(c): s for c, s in scores.items()})


@torch.no_grad()
def knn_accuracy(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, n_classes: int,
                 k: int = 200, temperature: float = 0.1, chunk: int = 1024) -> float:
    """Weighted kNN on cosine similarity (votes exp(s / T)), the protocol of InstDisc and MoCo."""
    k = min(k, train_x.shape[0])
    bank = torch.nn.functional.normalize(train_x.float(), dim=1)
    correct = 0
    for start in range(0, test_x.shape[0], chunk):
        queries = torch.nn.functional.normalize(test_x[start:start + chunk].float(), dim=1)
        similarity, neighbours = (queries @ bank.T).topk(k, dim=1)
        votes = torch.zeros(queries.shape[0], n_classes)
        votes.scatter_add_(1, train_y[neighbours], (similarity / temperature).exp())
        correct += int((votes.argmax(1) == test_y[start:start + chunk]).sum())
    return correct / test_x.shape[0]


def sgd_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0) -> ProbeResult:
    """The paper's protocol (SGD on the frozen features); see bench/probe_sgd.py."""
    from .probe_sgd import sgd_probe as probe  # imported here: that module builds on ProbeResult above

    return probe(train_x, train_y, test_x, test_y, seed=seed)


# --probe NAME -> the function; the paper's SGD protocol lives in its own module.
PROBE_FUNCTIONS = {"logistic": linear_probe, "sgd": sgd_probe}
