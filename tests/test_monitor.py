"""The --eval-every monitor: a validation split carved from the training rows, never the test split."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from domains.base import Domain, DomainData, Split

from bench.evaluation.evaluate import MONITOR_SPLIT, Evaluator, monitor_rows
from bench.evaluation.probe import knn_accuracy


def test_monitor_rows_are_a_seeded_stratified_tenth_disjoint_from_the_bank():
    labels = torch.arange(200) % 4  # 50 rows per class
    bank, queries = monitor_rows(labels, seed=3)
    assert len(queries) == 20 and len(bank) == 180
    assert set(bank.tolist()).isdisjoint(queries.tolist()) and len(set(bank.tolist()) | set(queries.tolist())) == 200
    assert torch.bincount(labels[queries]).tolist() == [5, 5, 5, 5]  # stratified
    again, _ = monitor_rows(labels, seed=3)
    other, _ = monitor_rows(labels, seed=4)
    assert torch.equal(again, bank) and not torch.equal(other, bank)


class Identity(Domain):
    name, summary, datasets, default_encoder = "identity", "", {"x": ""}, "mlp"


def test_the_monitor_scores_training_rows_and_ignores_the_test_split():
    generator = torch.Generator().manual_seed(0)
    y = torch.arange(100) % 2
    x = torch.randn(100, 3, generator=generator) + 10 * (2 * y[:, None] - 1)  # two blobs on opposite sides of the origin (cosine kNN)
    # the test split's labels are all wrong: a monitor that read them would score 0
    test = Split(torch.randn(40, 3, generator=generator) + 10 * (2 * (torch.arange(40) % 2)[:, None] - 1),
                 1 - torch.arange(40) % 2)
    data = DomainData("x", Split(x, y), test, n_classes=2, input_shape=(3,))
    evaluator = Evaluator(nn.Identity(), Identity(), data, torch.device("cpu"), seed=1)
    entry = evaluator.validation_knn(epoch=2)
    bank, queries = monitor_rows(y, 1)
    assert entry == {"epoch": 2, "knn": pytest.approx(knn_accuracy(x[bank], y[bank], x[queries], y[queries], 2)),
                     "split": MONITOR_SPLIT, "n_validation": 10}
    assert entry["knn"] == 1.0 and evaluator.knn(2) == 0.0  # the test split, read only by the final kNN
