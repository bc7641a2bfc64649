"""A quick SGD linear probe on frozen features; NOT the paper's protocol (that is --probe official).

A linear classifier trained with SGD, momentum 0.9 and per-step cosine decay on standardised
cached features: a cheap, scale-free middle ground between the logistic probe and the official
linear evaluation (bench/evaluation/probe_official.py: raw features, 100 epochs, step decay, rates 1-70,
random crop + flip on CIFAR). Its learning rate is the one setting that matters, so a small grid
of rates is tried: each is trained on part of the training features and scored on a seeded
validation split of the *training* features (the same split the logistic probe uses); the best
rate is then trained again on all training features and only that model sees the test split.

Features are standardised with the statistics of the data each model is fitted on (the fit
part while choosing, all training features for the final model), so one rate grid suits
encoders whose features have very different scales. The features are cached tensors, so
training is a few thousand small matrix products: the number of epochs is bounded by a budget
of sample passes, which keeps a probe on 10,000 x 512 features to a few seconds on one CPU core.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from bench.evaluation.probe_result import ProbeResult, validation_split

LR_GRID = (0.01, 0.1, 1.0)
MOMENTUM = 0.9
BATCH_SIZE = 256
# Sample passes per model (the sweep's models and the final one: about 1M in all for three rates);
# epochs = budget // n_train, within the bounds below.
SAMPLE_BUDGET = 250_000
MIN_EPOCHS = 5
MAX_EPOCHS = 100


def probe_epochs(n_train: int, budget: int = SAMPLE_BUDGET) -> int:
    """Epochs for a training split of n_train samples: as many as the budget allows, 5 to 100."""
    return int(min(MAX_EPOCHS, max(MIN_EPOCHS, budget // max(1, n_train))))


class LinearModel:
    """Standardisation followed by a linear layer (weights, bias), as plain tensors."""

    def __init__(self, mean: Tensor, scale: Tensor, weight: Tensor, bias: Tensor):
        self.mean, self.scale, self.weight, self.bias = mean, scale, weight, bias

    def predict(self, x: Tensor) -> Tensor:
        return (((x - self.mean) / self.scale) @ self.weight + self.bias).argmax(1)


def fit_linear(x: Tensor, y: Tensor, n_classes: int, lr: float, epochs: int, seed: int,
               batch_size: int = BATCH_SIZE, momentum: float = MOMENTUM, weight_decay: float = 0.0) -> LinearModel:
    """Softmax regression by mini-batch SGD with momentum and per-step cosine decay.

    Weights start at zero (the problem is convex), batches come in a seeded order, and the
    gradient of the mean cross-entropy is written out, so the result depends only on the
    inputs and the seed.
    """
    x = x.float()
    mean = x.mean(0)
    scale = x.std(0, unbiased=False).clamp_min(1e-6)
    z = (x - mean) / scale
    n, d = z.shape
    weight = torch.zeros(d, n_classes)
    bias = torch.zeros(n_classes)
    velocity_w, velocity_b = torch.zeros_like(weight), torch.zeros_like(bias)
    onehot = torch.nn.functional.one_hot(y.long(), n_classes).float()
    generator = torch.Generator().manual_seed(seed)
    batch_size = min(batch_size, n)
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    step = 0
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            zb = z[index]
            error = (zb @ weight + bias).softmax(1) - onehot[index]  # d(mean CE)/d(logits) * batch
            grad_w = zb.T @ error / len(index) + weight_decay * weight
            grad_b = error.mean(0)
            rate = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            velocity_w.mul_(momentum).add_(grad_w)
            velocity_b.mul_(momentum).add_(grad_b)
            weight.sub_(rate * velocity_w)
            bias.sub_(rate * velocity_b)
            step += 1
        if not (torch.isfinite(weight).all() and torch.isfinite(bias).all()):
            break  # diverged: this rate is too large; it scores at chance level or below
    return LinearModel(mean, scale, weight, bias)


def score(model: LinearModel, x: Tensor, y: Tensor) -> float:
    if not (torch.isfinite(model.weight).all() and torch.isfinite(model.bias).all()):
        return 0.0
    return float((model.predict(x.float()) == y).double().mean())


def sgd_probe(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, seed: int = 0,
              lr_grid: tuple[float, ...] = LR_GRID, budget: int = SAMPLE_BUDGET) -> ProbeResult:
    """Linear classifier by SGD; the learning rate chosen on a validation split of the training data.

    The test split is used once, to score the final model.
    """
    y_all = train_y.long()
    n_classes = int(y_all.max()) + 1  # from training labels only; a class never seen is never predicted
    fit_index, val_index = (torch.from_numpy(i) for i in validation_split(y_all.numpy(), seed))
    epochs = probe_epochs(len(y_all), budget)
    scores = {}
    for lr in lr_grid:
        model = fit_linear(train_x[fit_index], y_all[fit_index], n_classes, lr, epochs, seed)
        scores[lr] = score(model, train_x[val_index], y_all[val_index])
    best = max(lr_grid, key=lambda lr: (scores[lr], -lr))  # ties: the smaller rate
    model = fit_linear(train_x, y_all, n_classes, best, epochs, seed)
    accuracy = score(model, test_x, test_y.long())
    return ProbeResult(accuracy, None, {str(lr): s for lr, s in scores.items()},
                       lr=best, epochs=epochs, batch_size=BATCH_SIZE, momentum=MOMENTUM)
