"""A run's settings, resolved: the layers of defaults, then the rules of the chosen method and mixer.

Lives in training, not in the core, because the method and the mixer own their rules
(``bench/training/methods/base.py``, ``MixerSpec``) and the core knows neither.
"""

from __future__ import annotations

from typing import Any

from bench.core.config import RunConfig, field_default, layered
from bench.core.mix_layer import canonical_mix_layers
from bench.core.options import fill, unique
from bench.training.methods import method_class, settle
from bench.training.mixing import mixer_spec
from bench.training.strategies import strategy_switches
from bench.training.strategies.checks import check_strategy_method


def resolve(overrides: dict[str, Any], domain_defaults: dict[str, Any] | None = None) -> RunConfig:
    """Declared defaults < the method's own < the domain's < explicit overrides (None is unset); then
    --strategy as the switches it stands for, the method's rules, and the mixer's parameters filled
    in at their defaults unless given."""
    name = overrides.get("method") or (domain_defaults or {}).get("method") or field_default("method")
    defaults = {**method_class(name).defaults, **(domain_defaults or {})}
    mix_layer_given = any(layer.get("mix_layer") is not None for layer in (overrides, defaults))
    cfg = strategy_switches(layered(overrides, defaults), mix_layer_given).validate()
    cfg.mix_layer = canonical_mix_layers(cfg.mix_layer)  # refuses a misspelt list
    check_strategy_method(cfg)
    cfg = settle(cfg)
    spec = mixer_spec(cfg.mix)  # an unknown name lists the mixers
    cfg.mix_options = fill(unique(spec.params), dict(cfg.mix_options), spec.name, kind="mix")
    return with_conditional_settings(cfg)


def with_conditional_settings(cfg: RunConfig) -> RunConfig:
    """The official value of each setting that applies to this run, None for those that change nothing
    (the settings declared ``sometimes``).

    A setting that changes nothing is recorded as None even when given, so a suite's flag that applies
    to some cells only does not set the others apart from their earlier records.
    """
    cfg.symmetric_loss = (cfg.symmetric_loss or "sum") if cfg.symmetric else None
    cfg.mix_layer = cfg.mix_layer if cfg.imix else "0"  # a baseline mixes nowhere, so a suite's --mix-layer keeps its cells
    reads_box = cfg.imix and "cutmix_box" in mixer_spec(cfg.mix).run_settings
    cfg.cutmix_box = (cfg.cutmix_box or "official") if reads_box else None
    drops_inputs = bool((cfg.domain_options or {}).get("inputdrop"))
    cfg.no_aug_inputdrop = (cfg.no_aug_inputdrop or "keep") if cfg.no_aug and drops_inputs else None
    return cfg
