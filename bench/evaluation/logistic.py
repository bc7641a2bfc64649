"""Multinomial L2 logistic regression in torch: scikit-learn's objective, solved faster.

The objective is scikit-learn's LogisticRegression(C) (lbfgs, multinomial, intercept not
penalised): mean cross-entropy + ||W||^2 / (2 C n). It is solved by L-BFGS on the training
device, with two things that cut the number of passes over the data:

* preconditioning: the weights are solved for in the eigenbasis of the feature covariance,
  each direction scaled by 1 / sqrt(its estimated curvature) (an invertible change of
  variables, so the minimum is the same; only the path to it changes);
* warm starts: the C grid is walked from strong to weak regularisation, each fit starting from
  the previous solution, and the final refit starts from the chosen C's solution.

It stops where scikit-learn does: the largest gradient entry below 1e-4, or 500 iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

TOLERANCE = 1e-4
MAX_ITER = 500
HISTORY = 10
CURVATURE = 1.0  # scales the preconditioner; 1 took the fewest passes on Letter and Adult features


@dataclass
class Standardiser:
    """Feature mean and scale of the data a model is fitted on (zero-variance columns: scale 1)."""

    mean: Tensor
    scale: Tensor

    @classmethod
    def fit(cls, x: Tensor) -> "Standardiser":
        mean = x.mean(0)
        scale = (x - mean).square().mean(0).sqrt()  # population std; faster than Tensor.std on CPU
        return cls(mean, torch.where(scale > 0, scale, torch.ones_like(scale)))

    def __call__(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.scale


@dataclass
class Linear:
    weight: Tensor  # (features, classes)
    bias: Tensor  # (classes,)

    def predict(self, z: Tensor) -> Tensor:
        return (z @ self.weight + self.bias).argmax(1)

    def score(self, z: Tensor, y: Tensor) -> float:
        return float((self.predict(z) == y).double().mean())


class LogisticProblem:
    """One standardised training set; fit() solves it for one C (optionally warm-started).

    ``spectrum`` (eigenvalues, eigenvectors of the feature covariance) may be reused from a
    similar data set (the refit on all training data reuses the fit part's): it only shapes the
    path, never the minimum.
    """

    def __init__(self, z: Tensor, y: Tensor, n_classes: int, spectrum: tuple[Tensor, Tensor] | None = None) -> None:
        self.z = z.float()
        self.onehot = torch.nn.functional.one_hot(y.long(), n_classes).float()
        if spectrum is None:
            eigenvalues, basis = torch.linalg.eigh(self.z.T @ self.z / len(z))
            spectrum = (eigenvalues.clamp_min(0), basis)
        self.spectrum = spectrum

    def fit(self, c: float, start: Linear | None = None, tolerance: float = TOLERANCE,
            max_iter: int = MAX_ITER) -> Linear:
        n = len(self.z)
        reg = 1.0 / (c * n)
        eigenvalues, basis = self.spectrum
        # W = basis @ (scale * U): an invertible change of variables, so the same minimum
        scale = (CURVATURE * eigenvalues + reg).rsqrt()[:, None]
        u = torch.zeros(self.z.shape[1] + 1, self.onehot.shape[1], device=self.z.device)
        if start is not None:
            u[:-1] = (basis.T @ start.weight) / scale
            u[-1] = start.bias
        u.requires_grad_(True)
        optimiser = torch.optim.LBFGS([u], lr=1, max_iter=max_iter, max_eval=2 * max_iter,
                                      tolerance_grad=tolerance, tolerance_change=1e-12,
                                      history_size=HISTORY, line_search_fn="strong_wolfe")

        def closure() -> Tensor:  # loss and gradient written out: no autograd graph per step
            v = u.detach()
            weight = basis @ (v[:-1] * scale)
            log_p = (self.z @ weight + v[-1]).log_softmax(1)
            error = (log_p.exp() - self.onehot) / n
            loss = -(log_p * self.onehot).sum() / n + 0.5 * reg * weight.square().sum()
            grad = torch.empty_like(v)
            grad[:-1] = scale * (basis.T @ (self.z.T @ error + reg * weight))
            grad[-1] = error.sum(0)
            u.grad = grad
            return loss

        optimiser.step(closure)
        v = u.detach()
        return Linear(basis @ (v[:-1] * scale), v[-1].clone())
