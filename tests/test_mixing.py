"""MixUp, CutMix and InputMix: the coefficients they report are the ones they used."""

from __future__ import annotations

import pytest
import torch

from bench.training.mixing import cutmix, input_mix, mixup
from bench.core.rng import Rng


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


def test_cutmix_folds_lam_so_the_own_sample_keeps_at_least_half():
    # The official box is at most the truncated cut side long, so the kept fraction is at least
    # the folded lam >= 0.5; on 32 x 32 the largest box is 22 x 22 (int(32 * sqrt(0.5)) = 22):
    # kept >= 1 - 484/1024 = 0.527. Unfolded Beta(1, 1) draws reach lam < 0.1 in about 1 of 10 batches.
    lams_2d = [cutmix(torch.zeros(2, 1, 32, 32), 1.0, Rng.from_seed(s))[1].lam[0].item() for s in range(300)]
    lams_1d = [cutmix(torch.zeros(2, 1, 50), 1.0, Rng.from_seed(s))[1].lam[0].item() for s in range(300)]
    assert min(lams_2d) >= 1 - 22 * 22 / 1024 - 1e-6 and min(lams_1d) >= 0.5
    assert min(lams_2d) < 0.6 and max(lams_2d) > 0.99  # the whole folded range is used


def test_the_earlier_rounded_box_can_cut_more_than_half():
    # The rounded side holds at most (0.7071 S + 0.5)^2 of S^2 values: lam >= 0.5 - sqrt(2)/S - 1/(4 S^2)
    # (S=32: 0.4777); in 1-D the window is at most 0.5 L + 0.5 long: lam >= 0.5 - 1/(2L) (L=50: 0.49).
    lams_2d = [cutmix(torch.zeros(2, 1, 32, 32), 1.0, Rng.from_seed(s), box="rounded")[1].lam[0].item()
               for s in range(2000)]
    lams_1d = [cutmix(torch.zeros(2, 1, 50), 1.0, Rng.from_seed(s), box="rounded")[1].lam[0].item()
               for s in range(300)]
    assert 0.5 - 2 ** 0.5 / 32 - 1 / (4 * 32 ** 2) <= min(lams_2d) < 0.5
    assert min(lams_1d) >= 0.5 - 1 / 100


def test_cutmix_cuts_a_window_from_the_partner_and_leaves_the_rest():
    n, h, w = 6, 12, 9
    x = torch.arange(n * 2 * h * w, dtype=torch.float32).view(n, 2, h, w)  # every value unique
    mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(4))
    cut = mixed[0, 0] != x[0, 0] if mix.perm[0] != 0 else mixed[1, 0] != x[1, 0]
    assert mix.lam[0] < 1 and cut.any()  # a window really was cut
    rows, cols = cut.any(1).nonzero().squeeze(1), cut.any(0).nonzero().squeeze(1)
    box = torch.zeros(h, w, dtype=torch.bool)
    box[rows.min():rows.max() + 1, cols.min():cols.max() + 1] = True
    assert torch.equal(cut, box)  # one solid rectangle
    inside = box.expand(n, 2, h, w)
    assert torch.equal(mixed[inside], x[mix.perm][inside])  # the box comes from the permuted sample
    assert torch.equal(mixed[~inside], x[~inside])  # everything else is unchanged
    assert mix.lam[0].item() == pytest.approx(1 - int(box.sum()) / (h * w))
