"""Checks of ``--mix-layer`` against the built encoder and the domain, before any training.

Which layers exist depends on the encoder (``mix_layers``, encoders/staged.py), whether CutMix
can cut a box on the shape of its hidden state there, and whether the domain's raw inputs can
be mixed at all (``Domain.input_mixable``). Every refusal names the layers that would work.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from encoders.staged import Masked, Staged

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.core.mix_layer import INPUT, parse_mix_layers


def deepest_layer(backbone: nn.Module) -> int:
    """The largest k the backbone can be mixed after; 0 for an encoder that cannot be run in parts."""
    return int(backbone.mix_layers) if isinstance(backbone, Staged) else 0


@torch.no_grad()
def hidden_shapes(backbone: nn.Module, sample: Tensor, layers: list[int]) -> dict[int, tuple[Any, ...]]:
    """Per layer, the shape of one sample's state there (a token state: its values), from a 2-sample pass in
    eval mode (so BatchNorm's running statistics are left as they are)."""
    was_training = backbone.training
    backbone.eval()
    try:
        shapes = {}
        for layer in layers:
            h = backbone.forward_partial(sample, 0, layer) if layer else sample
            shapes[layer] = ("tokens", *h.values.shape[1:]) if isinstance(h, Masked) else tuple(h.shape[1:])
        return shapes
    finally:
        backbone.train(was_training)


def _layer_range(encoder: str, deepest: int) -> str:
    if deepest == 0:
        return (f"the {encoder} encoder cannot be run in parts (it has no mix_layers and forward_partial, "
                "encoders/staged.py), so its only layer is 0 (the input)")
    return f"the {encoder} encoder's layers are 0 (the input) to {deepest} (after block {deepest})"


def check_mix_layers(cfg: RunConfig, domain: Any, backbone: nn.Module, encoder: str,
                     sample: Tensor) -> list[dict[str, Any]]:
    """Refuse layers the run cannot mix at; return where it mixes, for the record.

    ``sample``: two model inputs (the domain's preprocess of two training samples).
    """
    layers = list(parse_mix_layers(cfg.mix_layer))
    deepest = deepest_layer(backbone)
    past = [k for k in layers if k > deepest]
    if past:
        raise UserError(f"--mix-layer {cfg.mix_layer}: layer {past[0]} is past the encoder's depth; "
                        f"{_layer_range(encoder, deepest)}.")
    if INPUT in layers and not domain.input_mixable:
        if deepest == 0:
            raise UserError(f"i-Mix cannot run on the {domain.name} domain with the {encoder} encoder: the domain's "
                            "inputs cannot be mixed, and the encoder cannot be mixed inside. Choose an encoder that "
                            "can (one with mix_layers, encoders/staged.py).")
        raise UserError(f"the {domain.name} domain's raw inputs cannot be mixed (--mix-layer 0); mix inside the "
                        f"encoder: --mix-layer 1 (after block 1) to {deepest}.")
    shapes = hidden_shapes(backbone, sample, layers) if deepest else {INPUT: tuple(sample.shape[1:])}
    if cfg.mix == "cutmix":
        flat = [k for k in layers if k != INPUT and not _spatial(shapes[k])]
        if flat:
            every = hidden_shapes(backbone, sample, list(range(1, deepest + 1)))
            spatial = [k for k, shape in every.items() if _spatial(shape)]
            valid = ", ".join(map(str, [INPUT] + spatial))
            raise UserError(f"--mix cutmix at --mix-layer {flat[0]}: the {encoder} encoder's state after block "
                            f"{flat[0]} is shaped {_shown(shapes[flat[0]])}, with no spatial dimensions to cut a box "
                            f"from ({_kind(shapes[flat[0]])}). CutMix works at layers {valid}; MixUp (--mix mixup) "
                            f"at any of 0 to {deepest}.")
    return [{"layer": k, "where": "input" if k == INPUT else f"after block {k} of {encoder}",
             "shape": [str(d) if isinstance(d, str) else int(d) for d in shapes[k]]} for k in layers]


def _spatial(shape: tuple[Any, ...]) -> bool:
    """CutMix's shape: (C, *spatial) with at least one spatial dimension, and not a token state."""
    return len(shape) >= 2 and shape[0] != "tokens"


def _kind(shape: tuple[Any, ...]) -> str:
    return "a sequence of tokens" if shape and shape[0] == "tokens" else "it is flat"


def _shown(shape: tuple[Any, ...]) -> str:
    return "(N, " + ", ".join(str(d) for d in shape) + ")"
