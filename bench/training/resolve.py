"""A run's settings, resolved: the layers of defaults, then the rules of the chosen method and mixer.

Lives in training, not in the core, because the method and the mixer own their rules
(``bench/training/methods/base.py``, ``MixerSpec``) and the core knows neither.
"""

from __future__ import annotations

from typing import Any

from bench.core.config import RunConfig, field_default, layered
from bench.training.methods import method_class, settle
from bench.training.mixing import mixer_spec
from bench.core.options import fill, unique


def resolve(overrides: dict[str, Any], domain_defaults: dict[str, Any] | None = None) -> RunConfig:
    """Declared defaults < the method's own < the domain's < explicit overrides (None is unset); then
    the method's rules, and the mixer's parameters filled in at their defaults unless given."""
    name = overrides.get("method") or (domain_defaults or {}).get("method") or field_default("method")
    cfg = settle(layered(overrides, {**method_class(name).defaults, **(domain_defaults or {})}))
    spec = mixer_spec(cfg.mix)  # an unknown name lists the mixers
    cfg.mix_options = fill(unique(spec.params), dict(cfg.mix_options), spec.name, kind="mix")
    return cfg
