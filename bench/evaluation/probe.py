"""Evaluation of frozen representations: a linear probe and a kNN classifier.

Nothing here looks at the test split until the final score: the probe's regularisation
is chosen on a validation split carved from the training data.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from domains.base import Domain

from bench.evaluation.logistic import LogisticProblem, Standardiser
from bench.evaluation.probe_result import VALIDATION_FRACTION, ProbeResult, validation_split  # noqa: F401 (re-exported)

PROBE_C_GRID = (0.01, 0.1, 1.0, 10.0)  # inverse L2 strength of the logistic regression
KNN_K = 200  # neighbours of the kNN evaluation (InstDisc/MoCo); fewer where the training split is smaller


def knn_k(n_train: int) -> int:
    """The k the kNN evaluation uses on ``n_train`` training samples (stored in every record)."""
    return min(KNN_K, n_train)


@torch.no_grad()
def extract_features(backbone: nn.Module, domain: Domain, x: Tensor, device: torch.device,
                     batch_size: int = 1024) -> Tensor:
    """Backbone outputs of the clean (un-augmented) view, in eval mode, as float32 on the CPU."""
    was_training = backbone.training
    backbone.eval()
    chunks = [backbone(domain.preprocess(chunk.to(device))).float().cpu() for chunk in x.split(batch_size)]
    backbone.train(was_training)
    return torch.cat(chunks)


def linear_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor,
                 seed: int = 0, c_grid: tuple[float, ...] = PROBE_C_GRID,
                 device: torch.device | str = "cpu") -> ProbeResult:
    """Multinomial logistic regression on standardised features; C chosen on validation.

    scikit-learn's objective solved in torch on ``device`` (bench/evaluation/logistic.py), the C grid
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
                 k: int = KNN_K, temperature: float = 0.1, chunk: int = 1024) -> float:
    """Weighted kNN on cosine similarity (votes exp(s / T)), the protocol of InstDisc and MoCo; k is
    lowered to the number of training samples where there are fewer (``knn_k``)."""
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
    """A quick SGD probe on standardised frozen features (not the paper's protocol); see bench/evaluation/probe_sgd.py."""
    from bench.evaluation.probe_sgd import sgd_probe as probe  # imported when used, like the official probe

    return probe(train_x, train_y, test_x, test_y, seed=seed)


def official_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0,
                   **options) -> ProbeResult:
    """The official i-Mix linear evaluation, lr chosen on validation; see bench/evaluation/probe_official.py."""
    from bench.evaluation.probe_official import official_probe as probe  # imported when used: most runs never need it

    return probe(train_x, train_y, test_x, test_y, seed=seed, **options)


# --probe NAME -> the function; the SGD probes live in their own modules.
PROBE_FUNCTIONS = {"logistic": linear_probe, "sgd": sgd_probe, "official": official_probe}
