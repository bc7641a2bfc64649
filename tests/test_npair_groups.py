"""--npair-group on one process: each group is mixed, encoded (its own BatchNorm statistics) and
contrasted on its own; tests/test_distributed.py checks it equals two processes of half the batch."""

from __future__ import annotations

import pytest
import torch

from bench.core.errors import UserError
from bench.core.rng import Rng
from bench.training.mixing import Mix
from bench.training.npair_groups import check_group
from bench.training.step_loss import StepLoss
from train_helpers import build, tiny_config, train


def test_the_grouped_loss_is_the_mean_of_each_group_on_its_own():
    x = torch.randn(16, 64, generator=torch.Generator().manual_seed(3))
    key = x + 0.1 * torch.randn(16, 64, generator=torch.Generator().manual_seed(4))
    labels = torch.zeros(16, dtype=torch.long)
    grouped_cfg = tiny_config(method="simclr", npair_group=4)
    method = build(grouped_cfg, (64,), n_train=128)
    grouped = StepLoss(method, None, grouped_cfg, Rng.from_seed(0))(x, key, labels)
    alone = [method.loss(x[i:i + 4], key[i:i + 4], Mix.identity(4), labels[:4]) for i in range(0, 16, 4)]
    assert grouped.item() == pytest.approx(torch.stack(alone).mean().item(), rel=1e-6)
    whole = StepLoss(build(tiny_config(method="simclr"), (64,), n_train=128), None, tiny_config(method="simclr"),
                     Rng.from_seed(0))(x, key, labels)
    assert abs(whole.item() - grouped.item()) > 0.1  # 16-way over one BatchNorm batch is another loss


def test_a_group_that_does_not_divide_the_batch_is_refused_with_divisors():
    check_group(None, 30)
    check_group(64, 32)  # a group as large as the batch is the batch
    with pytest.raises(UserError, match=r"--npair-group 7 does not split the per-process batch of 32.*8, 16"):
        check_group(7, 32)


def test_a_grouped_run_trains():
    _, stats = train(tiny_config(method="simclr", imix=True, npair_group=16, epochs=1))
    assert len(stats.epoch_losses) == 1 and stats.epoch_losses[0] > 0
