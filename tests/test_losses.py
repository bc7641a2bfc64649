"""Each loss against a hand-written reference on tiny tensors."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from bench.training.methods.byol import byol_loss
from bench.training.methods.moco import moco_loss
from bench.training.methods.ntxent import ntxent_loss
from bench.training.methods.simclr import npair_loss
from bench.training.methods.virtual_labels import mixed_cross_entropy
from bench.training.mixing import Mix


def unit(rows: int, dim: int, seed: int) -> torch.Tensor:
    return F.normalize(torch.randn(rows, dim, generator=torch.Generator().manual_seed(seed)), dim=1)


def test_mixed_cross_entropy_matches_hand_computed_numbers():
    # softmax([ln 3, 0]) = [0.75, 0.25]; softmax([0, 0]) = [0.5, 0.5]
    logits = torch.tensor([[math.log(3.0), 0.0], [0.0, 0.0]])
    labels = torch.tensor([0, 1])
    plain = mixed_cross_entropy(logits, labels, Mix.identity(2))
    assert plain.item() == pytest.approx((-math.log(0.75) - math.log(0.5)) / 2)
    mix = Mix(perm=torch.tensor([1, 0]), lam=torch.tensor([0.6, 1.0]))
    expected = (0.6 * -math.log(0.75) + 0.4 * -math.log(0.25) + -math.log(0.5)) / 2
    assert mixed_cross_entropy(logits, labels, mix).item() == pytest.approx(expected)


def test_npair_without_mixing_is_cross_entropy_over_keys():
    q, k = unit(6, 4, 0), unit(6, 4, 1)
    expected = F.cross_entropy(q @ k.T / 0.5, torch.arange(6))
    assert npair_loss(q, k, Mix.identity(6), 0.5).item() == pytest.approx(expected.item(), rel=1e-6)


def test_npair_with_mixing_is_lam_weighted_sum_of_two_cross_entropies():
    q, k = unit(5, 3, 2), unit(5, 3, 3)
    perm = torch.tensor([3, 0, 4, 1, 2])
    lam = torch.tensor([0.5, 0.9, 0.7, 1.0, 0.6])
    logits = q @ k.T / 0.2
    per_own = F.cross_entropy(logits, torch.arange(5), reduction="none")
    per_partner = F.cross_entropy(logits, perm, reduction="none")
    expected = (lam * per_own + (1 - lam) * per_partner).mean()
    assert npair_loss(q, k, Mix(perm, lam), 0.2).item() == pytest.approx(expected.item(), rel=1e-6)


def test_lam_one_gives_the_baseline_whatever_the_permutation():
    q, k = unit(4, 3, 4), unit(4, 3, 5)
    shuffled = Mix(perm=torch.tensor([2, 3, 0, 1]), lam=torch.ones(4))
    assert npair_loss(q, k, shuffled, 0.3).item() == pytest.approx(npair_loss(q, k, Mix.identity(4), 0.3).item())
    p, t = unit(4, 3, 6), unit(4, 3, 7)
    assert byol_loss(p, t, shuffled).item() == pytest.approx(byol_loss(p, t, Mix.identity(4)).item())


def test_ntxent_against_a_loop_over_anchors():
    z1, z2 = unit(3, 4, 8), unit(3, 4, 9)
    z, tau, n = torch.cat([z1, z2]), 0.5, 3
    total = 0.0
    for i in range(2 * n):
        positive = (i + n) % (2 * n)
        others = [j for j in range(2 * n) if j != i]
        denominator = sum(math.exp(float(z[i] @ z[j]) / tau) for j in others)
        total += -math.log(math.exp(float(z[i] @ z[positive]) / tau) / denominator)
    assert ntxent_loss(z1, z2, tau).item() == pytest.approx(total / (2 * n), rel=1e-5)


def test_moco_logits_put_batch_keys_first_then_the_queue():
    q, k, queue = unit(3, 4, 10), unit(3, 4, 11), unit(5, 4, 12)
    perm, lam = torch.tensor([1, 2, 0]), torch.tensor([0.8, 0.6, 1.0])
    logits = torch.cat([q @ k.T, q @ queue.T], dim=1) / 0.2
    assert logits.shape == (3, 8)
    own = F.cross_entropy(logits, torch.arange(3), reduction="none")
    partner = F.cross_entropy(logits, perm, reduction="none")
    expected = (lam * own + (1 - lam) * partner).mean()
    assert moco_loss(q, k, queue, Mix(perm, lam), 0.2).item() == pytest.approx(expected.item(), rel=1e-6)


def test_byol_mixed_target_similarity():
    p, t = unit(3, 4, 13), unit(3, 4, 14)
    perm, lam = torch.tensor([2, 0, 1]), torch.tensor([0.7, 0.5, 0.9])
    expected = sum(
        2 - 2 * (lam[i] * float(p[i] @ t[i]) + (1 - lam[i]) * float(p[i] @ t[perm[i]])) for i in range(3)
    ) / 3
    assert byol_loss(p, t, Mix(perm, lam)).item() == pytest.approx(float(expected), rel=1e-6)
    # identical unit vectors: the baseline loss is exactly zero
    assert byol_loss(p, p, Mix.identity(3)).item() == pytest.approx(0.0, abs=1e-6)


def test_moco_baseline_is_the_one_plus_k_formula_of_standard_moco_v2():
    q, k, queue, tau = unit(3, 4, 20), unit(3, 4, 21), unit(5, 4, 22), 0.2
    total = 0.0
    for i in range(3):  # -log exp(q_i.k_i/tau) / (exp(q_i.k_i/tau) + sum_j exp(q_i.queue_j/tau))
        positive = math.exp(float(q[i] @ k[i]) / tau)
        total += -math.log(positive / (positive + sum(math.exp(float(q[i] @ r) / tau) for r in queue)))
    loss = moco_loss(q, k, queue, Mix.identity(3), tau, negatives="queue")
    assert loss.item() == pytest.approx(total / 3, rel=1e-6)
    # on a second process (offset 3) its own keys are rows 3..5 of the gathered keys
    assert moco_loss(q, torch.cat([unit(3, 4, 23), k]), queue, Mix.identity(3), tau, offset=3,
                     negatives="queue").item() == pytest.approx(total / 3, rel=1e-6)
    with pytest.raises(ValueError, match="partner"):
        moco_loss(q, k, queue, Mix(torch.tensor([1, 2, 0]), torch.tensor([0.8, 0.6, 1.0])), tau, negatives="queue")


def test_moco_imix_arm_is_the_n_plus_k_formula_with_other_batch_keys_as_negatives():
    q, k, queue, tau = unit(3, 4, 30), unit(3, 4, 31), unit(5, 4, 32), 0.2
    perm, lam = torch.tensor([2, 0, 1]), torch.tensor([0.7, 0.5, 0.9])
    total = 0.0
    for i in range(3):
        denominator = sum(math.exp(float(q[i] @ r) / tau) for r in torch.cat([k, queue]))
        own = -math.log(math.exp(float(q[i] @ k[i]) / tau) / denominator)
        partner = -math.log(math.exp(float(q[i] @ k[perm[i]]) / tau) / denominator)
        total += float(lam[i]) * own + (1 - float(lam[i])) * partner
    loss = moco_loss(q, k, queue, Mix(perm, lam), tau, negatives="batch+queue")
    assert loss.item() == pytest.approx(total / 3, rel=1e-6)
