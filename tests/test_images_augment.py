"""The batched CIFAR view recipe against torchvision's per-image transforms."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from torchvision import transforms as T
from torchvision.transforms import functional as TF

from domains.image_augment import (
    ViewRecipe, adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, color_jitter,
    crop_resize_flip, random_views, sample_boxes, sample_params,
)


def smooth_images(n: int, seed: int = 0, size: int = 32) -> torch.Tensor:
    """Random colourful images with spatial structure, in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, 3, 4, 4, generator=g)
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)


@pytest.mark.parametrize("ours, theirs, factors", [
    (adjust_brightness, TF.adjust_brightness, [0.6, 0.9, 1.0, 1.4]),
    (adjust_contrast, TF.adjust_contrast, [0.6, 0.9, 1.0, 1.4]),
    (adjust_saturation, TF.adjust_saturation, [0.6, 0.9, 1.0, 1.4]),
    (adjust_hue, TF.adjust_hue, [-0.1, -0.03, 0.0, 0.1]),
])
def test_colour_ops_match_torchvision_with_a_factor_per_sample(ours, theirs, factors):
    x = smooth_images(4)
    x[0, :, :8] = 0.5  # grey pixels: hue undefined, must stay grey
    x[1, :, :, :3] = 0.0  # black pixels
    got = ours(x, torch.tensor(factors))
    expected = torch.stack([theirs(x[i], f) for i, f in enumerate(factors)])
    assert torch.allclose(got, expected, atol=1e-5)


def test_crop_resize_flip_matches_torchvision_resized_crop_inside_the_box():
    x = smooth_images(3)
    boxes = torch.tensor([[3, 5, 20, 17], [0, 0, 32, 32], [10, 2, 9, 12]])  # top, left, h, w
    flip = torch.tensor([False, True, True])
    got = crop_resize_flip(x, boxes, flip, 32)
    expected = []
    for i in range(3):
        view = TF.resized_crop(x[i], *boxes[i].tolist(), [32, 32], antialias=True)
        expected.append(TF.hflip(view) if flip[i] else view)
    expected = torch.stack(expected)
    # Identical except the outermost pixels, where resize clamps to the box and grid_sample
    # blends in the neighbouring pixel outside it.
    assert torch.allclose(got[..., 2:-2, 2:-2], expected[..., 2:-2, 2:-2], atol=1e-5)
    assert torch.equal(got[1], TF.hflip(x[1]))  # whole image, flipped: an exact copy


def test_crop_boxes_follow_torchvision_ranges_and_distribution():
    g = torch.Generator().manual_seed(0)
    boxes = sample_boxes(4000, 32, 32, (0.2, 1.0), (3 / 4, 4 / 3), g)
    top, left, h, w = boxes.T.float()
    assert (top >= 0).all() and (left >= 0).all() and (top + h <= 32).all() and (left + w <= 32).all()
    area = h * w / 1024
    assert area.min() >= 0.19 and area.max() <= 1.0  # 0.2 * 1024 rounded
    aspect = w / h
    # 3/4..4/3, widened by rounding sides of ~12 pixels to whole pixels (17x12 is 1.42), as torchvision does
    assert aspect.min() >= 0.69 and aspect.max() <= 1.45
    torch.manual_seed(0)
    reference = torch.tensor([T.RandomResizedCrop.get_params(torch.zeros(3, 32, 32), [0.2, 1.0], [3 / 4, 4 / 3])
                              for _ in range(4000)], dtype=torch.float32)
    ref_area = reference[:, 2] * reference[:, 3] / 1024
    assert abs(area.mean() - ref_area.mean()) < 0.02
    assert abs(area.std() - ref_area.std()) < 0.02
    assert abs(left.mean() - reference[:, 1].mean()) < 0.5  # positions uniform over what fits


def test_parameters_differ_per_sample_with_the_recipes_probabilities():
    g = torch.Generator().manual_seed(1)
    p = sample_params(4000, 32, 32, ViewRecipe(), g)
    assert len({tuple(b) for b in p.boxes[:64].tolist()}) > 50  # crops differ within a batch
    assert abs(p.flip.float().mean() - 0.5) < 0.03
    assert abs(p.jitter.float().mean() - 0.8) < 0.03
    assert abs(p.gray.float().mean() - 0.2) < 0.03
    low, high = p.factors.min(0).values, p.factors.max(0).values
    assert torch.all(low[:3] >= 0.6) and torch.all(high[:3] <= 1.4) and low[3] >= -0.1 and high[3] <= 0.1
    assert torch.equal(p.order.sort(1).values, torch.arange(4).expand(4000, 4))  # permutations
    assert len({tuple(o) for o in p.order[:64].tolist()}) > 10  # orders differ too


