"""The paper's CIFAR view recipe, applied to a whole batch at once on its device.

torchvision's transforms draw one set of parameters per call, so the paper's code runs them
image by image in DataLoader workers (PIL). On a small CPU that costs more than the model;
here every sample still gets its own parameters, but each step is one batched tensor op:

* RandomResizedCrop + horizontal flip: one affine grid per sample, one ``grid_sample``;
* ColorJitter in a random order per sample: four rounds, each applying every jitter
  to the samples whose permutation puts it there;
* RandomGrayscale, then normalisation.

The parameter draws follow torchvision's (``RandomResizedCrop.get_params``, ColorJitter's
factor ranges), so the distribution of views is the same; ``tests/test_images_augment.py``
checks each colour op against torchvision's functional op.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn import functional as F

GRAY_WEIGHTS = (0.2989, 0.587, 0.114)  # ITU-R 601-2 luma, as torchvision's rgb_to_grayscale
JITTER_OPS = ("brightness", "contrast", "saturation", "hue")


@dataclass(frozen=True)
class ViewRecipe:
    """SimCLR/MoCo-v2 CIFAR augmentation, the i-Mix paper's setting by default."""

    size: int = 32
    scale: tuple[float, float] = (0.2, 1.0)
    ratio: tuple[float, float] = (3 / 4, 4 / 3)
    brightness: float = 0.4
    contrast: float = 0.4
    saturation: float = 0.4
    hue: float = 0.1
    jitter_p: float = 0.8
    gray_p: float = 0.2
    flip_p: float = 0.5


@dataclass
class ViewParams:
    """The random parameters of one batch of views; one row per sample."""

    boxes: Tensor  # (N, 4) long: top, left, height, width of the crop in the source image
    flip: Tensor  # (N,) bool
    jitter: Tensor  # (N,) bool: ColorJitter applied
    factors: Tensor  # (N, 4) float: brightness, contrast, saturation factors and hue shift
    order: Tensor  # (N, 4) long: the order of the four jitter ops, a permutation per sample
    gray: Tensor  # (N,) bool


def _uniform(n: int, low: float, high: float, generator: torch.Generator, *shape: int) -> Tensor:
    u = torch.rand((n, *shape), generator=generator, device=generator.device)
    return low + (high - low) * u


def sample_boxes(n: int, height: int, width: int, scale: tuple[float, float], ratio: tuple[float, float],
                 generator: torch.Generator, attempts: int = 10) -> Tensor:
    """RandomResizedCrop.get_params for n samples at once: (N, 4) long top, left, h, w.

    Like torchvision: up to ``attempts`` draws of area fraction and log-uniform aspect
    ratio, the first that fits wins; if none fits, a central crop with the ratio clamped.
    """
    area = height * width
    target = area * _uniform(n, scale[0], scale[1], generator, attempts)
    aspect = torch.exp(_uniform(n, math.log(ratio[0]), math.log(ratio[1]), generator, attempts))
    w = torch.round(torch.sqrt(target * aspect))
    h = torch.round(torch.sqrt(target / aspect))
    fits = (w > 0) & (h > 0) & (w <= width) & (h <= height)
    first = fits.float().argmax(dim=1, keepdim=True)  # the first attempt that fits
    w, h = w.gather(1, first).squeeze(1), h.gather(1, first).squeeze(1)
    found = fits.any(dim=1)

    in_ratio = width / height  # fallback, the same for every sample
    if in_ratio < ratio[0]:
        fw, fh = width, int(round(width / ratio[0]))
    elif in_ratio > ratio[1]:
        fw, fh = int(round(height * ratio[1])), height
    else:
        fw, fh = width, height
    w = torch.where(found, w, torch.full_like(w, fw))
    h = torch.where(found, h, torch.full_like(h, fh))
    # torchvision: top = randint(0, H - h + 1); fallback crops are centred
    top = torch.floor(_uniform(n, 0, 1, generator) * (height - h + 1))
    left = torch.floor(_uniform(n, 0, 1, generator) * (width - w + 1))
    top = torch.where(found, top, torch.div(height - h, 2, rounding_mode="floor"))
    left = torch.where(found, left, torch.div(width - w, 2, rounding_mode="floor"))
    return torch.stack([top, left, h, w], dim=1).long()


