"""Domain-agnostic strategies, one name each for ``--strategy``: how a run makes its positives or mixes.

``imix`` and ``inputmix`` are the existing switches (``--imix``, ``--inputmix``) under their
strategy names; the config stores them as those switches, so their records stay the same runs.
The others are a module each: ``emix`` (DABS e-Mix: i-Mix on the embedded clean inputs, no views),
``dacl`` (Mixup-noise positives, U[alpha, 1]) and ``gaussian`` (Gaussian-noise positives). What a
strategy does to the views is stated in ``views``, as the tables and the README say it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import Tensor

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.core.rng import Rng
from bench.training.mixing import Mixer, build_mixer
from bench.training.strategies.dacl import mixup_noise
from bench.training.strategies.emix import emix_mixup
from bench.training.strategies.gaussian import gaussian_noise

Positive = Callable[[Tensor, Rng, RunConfig], Tensor]  # one view -> a positive made from it


@dataclass(frozen=True)
class Strategy:
    name: str
    summary: str
    views: str  # what happens to the domain's views: "kept", "replaced by the clean input", "noised"
    positive: Positive | None = None  # applied to each view (after the domain's augmentation, if any)
    clean_views: bool = False  # both views are the clean input, whatever --no-aug says


STRATEGIES: dict[str, Strategy] = {s.name: s for s in (
    Strategy("imix", "i-Mix (same as --imix): mix the query and its virtual labels, at --mix-layer", "kept"),
    Strategy("inputmix", "InputMix (same as --inputmix): blend each view with two others, labels untouched",
             "kept, each blended with two others"),
    Strategy("emix", "DABS e-Mix: i-Mix of the clean embedding (after block --mix-layer, default 1) against a "
             "detached partner", "replaced by the clean input (no views)", clean_views=True),
    Strategy("dacl", "DACL Mixup-noise positives: lam*x + (1-lam)*x_other, lam ~ U[--dacl-alpha, 1], per view",
             "kept, each mixed with another sample (replaced under --no-aug)",
             positive=lambda x, rng, cfg: mixup_noise(x, cfg.dacl_alpha, rng)),
    Strategy("gaussian", "Gaussian-noise positives: x + N(0, --sigma^2) per element, per view",
             "kept, each noised (replaced under --no-aug)",
             positive=lambda x, rng, cfg: gaussian_noise(x, cfg.sigma, rng)),
)}


def strategy_of(cfg: RunConfig) -> Strategy | None:
    """The run's own strategy module (e-Mix, DACL, Gaussian); None for the switches and the baseline."""
    return STRATEGIES[cfg.strategy] if cfg.strategy else None


def label_mixer(cfg: RunConfig) -> Mixer | None:
    """What mixes the query and its virtual labels: i-Mix's --mix, e-Mix's detached MixUp, or nothing."""
    if not cfg.imix:
        return None
    return emix_mixup if cfg.strategy == "emix" else build_mixer(cfg)


def strategy_switches(cfg: RunConfig, mix_layer_given: bool) -> RunConfig:
    """--strategy as the switches it stands for, so a run is one config however it was asked for:
    imix and inputmix are --imix and --inputmix; emix is i-Mix (of the clean embedding, after block 1
    unless --mix-layer says otherwise); dacl and gaussian make their own positives, alone."""
    name = cfg.strategy
    if name in ("imix", "inputmix"):
        setattr(cfg, name, True)
        cfg.strategy = None
    elif name == "emix":
        if cfg.mix != "mixup" or cfg.inputmix:
            raise UserError("--strategy emix is MixUp of the clean embedding with no views: it takes neither "
                            f"--mix {cfg.mix} nor --inputmix. Leave them out, or use --imix for i-Mix with views.")
        cfg.imix = True
        cfg.mix_layer = cfg.mix_layer if mix_layer_given else "1"
    elif name is not None and (cfg.imix or cfg.inputmix):
        raise UserError(f"--strategy {name} makes its own positives and is compared alone; it does not combine "
                        "with --imix or --inputmix. Run each as its own arm (bench suite --strategies).")
    return cfg
