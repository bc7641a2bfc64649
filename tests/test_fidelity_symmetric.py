"""The symmetric loss against a re-implementation of the official builder.py ``Builder.forward`` with --sym.

Official: for (im_1, im_2) and then (im_2, im_1), mix the query, update the key encoder by EMA, encode
the key, score against the queue as it is now, enqueue the key, and *add* the two losses. The suite
runs direction 1, then ``between_directions`` (queue push, EMA), then direction 2; the EMA the official
code does before direction 1 is the suite's ``after_step`` of the step before.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch.nn import functional as F

from bench.core.rng import Rng
from bench.training.methods.ema import ema_update
from bench.training.mixing import Mix
from bench.training.step_loss import StepLoss
from train_helpers import build, tiny_config

N, FEATURES, MOMENTUM = 8, 64, 0.9


def fixed_pairs():
    g = torch.Generator().manual_seed(5)
    im_1, im_2 = torch.randn(N, FEATURES, generator=g), torch.randn(N, FEATURES, generator=g)
    pairs = [(torch.randperm(N, generator=g), 0.5 + 0.5 * torch.rand(N, generator=g)) for _ in range(2)]
    return im_1, im_2, pairs


def official_sym_moco(encoder_q, encoder_k, queue: torch.Tensor, im_1, im_2, pairs, temperature: float):
    """builder.py's loop for method mocon (MoCo's i-Mix arm), --sym, i-Mix by MixUp with the given
    (randind, lam) per direction. ``queue`` is (K, D), oldest first; returns (loss, queue after)."""
    total, queue = 0.0, queue.clone()
    for s, (im_q, im_k) in enumerate([(im_1, im_2), (im_2, im_1)]):
        randind, lam = pairs[s]
        mixed = lam[:, None] * im_q + (1 - lam[:, None]) * im_q[randind]
        q = F.normalize(encoder_q(mixed), dim=1)
        with torch.no_grad():
            for p_q, p_k in zip(encoder_q.parameters(), encoder_k.parameters()):
                p_k.data = p_k.data * MOMENTUM + p_q.data * (1.0 - MOMENTUM)
            k = F.normalize(encoder_k(im_k), dim=1)
        logits = torch.mm(q, torch.cat([k, queue]).t()) / temperature
        labels = torch.arange(N)
        loss = (lam * F.cross_entropy(logits, labels, reduction="none")
                + (1 - lam) * F.cross_entropy(logits, randind, reduction="none")).mean()
        queue = torch.cat([queue[N:], k])  # enqueue over the oldest N (qlen a multiple of N)
        total = total + loss
    return total, queue


def fixed_mixer(pairs):
    calls = iter(pairs)

    def mixer(x, alpha, rng):
        perm, lam = next(calls)
        return lam[:, None] * x + (1 - lam[:, None]) * x[perm], Mix(perm=perm, lam=lam)

    return mixer


def test_moco_symmetric_sum_is_the_official_sym_loop():
    cfg = tiny_config(method="moco", imix=True, symmetric=True, ema=MOMENTUM, queue_size=4 * N)
    assert cfg.symmetric_loss == "sum"  # the official form is the default
    method = build(cfg, (FEATURES,), n_train=128)
    with torch.no_grad():  # a key encoder that differs from the online one, so every EMA update shows
        for p in [*method.key_backbone.parameters(), *method.key_projector.parameters()]:
            p.add_(0.1 * torch.randn_like(p))
    encoder_q = torch.nn.Sequential(copy.deepcopy(method.backbone), copy.deepcopy(method.projector))
    encoder_k = torch.nn.Sequential(copy.deepcopy(method.key_backbone), copy.deepcopy(method.key_projector))
    queue_before = method.queue.keys.clone()  # pointer 0: the oldest keys come first
    im_1, im_2, pairs = fixed_pairs()
    want, want_queue = official_sym_moco(encoder_q, encoder_k, queue_before, im_1, im_2, pairs, cfg.temperature)
    want.backward()

    # the official first EMA happens at the start of its step; the suite's after the previous step
    ema_update(method.key_backbone, method.backbone, MOMENTUM)
    ema_update(method.key_projector, method.projector, MOMENTUM)
    loss = StepLoss(method, fixed_mixer(pairs), cfg, Rng.from_seed(0))(im_1, im_2, torch.zeros(N, dtype=torch.long))
    loss.backward()
    assert loss.item() == pytest.approx(want.item(), rel=1e-5)
    online = [*method.backbone.parameters(), *method.projector.parameters()]
    for got, official in zip(online, encoder_q.parameters()):
        torch.testing.assert_close(got.grad, official.grad, atol=1e-5, rtol=1e-5)
    for got, official in zip([*method.key_backbone.parameters(), *method.key_projector.parameters()],
                             encoder_k.parameters()):
        torch.testing.assert_close(got, official)  # two EMA updates before the second direction's keys
    method.after_step()
    torch.testing.assert_close(method.queue.keys[:2 * N], want_queue[-2 * N:])  # both directions' keys, in order


def test_the_earlier_mean_form_is_half_the_sum_without_the_update_between():
    im_1, im_2, pairs = fixed_pairs()
    losses = {}
    for form in ("sum", "mean"):
        cfg = tiny_config(method="simclr", imix=True, symmetric=True, symmetric_loss=form)
        method = build(cfg, (FEATURES,), n_train=128)
        losses[form] = StepLoss(method, fixed_mixer(pairs), cfg, Rng.from_seed(0))(
            im_1, im_2, torch.zeros(N, dtype=torch.long)).item()
    # N-pair has no EMA or queue: the two forms differ by the factor 2 only
    assert losses["sum"] == pytest.approx(2 * losses["mean"], rel=1e-6)
    assert tiny_config(symmetric=False, symmetric_loss="mean").symmetric_loss is None  # no effect without --symmetric