def sample_params(n: int, height: int, width: int, recipe: ViewRecipe, generator: torch.Generator) -> ViewParams:
    """Independent random parameters for each of n views, drawn on the generator's device."""
    boxes = sample_boxes(n, height, width, recipe.scale, recipe.ratio, generator)
    coin = _uniform(n, 0, 1, generator, 3)
    factors = torch.stack([
        _uniform(n, max(0.0, 1 - recipe.brightness), 1 + recipe.brightness, generator),
        _uniform(n, max(0.0, 1 - recipe.contrast), 1 + recipe.contrast, generator),
        _uniform(n, max(0.0, 1 - recipe.saturation), 1 + recipe.saturation, generator),
        _uniform(n, -recipe.hue, recipe.hue, generator),
    ], dim=1)
    order = torch.argsort(_uniform(n, 0, 1, generator, 4), dim=1)
    return ViewParams(boxes=boxes, flip=coin[:, 0] < recipe.flip_p, jitter=coin[:, 1] < recipe.jitter_p,
                      factors=factors, order=order, gray=coin[:, 2] < recipe.gray_p)


def crop_resize_flip(x: Tensor, boxes: Tensor, flip: Tensor, size: int) -> Tensor:
    """Crop each sample's box, resize it bilinearly to size x size, flip where asked.

    Output pixel u samples the box at left + (u + 0.5) * w / size - 0.5, exactly where
    torch's bilinear resize (align_corners=False) of the cropped box samples it.
    """
    n, _, height, width = x.shape
    b = boxes.to(device=x.device, dtype=torch.float32)
    top, left, h, w = b.unbind(1)
    sign = 1.0 - 2.0 * flip.to(device=x.device, dtype=torch.float32)
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = sign * w / width
    theta[:, 0, 2] = (2 * left + w) / width - 1
    theta[:, 1, 1] = h / height
    theta[:, 1, 2] = (2 * top + h) / height - 1
    grid = F.affine_grid(theta, [n, x.shape[1], size, size], align_corners=False)
    return F.grid_sample(x, grid.to(x.dtype), mode="bilinear", padding_mode="border", align_corners=False)


def grayscale(x: Tensor) -> Tensor:
    """(N, 3, H, W) -> (N, 1, H, W) luma."""
    r, g, b = x.unbind(1)
    return (GRAY_WEIGHTS[0] * r + GRAY_WEIGHTS[1] * g + GRAY_WEIGHTS[2] * b).unsqueeze(1)


def _blend(x: Tensor, other: Tensor, factor: Tensor) -> Tensor:
    return (factor * x + (1.0 - factor) * other).clamp_(0.0, 1.0)


def adjust_brightness(x: Tensor, factor: Tensor) -> Tensor:
    return (x * factor.view(-1, 1, 1, 1)).clamp_(0.0, 1.0)


def adjust_contrast(x: Tensor, factor: Tensor) -> Tensor:
    mean = grayscale(x).mean(dim=(1, 2, 3), keepdim=True)
    return _blend(x, mean, factor.view(-1, 1, 1, 1))


def adjust_saturation(x: Tensor, factor: Tensor) -> Tensor:
    return _blend(x, grayscale(x), factor.view(-1, 1, 1, 1))


