"""Each loss against a hand-written reference on tiny tensors."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from bench.methods.byol import byol_loss
from bench.methods.moco import moco_loss
from bench.methods.ntxent import ntxent_loss
from bench.methods.simclr import npair_loss
from bench.methods.virtual_labels import mixed_cross_entropy
from bench.mixing import Mix


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
