"""One batch's loss: the query view mixed (i-Mix, at the input or inside the backbone) or not.

Shared by the trainer, perf (the step it times) and the fidelity tests, which compare it with the
official code's step term by term.
"""

from __future__ import annotations

from torch import Tensor, nn

from bench.core.config import RunConfig
from bench.core.mix_layer import INPUT, parse_mix_layers
from bench.core.rng import Rng
from bench.training.hidden_mix import LayerDraw, hidden_mixer, mixing_inside
from bench.training.methods import Method
from bench.training.mixing import Mix, Mixer
from bench.training.npair_groups import grouped_step_loss


def step_loss(method: Method, query: Tensor, key: Tensor | None, labels: Tensor,
              mixer: Mixer | None, alpha: float, rng: Rng, symmetric: bool,
              layers: LayerDraw | None = None, symmetric_loss: str | None = None) -> Tensor:
    """The loss of one batch: mix the query view (i-Mix), or not (baseline).

    ``layers`` (--mix-layer): where to mix, one layer drawn per direction as the official code
    draws it; above 0 the backbone mixes its query rows after that block (hidden_mix.py).
    Symmetric: the official --sym adds both directions, updating queue and EMA encoders between
    them; ``symmetric_loss="mean"``, the earlier form, averages them.
    """

    def one_direction(q: Tensor, k: Tensor | None) -> Tensor:
        if mixer is None:
            return method.loss(q, k, Mix.identity(q.shape[0], q.device), labels)
        layer = INPUT if layers is None else layers.draw(rng)
        if layer == INPUT:
            mixed, mix = mixer(q, alpha, rng)
            return method.loss(mixed, k, mix, labels)
        with mixing_inside(method.backbone, layer, q.shape[0], hidden_mixer(mixer, alpha, rng), q.device) as mix:
            return method.loss(q, k, mix, labels)

    if symmetric and key is not None:
        if symmetric_loss == "mean":
            return 0.5 * (one_direction(query, key) + one_direction(key, query))
        first = one_direction(query, key)
        method.between_directions()
        return first + one_direction(key, query)
    return one_direction(query, key)


class StepLoss(nn.Module):
    """One batch's loss as a module call, so DistributedDataParallel sees the forward pass."""

    def __init__(self, method: Method, mixer: Mixer | None, cfg: RunConfig, rng: Rng) -> None:
        super().__init__()
        self.method = method
        self.mixer, self.alpha, self.symmetric, self.rng = mixer, cfg.alpha, cfg.symmetric, rng
        self.layers = LayerDraw(parse_mix_layers(cfg.mix_layer)) if mixer is not None else None
        self.symmetric_loss, self.group = cfg.symmetric_loss, cfg.npair_group

    def forward(self, query: Tensor, key: Tensor | None, labels: Tensor) -> Tensor:
        def loss_of(q: Tensor, k: Tensor | None, y: Tensor) -> Tensor:
            return step_loss(self.method, q, k, y, self.mixer, self.alpha, self.rng, self.symmetric,
                             self.layers, self.symmetric_loss)

        return grouped_step_loss(self.group, query, key, labels, loss_of)