def adjust_hue(x: Tensor, shift: Tensor) -> Tensor:
    """Rotate the HSV hue of each sample by its shift (a fraction of a full turn).

    A hue rotation keeps each pixel's max (V) and chroma (max - min), so RGB -> HSV -> RGB
    reduces to: hue6 = 6h from the max/min formulas, then the branch-free HSV -> RGB
    c_n = V - chroma * clamp(min(k, 4 - k), 0, 1), k = (n + hue6 + 6 shift) mod 6, n = 5, 3, 1.
    Elementwise maximum/minimum instead of max/min over the channel dim: about 10x faster
    on a CPU, where the reductions also compute indices.
    """
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    v = torch.maximum(torch.maximum(r, g), b)
    chroma = v - torch.minimum(torch.minimum(r, g), b)
    inverse = chroma.clamp_min(1e-12).reciprocal()  # grey pixels: chroma 0 makes hue irrelevant
    hue6 = torch.where(v == r, (g - b) * inverse,
                       torch.where(v == g, (b - r) * inverse + 2.0, (r - g) * inverse + 4.0))
    hue6 += 6.0 * shift.view(-1, 1, 1)
    channels = []
    for n in (5.0, 3.0, 1.0):
        k = hue6 + n
        k -= 6.0 * torch.floor(k * (1.0 / 6.0))
        channels.append(v - chroma * torch.minimum(k, 4.0 - k).clamp_(0.0, 1.0))
    return torch.stack(channels, dim=1)


JITTERS = (adjust_brightness, adjust_contrast, adjust_saturation, adjust_hue)


def color_jitter(x: Tensor, apply: Tensor, factors: Tensor, order: Tensor, subsets: bool | None = None) -> Tensor:
    """ColorJitter on the samples where ``apply``, each with its own factors and op order.

    Round k applies op j to the samples whose order[:, k] == j: 16 batched calls in all,
    whatever the batch size. ``subsets`` (the default on a CPU) runs each op only on its
    rows, so the total work is one pass per op; on a GPU each op runs on the whole batch
    and a mask picks the rows, because selecting rows needs a host sync each time and the
    arithmetic is nearly free there.
    """
    if subsets is None:
        subsets = x.device.type == "cpu"
    x = x.clone()
    factors = factors.to(x.device)
    for position in range(4):
        for op_index, op in enumerate(JITTERS):
            selected = apply & (order[:, position] == op_index)
            if subsets:
                rows = torch.nonzero(selected).squeeze(1)
                if rows.numel():
                    x[rows] = op(x[rows], factors[rows, op_index])
            else:
                x = torch.where(selected.view(-1, 1, 1, 1), op(x, factors[:, op_index]), x)
    return x


def to_unit_float(x: Tensor) -> Tensor:
    """Stored images (uint8 0..255, or float 0..1) as float32 in [0, 1]."""
    if x.dtype == torch.uint8:
        return x.float().div_(255.0)
    return x.float()


def pad_crop_flip(x: Tensor, pad: int, generator: torch.Generator) -> Tensor:
    """Zero-pad by ``pad``, crop back to the original size at a random offset, flip with p 0.5.

    torchvision's RandomCrop(size, padding) + RandomHorizontalFlip, per sample, batched.
    Offsets and flips are drawn from ``generator`` on the CPU.
    """
    n, _, height, width = x.shape
    padded = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    top = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    left = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
    rows = top[:, None] + torch.arange(height, device=x.device)  # (n, H)
    cols = left[:, None] + torch.arange(width, device=x.device)  # (n, W)
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


def random_views(x: Tensor, recipe: ViewRecipe, generator: torch.Generator) -> Tensor:
    """One random view of every image in x (N, C, H, W), in [0, 1], before normalisation."""
    x = to_unit_float(x)
    n, channels, height, width = x.shape
    p = sample_params(n, height, width, recipe, generator)
    x = crop_resize_flip(x, p.boxes, p.flip, recipe.size)
    if channels == 3:  # jitter and grayscale need colour; single-channel images skip them
        x = color_jitter(x, p.jitter.to(x.device), p.factors, p.order.to(x.device))
        x = torch.where(p.gray.to(x.device).view(-1, 1, 1, 1), grayscale(x).expand_as(x), x)
    return x
