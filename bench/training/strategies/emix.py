"""DABS's e-Mix (Tamkin et al., "DABS: A Domain-Agnostic Benchmark for Self-Supervised Learning",
NeurIPS 2021 Datasets and Benchmarks; github alextamkin/dabs, src/systems/pytorch/emix.py).

i-Mix on the embedded inputs, with no views at all: the query of sample i is its clean embedding
mixed with another's, e~_i = lam_i * e_i + (1 - lam_i) * stopgrad(e_perm(i)), lam_i ~ Beta(alpha,
alpha) folded to >= 0.5, and the key is the clean embedding e_i itself; the loss is i-Mix's,
lam_i * CE(logits_i, i) + (1 - lam_i) * CE(logits_i, perm(i)). DABS embeds every domain with its
own embedding module; here the embedding is the state after block 1 of the encoder (--mix-layer,
default 1; for the text encoders block 1 is the token embedding). The partner is detached, as
DABS's ``embs[randidx].detach()``: only the sample's own share carries gradient into the embedding.

DABS multiplies a lam of shape (N, 1, 1) with the per-sample losses of shape (N,), which
broadcasts to an (N, 1, N) product whose mean is mean(lam) * mean(CE) rather than the mean of
lam_i * CE_i; this module uses the per-sample form, which is the one its docstring states.
"""

from __future__ import annotations

from encoders.staged import Hidden, Masked

from bench.core.rng import Rng
from bench.training.mixing import Mix, mixup_draw


def _detached(h: Hidden) -> Hidden:
    return Masked(h.values.detach(), h.mask) if isinstance(h, Masked) else h.detach()


def emix_mixup(h: Hidden, alpha: float, rng: Rng) -> tuple[Hidden, Mix]:
    """MixUp against detached partners: lam * h + (1 - lam) * stopgrad(h)[perm] (masks OR-ed for tokens)."""
    values = h.values if isinstance(h, Masked) else h
    mix = mixup_draw(values.shape[0], alpha, rng, values.device)
    partner = _detached(h)[mix.perm]
    weight = mix.lam.to(values.dtype).view((-1,) + (1,) * (values.dim() - 1))
    if isinstance(h, Masked):
        return Masked(weight * h.values + (1.0 - weight) * partner.values, h.mask | partner.mask), mix
    return weight * h + (1.0 - weight) * partner, mix


emix_mixup.takes_tokens = True  # it mixes token states (Masked) itself: bench/training/hidden_mix.hidden_mixer
