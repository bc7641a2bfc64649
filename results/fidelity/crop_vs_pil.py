"""The suite's batched RandomResizedCrop (one grid_sample per batch, domains/image_augment.py) against
torchvision's PIL path that the official code runs (main_pretext.py: RandomResizedCrop(32, scale=(0.2, 1))
on a PIL image, then ToTensor), for the same boxes, on real CIFAR-10 training images.

    python results/fidelity/crop_vs_pil.py [--images 2000] [--data ../shared/data/cifar10]

Prints the largest and the mean absolute per-pixel difference (on [0, 1] pixels and in 1/255 steps),
over all pixels and over the inner pixels (the outermost ring of each view excluded), and the share
of pixels that differ by more than one 8-bit step. No flip: the flip is exact on both paths.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as TF

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from domains.image_augment import crop_resize_flip, sample_boxes  # noqa: E402


def cifar_images(root: Path, count: int) -> list[Image.Image]:
    """The first ``count`` training JPEGs, class by class in turn (as RGB PIL images)."""
    classes = sorted(p for p in (root / "train").iterdir() if p.is_dir())
    files = [sorted(c.glob("*.jpg")) for c in classes]
    chosen = [files[i % len(files)][i // len(files)] for i in range(count)]
    return [Image.open(f).convert("RGB") for f in chosen]


def compare(images: list[Image.Image], seed: int = 0) -> dict[str, float]:
    """Differences between the two paths for one box per image (drawn as RandomResizedCrop draws them)."""
    boxes = sample_boxes(len(images), 32, 32, (0.2, 1.0), (3 / 4, 4 / 3), torch.Generator().manual_seed(seed))
    pil = torch.stack([TF.to_tensor(TF.resized_crop(img, *map(int, box), [32, 32], InterpolationMode.BILINEAR))
                       for img, box in zip(images, boxes)])
    stored = torch.stack([torch.from_numpy(np.array(img)).permute(2, 0, 1) for img in images])
    batched = crop_resize_flip(stored.float() / 255, boxes, torch.zeros(len(images), dtype=torch.bool), 32)
    diff = (batched - pil).abs()
    inner = diff[..., 1:-1, 1:-1]
    return {"images": len(images), "max": float(diff.max()), "mean": float(diff.mean()),
            "inner_max": float(inner.max()), "inner_mean": float(inner.mean()),
            "above_one_step": float((diff > 1 / 255 + 1e-6).float().mean()),
            "inner_above_one_step": float((inner > 1 / 255 + 1e-6).float().mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "cifar10"))
    args = parser.parse_args()
    figures = compare(cifar_images(Path(args.data), args.images))
    print(f"{figures['images']} CIFAR-10 training images, one RandomResizedCrop box each, no flip:")
    for part, key in (("all pixels", ""), ("inner pixels (outer ring excluded)", "inner_")):
        print(f"  {part}: max |diff| {figures[key + 'max']:.4f} ({255 * figures[key + 'max']:.1f}/255), "
              f"mean {figures[key + 'mean']:.5f} ({255 * figures[key + 'mean']:.2f}/255), "
              f"{100 * figures[key + 'above_one_step']:.2f}% of values more than 1/255 apart")


if __name__ == "__main__":
    main()
