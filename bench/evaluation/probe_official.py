"""The official i-Mix linear evaluation (kibok90/imix main_lincls.py), with the lr chosen on validation.

What the official code does, and this probe repeats:

* the backbone is frozen and in eval mode; the classifier is one linear layer on the raw
  backbone features (no standardisation, no BatchNorm), weights drawn from N(0, 0.01), bias 0;
* SGD with momentum 0.9 and no weight decay, batch 256 with the last partial batch dropped,
  100 epochs, the rate multiplied by 0.2 at epochs 80, 90 and 95;
* every rate of {1, 3, 5, 10, 30, 50, 70} x B/256 is trained (main_pretext.py's lincls loop);
* the training batches are a random view where the official code has one: CIFAR pads by 4,
  crops 32x32 and flips (the domain supplies this view, see ``Domain.linear_eval_view``);
  speech and tables train on the clean inputs, so their features are computed once.

The one deliberate difference: the official code reports the test accuracy of each rate and
the paper takes the best, which chooses a setting on test. Here each rate is trained on the fit
part of the shared validation split of the training data and scored on its validation part
(clean view, as the official evaluation); the best rate is trained again on all training data,
and only that model sees the test split.

All rates are trained side by side on the same batches (and the same random views), which
equals seven separate runs with one seed and costs one backbone pass per batch instead of seven.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

from domains.base import Domain

from bench.evaluation.probe_result import ProbeResult, validation_split

BASE_LR_GRID = (1.0, 3.0, 5.0, 10.0, 30.0, 50.0, 70.0)  # given at batch 256, scaled by B/256
EPOCHS = 100
MILESTONES = (80, 90, 95)
DECAY = 0.2
BATCH_SIZE = 256
MOMENTUM = 0.9
WEIGHT_DECAY = 0.0  # the official default; kept as a named constant so the record can say so
INIT_STD = 0.01

# training indices (on the CPU) and a generator -> the features of their train-time view
TrainView = Callable[[Tensor, torch.Generator], Tensor]


def lr_grid(batch_size: int = BATCH_SIZE, base: tuple[float, ...] = BASE_LR_GRID) -> tuple[float, ...]:
    """The official rates, scaled linearly with the batch size (main_lincls.py: lr * B / 256)."""
    return tuple(lr * batch_size / 256 for lr in base)


def learning_rate(base_lr: float, epoch: int, milestones: tuple[int, ...] = MILESTONES, decay: float = DECAY) -> float:
    """The rate of a 0-based epoch: x decay at every milestone reached (epoch >= milestone)."""
    return base_lr * decay ** sum(epoch >= m for m in milestones)


def train_heads(view: TrainView, y: Tensor, index: Tensor, n_classes: int, dim: int, lrs: tuple[float, ...],
                seed: int, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
                device: torch.device | str = "cpu") -> tuple[Tensor, Tensor]:
    """One linear classifier per rate, trained together on the training samples ``index``.

    Returns weights (rates, dim, classes) and biases (rates, classes) on the CPU. A rate that
    diverges keeps non-finite weights and stops updating; it then scores 0.
    """
    generator = torch.Generator().manual_seed(seed)
    heads = len(lrs)
    weight = (INIT_STD * torch.randn(dim, n_classes, generator=generator)).to(device).repeat(heads, 1, 1)
    bias = torch.zeros(heads, n_classes, device=device)
    velocity_w, velocity_b = torch.zeros_like(weight), torch.zeros_like(bias)
    base = torch.tensor(lrs, device=device)
    alive = torch.ones(heads, dtype=torch.bool, device=device)
    batch_size = min(batch_size, len(index))  # a tiny split still trains (official: drop_last)
    for epoch in range(epochs):
        rate = torch.where(alive, base * learning_rate(1.0, epoch), torch.zeros_like(base))
        order = index[torch.randperm(len(index), generator=generator)]
        for start in range(0, len(order) - batch_size + 1, batch_size):  # drop_last, as the official loader
            batch = order[start:start + batch_size]
            features = view(batch, generator).to(device).float()
            target = nn.functional.one_hot(y[batch].to(device).long(), n_classes).float()
            logits = torch.einsum("nd,hdc->hnc", features, weight) + bias[:, None]
            error = (logits.softmax(2) - target) / len(batch)  # d(mean cross-entropy)/d(logits)
            velocity_w.mul_(MOMENTUM).add_(torch.einsum("nd,hnc->hdc", features, error) + WEIGHT_DECAY * weight)
            velocity_b.mul_(MOMENTUM).add_(error.sum(1))
            weight.sub_(rate.view(-1, 1, 1) * velocity_w)
            bias.sub_(rate.view(-1, 1) * velocity_b)
        alive &= torch.isfinite(weight).flatten(1).all(1) & torch.isfinite(bias).all(1)
    return weight.cpu(), bias.cpu()


def accuracies(weight: Tensor, bias: Tensor, x: Tensor, y: Tensor) -> list[float]:
    """Accuracy of each head on clean features; a diverged head scores 0."""
    x = x.float()
    scores = []
    for w, b in zip(weight, bias):
        finite = bool(torch.isfinite(w).all() and torch.isfinite(b).all())
        scores.append(float(((x @ w + b).argmax(1) == y).double().mean()) if finite else 0.0)
    return scores


def cached_view(features: Tensor) -> TrainView:
    """The train-time view of a domain without random views: the clean features, computed once."""
    return lambda index, generator: features[index]


def official_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0,
                   view: TrainView | None = None, batch_size: int = BATCH_SIZE, epochs: int = EPOCHS,
                   base_lrs: tuple[float, ...] = BASE_LR_GRID, device: torch.device | str = "cpu") -> ProbeResult:
    """The official linear evaluation; the rate chosen on a validation split, test scored once.

    ``train_x``/``test_x`` are clean-view features; ``view`` gives the train-time view of a
    training batch (default: the clean features). Ties go to the smaller rate.
    """
    y = train_y.long()
    n_classes = int(y.max()) + 1  # from training labels only
    fit, val = (torch.from_numpy(i) for i in validation_split(y.numpy(), seed))
    view = view or cached_view(train_x)
    lrs = lr_grid(batch_size, base_lrs)
    dim = train_x.shape[1]
    weight, bias = train_heads(view, y, fit, n_classes, dim, lrs, seed, epochs, batch_size, device)
    scores = dict(zip(lrs, accuracies(weight, bias, train_x[val], y[val])))
    best = max(lrs, key=lambda lr: (scores[lr], -lr))
    weight, bias = train_heads(view, y, torch.arange(len(y)), n_classes, dim, (best,), seed, epochs, batch_size, device)
    accuracy = accuracies(weight, bias, test_x, test_y.long())[0]
    return ProbeResult(accuracy, None, {f"{lr:g}": s for lr, s in scores.items()}, lr=best, epochs=epochs,
                       batch_size=batch_size, momentum=MOMENTUM, milestones=list(MILESTONES), lr_decay=DECAY,
                       weight_decay=WEIGHT_DECAY)


def train_view(backbone: nn.Module, domain: Domain, train_x: Tensor, device: torch.device) -> TrainView | None:
    """The backbone's features of the domain's train-time view, or None where that is the clean view."""
    if not domain.linear_eval_augments:
        return None

    @torch.no_grad()
    def features(index: Tensor, generator: torch.Generator) -> Tensor:
        backbone.eval()  # frozen: BatchNorm statistics must not move (main_lincls.py's note)
        return backbone(domain.linear_eval_view(train_x[index].to(device), generator)).float()

    return features
