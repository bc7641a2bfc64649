"""``--mix-layer``: where i-Mix mixes, as layer numbers (0 the input, k after block k of the encoder).

A comma list ("0,2,3") draws one of its layers per step, as the official ``--mix-layers`` does
(main_pretext.py; there a string of digits). Which numbers an encoder accepts is known only
once it is built (bench/training/hidden_mix.py checks that); here only the spelling is checked.
"""

from __future__ import annotations

from bench.core.errors import UserError

INPUT = 0


def parse_mix_layers(text: str) -> tuple[int, ...]:
    """"2" -> (2,), "0, 2,3" -> (0, 2, 3); anything else is refused with the valid form."""
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdigit() for part in parts):
        raise UserError(f"--mix-layer {text!r} is not a layer number or a comma list of them: give 0 (the input, "
                        "the default), k (after block k of the encoder) or a list such as 0,2,3 (one drawn per step).")
    layers = tuple(int(part) for part in parts)
    if len(set(layers)) != len(layers):
        raise UserError(f"--mix-layer {text!r} names a layer twice; each layer is drawn with equal chance, so "
                        "list each once.")
    return layers


def canonical_mix_layers(text: str) -> str:
    """The spelling stored in the record ("0, 2" -> "0,2"), so equal requests have one config digest."""
    return ",".join(str(k) for k in parse_mix_layers(text))


def describe(layers: tuple[int, ...]) -> str:
    """Where a run mixed, for summaries: "the input", "after block 2", "the input or after block 2 or 3, one per step"."""
    blocks = [str(k) for k in layers if k != INPUT]
    names = (["the input"] if INPUT in layers else []) + ([f"after block {' or '.join(blocks)}"] if blocks else [])
    return " or ".join(names) + (", one per step" if len(layers) > 1 else "")
