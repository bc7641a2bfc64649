"""The suite's mixers against re-implementations of the official builder.py ``cutmix`` / ``rand_bbox`` and
``inputmix``, fed the same draws (lam, box centre, partners)."""

from __future__ import annotations

import pytest
import torch

from bench.core.rng import Rng
from bench.training.mixing import cutmix, input_mix


def official_rand_bbox(size: tuple[int, int], lam: torch.Tensor, cx: int, cy: int):
    """builder.py rand_bbox for a float32 ``lam`` and the centre it would draw (``random_(0, W)``)."""
    width, height = size
    cut_rat = (1.0 - lam).sqrt()
    cut_w, cut_h = int((width * cut_rat).to(torch.long)), int((height * cut_rat).to(torch.long))
    x1, x2 = min(max(cx - cut_w // 2, 0), width), min(max(cx + cut_w // 2, 0), width)
    y1, y2 = min(max(cy - cut_h // 2, 0), height), min(max(cy + cut_h // 2, 0), height)
    new_lam = 1.0 - torch.tensor(float(x2 - x1), dtype=lam.dtype) * torch.tensor(float(y2 - y1), dtype=lam.dtype) \
        / (width * height)
    return (x1, y1, x2, y2), new_lam


def the_draws(seed: int, size: tuple[int, int]) -> tuple[float, list[int]]:
    """The folded lam and the box centre cutmix draws from ``Rng.from_seed(seed)``, in its order."""
    rng = Rng.from_seed(seed)
    lam = float(rng.numpy.beta(1.0, 1.0))
    return max(lam, 1.0 - lam), [int(rng.numpy.integers(0, s)) for s in size]


def test_cutmix_is_rand_bbox_over_2000_draws_and_keeps_at_least_lam():
    n, size = 4, (32, 32)
    x = torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 1, *size).contiguous()  # pixel = source
    kept = []
    for seed in range(2000):
        lam, (cx, cy) = the_draws(seed, size)
        (x1, y1, x2, y2), want = official_rand_bbox(size, torch.tensor(lam, dtype=torch.float32), cx, cy)
        mixed, mix = cutmix(x, 1.0, Rng.from_seed(seed))
        official = x.clone()
        official[..., x1:x2, y1:y2] = x[mix.perm][..., x1:x2, y1:y2]  # builder.py cutmix with the same randind
        assert torch.equal(mixed, official), seed
        assert mix.lam[0].item() == want.item(), seed  # the same float32 kept fraction
        assert want.item() >= lam - 1e-7, seed
        kept.append(want.item())
    assert min(kept) >= 0.5 and min(kept) == pytest.approx(1 - 22 * 22 / 1024)  # 0.527: the largest box 22 x 22
    rounded = [cutmix(x, 1.0, Rng.from_seed(s), box="rounded")[1].lam[0].item() for s in range(2000)]
    assert min(rounded) < 0.5  # the earlier box, kept for --cutmix-box rounded, cut more than half


def official_inputmix(x: torch.Tensor, dirichlet: torch.Tensor, perms: list[torch.Tensor], pmin: float = 0.5):
    """builder.py inputmix with num_aux = len(perms) > 1: lam = pmin * Dirichlet, lam[0] += pmin,
    output = sum_i lam[i] * input[randind_i], randind_0 the identity."""
    lam = pmin * dirichlet.t()
    lam[0] = lam[0] + pmin
    output = torch.zeros_like(x)
    for i, randind in enumerate([torch.arange(len(x)), *perms]):
        output += lam[i].view([-1] + [1] * (x.dim() - 1)) * x[randind]
    return output


def test_input_mix_is_the_official_inputmix_with_two_partners():
    x = torch.randn(12, 3, 5, generator=torch.Generator().manual_seed(0))
    rng = Rng.from_seed(7)
    draws = Rng.from_seed(7)  # the same streams: Dirichlet weights first, then one permutation per partner
    dirichlet = torch.as_tensor(draws.numpy.dirichlet([1.0] * 3, size=12), dtype=x.dtype)
    perms = [torch.randperm(12, generator=draws.torch) for _ in range(2)]
    torch.testing.assert_close(input_mix(x, rng, others=2, alpha=1.0), official_inputmix(x, dirichlet, perms))
