"""The machinery around the losses: EMA updates, the FIFO queue, and where gradients flow."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from bench.training.methods.byol import BYOL
from bench.training.methods.ema import ema_update, frozen_copy
from bench.training.methods.moco import MoCo
from bench.training.methods.queue import KeyQueue
from bench.training.mixing import Mix
from encoders.mlp import MLP


def test_ema_update_follows_the_formula():
    online, target = nn.Linear(2, 1), nn.Linear(2, 1)
    with torch.no_grad():
        online.weight.fill_(1.0), online.bias.fill_(2.0)
        target.weight.fill_(0.0), target.bias.fill_(-1.0)
    ema_update(target, online, momentum=0.9)
    assert target.weight.tolist() == [[pytest.approx(0.1), pytest.approx(0.1)]]
    assert target.bias.item() == pytest.approx(0.9 * -1.0 + 0.1 * 2.0)


def test_queue_is_first_in_first_out_and_wraps():
    queue = KeyQueue(size=5, dim=1)
    queue.push(torch.tensor([[1.0], [2.0], [3.0]]))
    queue.push(torch.tensor([[4.0], [5.0], [6.0]]))  # 6 overwrites the oldest entry, 1
    assert queue.keys.squeeze(1).tolist() == [6.0, 2.0, 3.0, 4.0, 5.0]
    assert int(queue.pointer) == 1
    queue.push(torch.tensor([[7.0]]))
    assert queue.keys.squeeze(1).tolist() == [6.0, 7.0, 3.0, 4.0, 5.0]


def _batch(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(8, 6, generator=g), torch.randn(8, 6, generator=g)


@pytest.mark.parametrize("method_name", ["moco", "byol"])
def test_no_gradient_reaches_the_ema_branch(method_name):
    torch.manual_seed(0)
    backbone = MLP(6, width=16, depth=1)
    if method_name == "moco":
        method = MoCo(backbone, 16, temperature=0.2, proj_hidden=16, proj_dim=8, momentum=0.9, queue_size=32)
        ema_modules = [method.key_backbone, method.key_projector]
    else:
        method = BYOL(backbone, 16, proj_hidden=16, proj_dim=8, momentum=0.9)
        ema_modules = [method.target_backbone, method.target_projector]
    query, key = _batch(1)
    mix = Mix(perm=torch.randperm(8), lam=torch.full((8,), 0.7))
    method.loss(query, key, mix, torch.zeros(8, dtype=torch.long)).backward()
    for module in ema_modules:
        for parameter in module.parameters():
            assert not parameter.requires_grad and parameter.grad is None
    assert all(p.grad is not None for p in method.backbone.parameters())


def test_moco_after_step_moves_keys_into_the_queue_and_updates_the_key_encoder():
    torch.manual_seed(0)
    method = MoCo(MLP(6, width=16, depth=1), 16, temperature=0.2, proj_hidden=16, proj_dim=8,
                  momentum=0.5, queue_size=32)
    before_key = [p.clone() for p in method.key_backbone.parameters()]
    with torch.no_grad():
        for p in method.backbone.parameters():
            p.add_(1.0)
    query, key = _batch(2)
    method.loss(query, key, Mix.identity(8), torch.zeros(8, dtype=torch.long))
    method.after_step()
    assert int(method.queue.pointer) == 8
    for old, new, online in zip(before_key, method.key_backbone.parameters(), method.backbone.parameters()):
        torch.testing.assert_close(new, 0.5 * old + 0.5 * online)


def test_frozen_copy_starts_equal_and_is_independent():
    module = nn.Linear(3, 3)
    clone = frozen_copy(module)
    torch.testing.assert_close(clone.weight, module.weight)
    with torch.no_grad():
        module.weight.add_(1.0)
    assert not torch.allclose(clone.weight, module.weight)
