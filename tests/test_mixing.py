"""MixUp, CutMix and InputMix: the coefficients they report are the ones they used."""

from __future__ import annotations

import torch

from bench.mixing import cutmix, input_mix, mixup
from bench.rng import Rng


def test_mixup_folds_lam_and_mixes_with_the_reported_partner():
    x = torch.randn(64, 3, 4, 4)
    mixed, mix = mixup(x, alpha=1.0, rng=Rng.from_seed(0))
    assert (mix.lam >= 0.5).all() and (mix.lam <= 1).all()
    assert mix.lam.unique().numel() > 1  # one coefficient per sample
    expected = mix.lam.view(-1, 1, 1, 1) * x + (1 - mix.lam.view(-1, 1, 1, 1)) * x[mix.perm]
    torch.testing.assert_close(mixed, expected)
    assert sorted(mix.perm.tolist()) == list(range(64))


def test_mixup_is_reproducible_from_the_seed():
    x = torch.randn(8, 5)
    a, mix_a = mixup(x, 1.0, Rng.from_seed(3))
    b, mix_b = mixup(x, 1.0, Rng.from_seed(3))
    torch.testing.assert_close(a, b)
    assert torch.equal(mix_a.perm, mix_b.perm)


def test_cutmix_lam_is_the_exact_kept_fraction():
    n, h, w = 16, 8, 10
    # each sample holds its own index everywhere, so every pixel says where it came from
    x = torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 2, h, w).contiguous()
    for seed in range(20):
        mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(seed))
        own = (mixed == x).float().mean(dim=(1, 2, 3))
        changed = mix.perm != torch.arange(n)
        torch.testing.assert_close(own[changed], mix.lam[changed])
        assert (mixed[changed] == x[mix.perm][changed]).float().mean(dim=(1, 2, 3)).add(own[changed]).allclose(
            torch.ones(int(changed.sum())))


def test_cutmix_on_one_dimensional_signals_cuts_a_window():
    x = torch.arange(4, dtype=torch.float32).view(4, 1, 1).expand(4, 1, 50).contiguous()
    mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(1))
    changed = mix.perm != torch.arange(4)
    kept = (mixed == x).float().mean(dim=(1, 2))
    torch.testing.assert_close(kept[changed], mix.lam[changed])


def test_input_mix_keeps_at_least_half_the_weight_on_the_original():
    n = 32
    x = torch.eye(n)  # row i is e_i: mixed[i, i] is the weight sample i kept (plus any self-pick)
    mixed = input_mix(x, Rng.from_seed(0))
    assert (mixed.diagonal() >= 0.5 - 1e-6).all()
    torch.testing.assert_close(mixed.sum(dim=1), torch.ones(n))