def test_color_jitter_applies_each_samples_own_order():
    # brightness 1.4 then contrast 0.6 differs from contrast then brightness once values clip
    x = smooth_images(2)
    factors = torch.tensor([[1.4, 0.6, 1.0, 0.0]] * 2)
    order = torch.tensor([[0, 1, 2, 3], [1, 0, 2, 3]])
    got = color_jitter(torch.cat([x[:1], x[:1]]), torch.tensor([True, True]), factors, order)
    first = TF.adjust_contrast(TF.adjust_brightness(x[0], 1.4), 0.6)
    second = TF.adjust_brightness(TF.adjust_contrast(x[0], 0.6), 1.4)
    assert torch.allclose(got[0], first, atol=1e-5) and torch.allclose(got[1], second, atol=1e-5)
    assert not torch.allclose(first, second, atol=1e-3)
    untouched = color_jitter(x, torch.tensor([False, False]), factors, order)
    assert torch.equal(untouched, x)


def test_color_jitter_with_masks_equals_jitter_on_subsets():
    """The GPU path (whole batch, masked) and the CPU path (row subsets) give the same images."""
    g = torch.Generator().manual_seed(4)
    x = smooth_images(16, seed=4)
    p = sample_params(16, 32, 32, ViewRecipe(), g)
    on_rows = color_jitter(x, p.jitter, p.factors, p.order, subsets=True)
    masked = color_jitter(x, p.jitter, p.factors, p.order, subsets=False)
    assert torch.allclose(on_rows, masked, atol=1e-6)
    assert not torch.allclose(on_rows, x)


def test_views_of_identical_images_differ_and_stay_in_range():
    image = (smooth_images(1) * 255).round().to(torch.uint8)
    batch = image.expand(64, -1, -1, -1)
    views = random_views(batch, ViewRecipe(), torch.Generator().manual_seed(0))
    assert views.shape == (64, 3, 32, 32) and views.dtype == torch.float32
    assert views.min() >= 0 and views.max() <= 1
    flat = views.flatten(1)
    distinct = torch.cdist(flat, flat)[~torch.eye(64, dtype=torch.bool)]
    assert distinct.min() > 0  # no two samples got the same view


def test_view_statistics_match_the_torchvision_pipeline():
    """Per-view mean brightness, colourfulness and grey fraction agree with the paper's transforms."""
    image = smooth_images(1, seed=3)[0]
    n = 600
    ours = random_views(image.expand(n, -1, -1, -1), ViewRecipe(), torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    paper = T.Compose([
        T.RandomResizedCrop(32, scale=(0.2, 1.0), antialias=True),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.RandomHorizontalFlip(),
    ])
    theirs = torch.stack([paper(image) for _ in range(n)])

    def summary(v: torch.Tensor) -> dict[str, torch.Tensor]:
        spread = (v.max(1).values - v.min(1).values).mean((1, 2))  # per-view colourfulness
        return {"mean": v.mean((1, 2, 3)), "std": v.std((1, 2, 3)), "spread": spread,
                "grey": (spread < 1e-4).float()}

    a, b = summary(ours), summary(theirs)
    for key in a:
        se = math.sqrt((a[key].var() + b[key].var()) / n) + 1e-3
        assert abs(a[key].mean() - b[key].mean()) < 4 * se, key
        if key != "grey":
            assert abs(a[key].std() - b[key].std()) < 0.2 * b[key].std() + 1e-3, key


CIFAR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cifar10"


@pytest.mark.skipif(not (CIFAR / "train").is_dir(), reason="no offline CIFAR-10 copy")
def test_the_batched_crop_is_the_official_pil_crop_but_for_rounding_and_the_outer_ring():
    # docs/fidelity.md states these figures (results/fidelity/crop_vs_pil.py, 2,000 images)
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "results" / "fidelity" / "crop_vs_pil.py"
    spec = importlib.util.spec_from_file_location("crop_vs_pil", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.compare(module.cifar_images(CIFAR, 200))
    assert figures["inner_max"] <= 1 / 255 + 1e-6  # inside: PIL's 8-bit rounding only
    assert figures["inner_mean"] < 0.5 / 255
    assert figures["max"] > 10 / 255  # the outer ring: grid_sample blends in the pixel outside the box
