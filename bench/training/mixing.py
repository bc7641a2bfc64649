"""Input mixing for i-Mix: a mixer returns the mixed batch and how its virtual labels mix.

Sample i of the mixed batch is lam_i * x_i + (1 - lam_i) * x_perm(i) (MixUp), or x_i with a
box pasted from x_perm(i) (CutMix). Its virtual label becomes lam_i * e_i + (1 - lam_i) * e_perm(i),
so every loss that is linear in its label becomes lam * loss(i) + (1 - lam) * loss(perm(i)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

import torch
from torch import Tensor

from bench.core.config import RunConfig
from bench.core.errors import unknown_choice
from bench.core.options import Option, fill, unique
from bench.core.rng import Rng


@dataclass
class Mix:
    """How the virtual labels of a batch are mixed: sample i keeps weight lam[i] on itself."""

    perm: Tensor  # (N,) long: the partner of each sample
    lam: Tensor  # (N,) float: weight of the sample's own label

    @classmethod
    def identity(cls, n: int, device: torch.device | str = "cpu") -> "Mix":
        """No mixing: every sample is its own partner with full weight (the baselines)."""
        return cls(perm=torch.arange(n, device=device), lam=torch.ones(n, device=device))


Mixer = Callable[[Tensor, float, Rng], tuple[Tensor, Mix]]


def _random_perm(n: int, rng: Rng, device: torch.device) -> Tensor:
    return torch.randperm(n, generator=rng.torch, device=rng.torch.device).to(device)


def mixup_draw(n: int, alpha: float, rng: Rng, device: torch.device) -> Mix:
    """MixUp's partners and coefficients: one lam per sample, lam ~ Beta(alpha, alpha) folded to lam >= 0.5.

    Folding keeps each mixed sample closer to its own input, as the i-Mix code does, so
    the sample's own virtual label always carries the larger weight.
    """
    lam_np = rng.numpy.beta(alpha, alpha, size=n)
    lam = torch.as_tensor(lam_np, dtype=torch.float32, device=device)
    lam = torch.maximum(lam, 1.0 - lam)
    return Mix(perm=_random_perm(n, rng, device), lam=lam)


def mixup(x: Tensor, alpha: float, rng: Rng) -> tuple[Tensor, Mix]:
    """MixUp: sample i becomes lam_i * x_i + (1 - lam_i) * x_perm(i), drawn by ``mixup_draw``."""
    n = x.shape[0]
    mix = mixup_draw(n, alpha, rng, x.device)
    shape = (n,) + (1,) * (x.dim() - 1)
    weight = mix.lam.view(shape).to(x.dtype)
    mixed = weight * x + (1.0 - weight) * x[mix.perm]
    return mixed, mix


def official_box(spatial: tuple[int, ...], lam: float, centres: list[int]) -> tuple[list[slice], float]:
    """The box of builder.py's ``rand_bbox`` for ``lam`` and box ``centres``, and the kept fraction.

    Per dimension of size S: the cut side is truncated, ``int(S * (1 - lam) ** (1/d))`` (the square
    root for images), the box runs from ``centre - cut // 2`` to ``centre + cut // 2`` clipped to
    [0, S), so it is never longer than the cut side and the kept fraction never falls below lam.
    Computed in float32, as the official code computes it on a float32 lam.
    """
    lam32 = torch.tensor(lam, dtype=torch.float32)
    side = (1.0 - lam32).sqrt() if len(spatial) == 2 else (1.0 - lam32) ** (1.0 / len(spatial))
    slices = []
    for size, centre in zip(spatial, centres):
        half = int((size * side).to(torch.long)) // 2
        slices.append(slice(min(max(centre - half, 0), size), min(max(centre + half, 0), size)))
    cut = torch.tensor(math.prod(s.stop - s.start for s in slices), dtype=torch.float32)
    return slices, float(1.0 - cut / math.prod(spatial))


def rounded_box(spatial: tuple[int, ...], lam: float, centres: list[int]) -> tuple[list[slice], float]:
    """The suite's earlier box (``--cutmix-box rounded``): the side rounded, the whole box placed
    around the centre where it fits; clipping can cut more than 1 - lam (kept fraction down to 0.48)."""
    side = math.sqrt(1.0 - lam) if len(spatial) == 2 else (1.0 - lam) ** (1.0 / len(spatial))
    slices, cut = [], 1
    for size, centre in zip(spatial, centres):
        length = int(round(size * side))
        lo, hi = max(centre - length // 2, 0), min(centre + length - length // 2, size)
        slices.append(slice(lo, hi))
        cut *= hi - lo
    return slices, 1.0 - cut / math.prod(spatial)


BOXES = {"official": official_box, "rounded": rounded_box}


def cutmix(x: Tensor, alpha: float, rng: Rng, box: str = "official") -> tuple[Tensor, Mix]:
    """CutMix: one box per batch over the dimensions after the channel, from x[perm].

    Input is (N, C, *spatial): two spatial dims for images and spectrograms, one for 1-D
    signals. lam ~ Beta(alpha, alpha) is folded to max(lam, 1 - lam), as the official i-Mix
    code does, so the sample's own label keeps the larger weight; the box centre is uniform over
    the input; lam is then reset to the exact kept fraction, as CutMix does. ``box``: how the box
    is cut (BOXES; ``--cutmix-box``).
    """
    if x.dim() < 3:
        raise ValueError(f"cutmix needs input shaped (N, C, *spatial); got {tuple(x.shape)}")
    if box not in BOXES:
        raise unknown_choice("CutMix box", box, list(BOXES))
    n = x.shape[0]
    spatial = tuple(x.shape[2:])
    lam_drawn = float(rng.numpy.beta(alpha, alpha))
    lam_drawn = max(lam_drawn, 1.0 - lam_drawn)
    centres = [int(rng.numpy.integers(0, size)) for size in spatial]
    slices, kept = BOXES[box](spatial, lam_drawn, centres)
    perm = _random_perm(n, rng, x.device)
    mixed = x.clone()
    index = (slice(None), slice(None), *slices)
    mixed[index] = x[index][perm]  # gather only the box, not the whole permuted batch
    lam = torch.full((n,), kept, dtype=torch.float32, device=x.device)
    return mixed, Mix(perm=perm, lam=lam)


def input_mix(x: Tensor, rng: Rng, others: int = 2, alpha: float = 1.0) -> Tensor:
    """InputMix, the paper's domain-agnostic augmentation: blend each sample with others.

    Weights are 0.5 + 0.5*d_0 for the sample and 0.5*d_j for ``others`` random partners,
    d ~ Dirichlet(alpha, ..., alpha) (the official --alpha2, default 1), so the original always
    keeps at least half the weight. The official code passes both views stacked (2N rows), so
    partners come from either view; the trainer does the same.
    Labels are untouched: unlike i-Mix this only perturbs the input, like any augmentation.
    """
    n = x.shape[0]
    d = torch.as_tensor(rng.numpy.dirichlet([alpha] * (others + 1), size=n), dtype=x.dtype, device=x.device)
    shape = (n,) + (1,) * (x.dim() - 1)
    mixed = (0.5 + 0.5 * d[:, 0]).view(shape) * x
    for j in range(1, others + 1):
        mixed = mixed + (0.5 * d[:, j]).view(shape) * x[_random_perm(n, rng, x.device)]
    return mixed


@dataclass(frozen=True)
class MixerSpec:
    """One i-Mix input mixer: its function, its own parameters, the inputs it needs, its summary.

    ``function(x, alpha, rng, **params)`` returns the mixed batch and its ``Mix``. ``sample_dims`` is
    the least number of dimensions one sample must have (CutMix pastes a box over the dimensions
    after the channel, so it needs (C, L) or (C, H, W)); ``needs`` says why, for messages.
    ``params`` are the mixer's own settings (flags after ``--mix NAME``, stored as
    ``config.mix_options``); ``run_settings`` maps RunConfig settings the mixer reads to its keyword
    (CutMix's ``--cutmix-box``, a RunConfig setting so that older records keep their digests). ``domain_opt_in``: offered only by the domains that list it in their
    ``mixers`` (CutMix, which needs correlated neighbours); any other mixer is offered by every domain.
    Registering a mixer is one line in ``MIXERS``.
    """

    name: str
    function: Callable[..., tuple[Tensor, Mix]]
    summary: str
    sample_dims: int = 1
    needs: str = ""
    params: tuple[Option, ...] = ()
    domain_opt_in: bool = False
    run_settings: dict[str, str] = field(default_factory=dict)

    def accepts(self, sample_shape: tuple[int, ...]) -> bool:
        return len(sample_shape) >= self.sample_dims

    def bind(self, options: dict[str, Any] | None = None) -> Mixer:
        """The mixer as the trainer calls it, ``(x, alpha, rng)``, with its parameters filled in."""
        values = fill(unique(self.params), dict(options or {}), self.name, kind="mix")
        return partial(self.function, **values) if values else self.function


MIXERS: dict[str, MixerSpec] = {spec.name: spec for spec in (
    MixerSpec("mixup", mixup, "MixUp: convex combination of two inputs; works for every domain"),
    MixerSpec("cutmix", cutmix, "CutMix: paste a box from another input; needs correlated neighbouring values",
              sample_dims=2, domain_opt_in=True, run_settings={"cutmix_box": "box"}, needs="CutMix pastes a box over the dimensions after the channel, so it needs samples "
              "shaped (channels, length, ...) whose neighbouring values are correlated (images, spectrograms, signals)"),
)}


def offered_mixers(domain_mixers: tuple[str, ...]) -> list[str]:
    """The mixers a domain offers: every mixer that needs no opt-in, and those it lists."""
    return [name for name, spec in MIXERS.items() if not spec.domain_opt_in or name in domain_mixers]


def mixer_spec(name: str) -> MixerSpec:
    if name not in MIXERS:
        raise unknown_choice("mixing strategy", name, list(MIXERS))
    return MIXERS[name]


def get_mixer(name: str, options: dict[str, Any] | None = None) -> Mixer:
    return mixer_spec(name).bind(options)


def build_mixer(cfg: RunConfig) -> Mixer | None:
    """The i-Mix input mixer of a run (None for a baseline), with its parameters and the run settings it reads."""
    if not cfg.imix:
        return None
    spec = mixer_spec(cfg.mix)
    bound = {kwarg: getattr(cfg, name) for name, kwarg in spec.run_settings.items()}
    return partial(spec.bind(cfg.mix_options), **bound) if bound else spec.bind(cfg.mix_options)
