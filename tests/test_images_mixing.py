"""CutMix for images: one box per batch, lam equal to the exact kept fraction."""

from __future__ import annotations

import pytest
import torch

from bench.training.mixing import cutmix
from bench.core.rng import Rng


def labelled_batch(n: int = 8, h: int = 32, w: int = 32) -> torch.Tensor:
    """Every pixel of sample i holds the value i, so a pasted pixel names its source."""
    return torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 3, h, w).clone()


@pytest.mark.parametrize("seed", range(12))
def test_cutmix_lam_is_the_kept_fraction_and_the_box_comes_from_the_partner(seed):
    x = labelled_batch(h=32, w=24)  # not square: the box side scales with each dimension
    mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(seed))
    own = (mixed == x).all(dim=1)  # (N, H, W): pixels that kept their own value
    partner = (mixed == x[mix.perm]).all(dim=1)
    moved = mix.perm != torch.arange(8)
    kept = own[moved].float().mean(dim=(1, 2))
    assert torch.allclose(kept, mix.lam[moved])  # lam equals the kept area, clipped box included
    assert (own | partner).all()  # every pixel is its own or its partner's
    assert torch.equal(~own[moved], ~own[moved][:1].expand_as(own[moved]))  # one box for the batch
    assert ((0 <= mix.lam) & (mix.lam <= 1)).all() and torch.all(mix.lam == mix.lam[0])


@pytest.mark.parametrize("box, rows, area", [
    # seed 3: lam 0.734, centre (row 1, column 8); cut side int(10 * sqrt(0.266)) = int(5.15) = 5.
    ("official", 3, 12),  # rand_bbox: rows 1 -+ 5 // 2 = [-1, 3) clipped to [0, 3), columns [6, 10): 3 x 4
    ("rounded", 4, 16),  # the earlier box: round(5.15) = 5 rows from 1 - 2 = -1, clipped to [0, 4): 4 x 4
])
def test_cutmix_box_is_a_rectangle_with_the_hand_counted_area(box, rows, area):
    x = labelled_batch(n=4, h=10, w=10)
    mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(3), box=box)  # sample 0 takes sample 2's box
    assert mix.perm.tolist() == [2, 3, 1, 0]
    cut = mixed[0, 0] != x[0, 0]
    found_rows, cols = cut.any(1).nonzero().squeeze(1), cut.any(0).nonzero().squeeze(1)
    height, width = int(found_rows.max() - found_rows.min() + 1), int(cols.max() - cols.min() + 1)
    assert (height, width, int(cut.sum())) == (rows, 4, area)  # one solid rectangle, nothing else
    assert found_rows.min() == 0 and cols.tolist() == [6, 7, 8, 9]
    assert (mixed[0][:, cut] == 2).all()  # the box holds the partner's pixels, in every channel
    assert mix.lam[0].item() == pytest.approx(1 - area / 100)


def test_cutmix_leaves_a_sample_paired_with_itself_unchanged():
    x = labelled_batch(n=4, h=10, w=10)
    mixed, mix = cutmix(x, alpha=1.0, rng=Rng.from_seed(0))  # seed 0 pairs samples 0 and 1 with themselves
    assert mix.perm.tolist() == [0, 1, 3, 2]
    assert torch.equal(mixed[:2], x[:2])
    assert int((mixed[2, 0] != x[2, 0]).sum()) == round((1 - mix.lam[2].item()) * 100) > 0  # the others are cut


def test_cutmix_rejects_inputs_without_spatial_dimensions():
    with pytest.raises(ValueError, match="spatial"):
        cutmix(torch.zeros(4, 16), alpha=1.0, rng=Rng.from_seed(0))
