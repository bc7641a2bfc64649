"""i-Mix inside the encoder (``--mix-layer k``): run the backbone to block k, mix the query rows, go on.

The official code (kibok90/imix builder.py) mixes a hidden state instead of the input when
``--mix-layers`` draws a layer above 0: N-pair runs both views through the first k blocks in
one pass and mixes only the query half; MoCo and BYOL mix the query branch only (their key
and target encoders are other modules). Here that is one hook: for one loss, the method's
backbone is armed so that its next call runs ``forward_partial(x, 0, k)``, mixes the first
``rows`` rows, and finishes with ``forward_partial(h, k)``. The methods stay as they are: they
call their backbone and receive the ``Mix`` that the hook fills in when it mixes.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Callable, Iterator

import torch
from torch import nn

from encoders.staged import Hidden, Masked, cat_hidden, mix_hidden

from bench.core.rng import Rng
from bench.training.mixing import Mix, Mixer, mixup, mixup_draw

RowMixer = Callable[[Hidden], tuple[Hidden, Mix]]  # mixes a batch of hidden states and says how


class LayerDraw:
    """The layers of ``--mix-layer``; one is drawn per loss, uniformly, from the run's seeded generator.

    A single layer draws nothing, so a run at the default (the input) uses its random numbers
    exactly as before the setting existed.
    """

    def __init__(self, layers: tuple[int, ...]) -> None:
        self.layers = layers
        self.counts: Counter[int] = Counter()

    def draw(self, rng: Rng) -> int:
        layer = self.layers[0] if len(self.layers) == 1 else self.layers[int(rng.numpy.integers(len(self.layers)))]
        self.counts[layer] += 1
        return layer


def hidden_mixer(mixer: Mixer, alpha: float, rng: Rng) -> RowMixer:
    """The run's mixer applied to hidden states; token states (``Masked``) take MixUp (masks OR-ed), or a
    mixer that mixes them itself and says so with a true ``takes_tokens`` attribute (e-Mix's)."""

    def mix(h: Hidden) -> tuple[Hidden, Mix]:
        if isinstance(h, Masked) and not getattr(mixer, "takes_tokens", False):
            if mixer is not mixup:
                raise ValueError("only MixUp can mix token states; the run's checks should have refused this mixer")
            drawn = mixup_draw(len(h), alpha, rng, h.values.device)
            return mix_hidden(h, drawn.perm, drawn.lam), drawn
        return mixer(h, alpha, rng)

    return mix


def _unfilled(device: torch.device) -> Mix:
    return Mix(perm=torch.empty(0, dtype=torch.long, device=device), lam=torch.empty(0, device=device))


@contextlib.contextmanager
def mixing_inside(backbone: nn.Module, layer: int, rows: int, mix_rows: RowMixer,
                  device: torch.device) -> Iterator[Mix]:
    """While open, the backbone's (one) call mixes rows ``0..rows-1`` of its state after block ``layer``.

    Yields the ``Mix`` the losses need; its partners and coefficients are filled in when the
    backbone runs. The backbone must run exactly once inside (a second call, or none, is a bug).
    """
    mix = _unfilled(device)
    calls = []

    def forward(x: Hidden) -> Hidden:
        if calls:
            raise RuntimeError("the backbone ran twice in one i-Mix loss; mixing inside the encoder mixes one call")
        calls.append(layer)
        h = backbone.forward_partial(x, 0, layer)
        mixed, drawn = mix_rows(h[:rows])
        mix.perm, mix.lam = drawn.perm, drawn.lam
        return backbone.forward_partial(mixed if rows == len(h) else cat_hidden([mixed, h[rows:]]), layer, None)

    previous = backbone.__dict__.get("forward")  # a compiled forward (--compile) is set on the instance
    backbone.forward = forward  # type: ignore[method-assign]
    try:
        yield mix
    finally:
        if previous is None:
            del backbone.forward
        else:
            backbone.forward = previous  # type: ignore[method-assign]
    if not calls:
        raise RuntimeError("the method did not run its backbone inside an i-Mix loss, so nothing was mixed")
