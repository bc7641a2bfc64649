"""What a strategy cannot do, refused before any data is loaded: with the message that says what would work."""

from __future__ import annotations

from typing import Any

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.training.methods import METHODS, canonical_method


def check_strategy_method(cfg: RunConfig) -> None:
    """e-Mix needs a method whose virtual labels can be mixed (said before the method's own i-Mix refusal,
    since the user asked for e-Mix, not for --imix)."""
    cls = METHODS[canonical_method(cfg.method)]
    if cfg.strategy == "emix" and not cls.supports_imix:
        raise UserError(f"--strategy emix mixes virtual labels as i-Mix does, which --method {cfg.method} cannot: "
                        f"{cls.imix_refusal}")


def check_strategy(cfg: RunConfig, domain: Any) -> None:
    """e-Mix needs a method whose virtual labels can be mixed; input-space strategies need mixable inputs."""
    check_strategy_method(cfg)
    input_space = [name for name, used in (("--inputmix", cfg.inputmix), (f"--strategy {cfg.strategy}",
                                           cfg.strategy in ("dacl", "gaussian"))) if used]
    if input_space and not getattr(domain, "input_mixable", True):
        raise UserError(f"{input_space[0]} works on the raw inputs, and the {domain.name} domain's inputs cannot be "
                        "mixed or noised (input_mixable = False). Use --imix --mix-layer 1 or --strategy emix, which "
                        "mix inside the encoder.")
