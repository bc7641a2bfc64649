"""Evaluation of frozen representations: a linear probe and a kNN classifier.

Nothing here looks at the test split until the final score: the probe's regularisation
is chosen on a validation split carved from the training data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import Tensor, nn

from domains.base import Domain

from .logistic import LogisticProblem, Standardiser

PROBE_C_GRID = (0.01, 0.1, 1.0, 10.0)  # inverse L2 strength of the logistic regression
VALIDATION_FRACTION = 0.2


@dataclass
class ProbeResult:
    """A probe's test accuracy and the setting it chose on validation (the accuracy of each candidate).

    The logistic probe chooses ``c``; the SGD and official probes choose ``lr`` and record their
    schedule. Settings a probe does not have are left out of the record.
    """

    accuracy: float
    c: float | None
    validation_accuracy: dict[str, float]
    lr: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    momentum: float | None = None
    milestones: list[int] | None = None  # official probe: epochs where the rate is multiplied by lr_decay
    lr_decay: float | None = None
    weight_decay: float | None = None

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


def validation_split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the fit and validation parts of a training split, stratified where every class
    has two samples; every probe chooses its setting on this same split."""
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    return train_test_split(np.arange(len(y)), test_size=VALIDATION_FRACTION, random_state=seed, stratify=stratify)


def linear_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
                 seed: int = 0, c_grid: tuple[float, ...] = PROBE_C_GRID,
                 device: torch.device | str = "cpu") -> ProbeResult:
    """Multinomial logistic regression on standardised features; C chosen on validation.

    scikit-learn's objective solved in torch on ``device`` (bench/logistic.py), the C grid
    walked from strong to weak regularisation with warm starts. The chosen C is refitted on
    the whole training split, starting from its validation-time solution, before the test score.
    """
    x, y = train_x.to(device).float(), train_y.to(device).long()
    n_classes = int(y.max()) + 1
    fit, val = (torch.from_numpy(i).to(device) for i in validation_split(y.cpu().numpy(), seed))
    standardise = Standardiser.fit(x[fit])
    problem = LogisticProblem(standardise(x[fit]), y[fit], n_classes)
    scores, models, model = {}, {}, None
    for c in sorted(c_grid):
        model = models[c] = problem.fit(c, start=model)
        scores[c] = model.score(standardise(x[val]), y[val])
    best = max(c_grid, key=lambda c: (scores[c], -c))  # ties: the stronger regularisation
    standardise = Standardiser.fit(x)
    model = LogisticProblem(standardise(x), y, n_classes, problem.spectrum).fit(best, start=models[best])
    accuracy = model.score(standardise(test_x.to(device).float()), test_y.to(device).long())
    return ProbeResult(accuracy, best, {str(c): scores[c] for c in c_grid})


@torch.no_grad()
def knn_accuracy(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, n_classes: int,
                 k: int = 200, temperature: float = 0.1, chunk: int = 1024) -> float:
    """Weighted kNN on cosine similarity (votes exp(s / T)), the protocol of InstDisc and MoCo."""
    k = min(k, train_x.shape[0])
    bank = torch.nn.functional.normalize(train_x.float(), dim=1)
    correct = 0
    for start in range(0, test_x.shape[0], chunk):
        queries = torch.nn.functional.normalize(test_x[start:start + chunk].float(), dim=1)
        similarity, neighbours = (queries @ bank.T).topk(k, dim=1, sorted=False)  # order is not needed
        votes = torch.zeros(queries.shape[0], n_classes)
        votes.scatter_add_(1, train_y[neighbours], (similarity / temperature).exp())
        correct += int((votes.argmax(1) == test_y[start:start + chunk]).sum())
    return correct / test_x.shape[0]


def sgd_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0) -> ProbeResult:
    """A quick SGD probe on standardised frozen features (not the paper's protocol); see bench/probe_sgd.py."""
    from .probe_sgd import sgd_probe as probe  # imported here: that module builds on ProbeResult above

    return probe(train_x, train_y, test_x, test_y, seed=seed)


def official_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0,
                   **options) -> ProbeResult:
    """The official i-Mix linear evaluation, lr chosen on validation; see bench/probe_official.py."""
    from .probe_official import official_probe as probe  # that module builds on ProbeResult above

    return probe(train_x, train_y, test_x, test_y, seed=seed, **options)


# --probe NAME -> the function; the SGD probes live in their own modules.
PROBE_FUNCTIONS = {"logistic": linear_probe, "sgd": sgd_probe, "official": official_probe}
