"""One run's evaluation: features extracted once per model state, shared, and every part timed.

The kNN monitor (--eval-every) and the final probe and kNN all look at the same frozen
backbone features, extracted once per epoch they look at. The monitor never sees the test
split: it classifies a seeded, stratified tenth of the *training* rows (``MONITOR_FRACTION``)
by kNN against the other nine tenths, so a curve drawn from it can guide choices (a length, a
temperature) without touching the number a table reports. Pretraining itself still uses every
training row: self-supervised methods read no labels, so holding those rows out of the kNN
bank is enough (with ``--method supervised`` the monitor is optimistic, as any train-set
score). The seconds spent extracting features, in kNN and in the probe are summed here and
written to the record beside train_seconds.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from torch import Tensor, nn

from domains.base import Domain, DomainData

from bench.evaluation.probe import PROBE_FUNCTIONS, ProbeResult, extract_features, knn_accuracy

MONITOR_FRACTION = 0.1  # of the training rows, held out of the monitor's kNN bank as its queries
MONITOR_SPLIT = "validation"  # stored in each monitor entry; entries without it measured the test split


def monitor_rows(labels: Tensor, seed: int) -> tuple[Tensor, Tensor]:
    """The kNN bank and the held-out query rows of the monitor: a seeded stratified
    ``MONITOR_FRACTION`` of the training rows (scikit-learn's split, as the kit's --test-size)."""
    from domains.kit.split import stratified_split

    bank, queries, _ = stratified_split(labels.cpu().numpy(), MONITOR_FRACTION, seed, flag="the monitor's split")
    return torch.as_tensor(bank).sort().values, torch.as_tensor(queries).sort().values


class Evaluator:
    def __init__(self, backbone: nn.Module, domain: Domain, data: DomainData, device: torch.device,
                 seed: int = 0) -> None:
        self.backbone, self.domain, self.data, self.device, self.seed = backbone, domain, data, device, seed
        self.seconds = {"feature_seconds": 0.0, "knn_seconds": 0.0, "probe_seconds": 0.0}
        self._state: int | None = None  # the epoch the cached features were taken after
        self._features: tuple[Tensor, Tensor] | None = None
        self._knn: float | None = None

    def _timed(self, key: str, started: float) -> None:
        self.seconds[key] += time.perf_counter() - started

    def features(self, epoch: int) -> tuple[Tensor, Tensor]:
        """Train and test features of the backbone as it is after ``epoch`` (cached for that epoch)."""
        if self._state != epoch or self._features is None:
            started = time.perf_counter()
            self._features = (extract_features(self.backbone, self.domain, self.data.train.x, self.device),
                              extract_features(self.backbone, self.domain, self.data.test.x, self.device))
            self._state, self._knn = epoch, None
            self._timed("feature_seconds", started)
        return self._features

    def knn(self, epoch: int) -> float:
        train, test = self.features(epoch)
        if self._knn is None:
            started = time.perf_counter()
            self._knn = knn_accuracy(train, self.data.train.y, test, self.data.test.y, self.data.n_classes)
            self._timed("knn_seconds", started)
        return self._knn

    def validation_knn(self, epoch: int) -> dict[str, Any]:
        """The monitor's entry: kNN accuracy of the held-out training rows against the others."""
        train, _ = self.features(epoch)
        bank, queries = monitor_rows(self.data.train.y, self.seed)
        y = self.data.train.y
        started = time.perf_counter()
        accuracy = knn_accuracy(train[bank], y[bank], train[queries], y[queries], self.data.n_classes)
        self._timed("knn_seconds", started)
        return {"epoch": epoch, "knn": accuracy, "split": MONITOR_SPLIT, "n_validation": len(queries)}

    def probe(self, name: str, seed: int, epoch: int) -> ProbeResult:
        train, test = self.features(epoch)
        started = time.perf_counter()
        result = PROBE_FUNCTIONS[name](train, self.data.train.y, test, self.data.test.y, seed=seed,
                                       **self._probe_options(name, self.backbone))
        self._timed("probe_seconds", started)
        return result

    def raw_probe(self, name: str, seed: int) -> dict[str, Any]:
        """The probe on the raw inputs (an identity "backbone"; same chunked path as the features), or on
        the domain's own raw features where it has them (text: TF-IDF; ``Domain.raw_features``)."""
        started = time.perf_counter()
        own = self.domain.raw_features(self.data) if hasattr(self.domain, "raw_features") else None
        if own is not None:
            raw_train, raw_test = own
        else:
            raw_train = extract_features(nn.Flatten(), self.domain, self.data.train.x, self.device)
            raw_test = extract_features(nn.Flatten(), self.domain, self.data.test.x, self.device)
        self._timed("feature_seconds", started)
        started = time.perf_counter()
        result = PROBE_FUNCTIONS[name](raw_train, self.data.train.y, raw_test, self.data.test.y, seed=seed,
                                       **self._probe_options(name, nn.Flatten()))
        self._timed("probe_seconds", started)
        return result.to_dict()

    def _probe_options(self, name: str, backbone: nn.Module) -> dict[str, Any]:
        if name == "logistic":
            return {"device": self.device}
        if name == "official":
            from bench.evaluation.probe_official import train_view

            return {"device": self.device,
                    "view": train_view(backbone, self.domain, self.data.train.x, self.device)}
        return {}
