"""The pretraining methods, by name: one file per method, one line each in ``METHODS``.

A method declares its settings, checks and construction on its class (``methods/base.py``);
this module only finds it by name and applies the rules every method shares.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from bench.core.config import RunConfig, field_default
from bench.core.errors import UserError, unknown_choice
from bench.core.options import fill, unique
from bench.training.methods.base import BuildContext, Method
from bench.training.methods.byol import BYOL
from bench.training.methods.moco import MoCo
from bench.training.methods.ntxent import NTXent
from bench.training.methods.simclr import SimCLR
from bench.training.methods.supervised import Supervised

METHODS: dict[str, type[Method]] = {cls.name: cls for cls in (SimCLR, NTXent, MoCo, BYOL, Supervised)}


def aliases() -> dict[str, str]:
    """Other names a method answers to (npair is simclr, mocov2 is moco), read from the classes."""
    return {alias: name for name, cls in METHODS.items() for alias in cls.aliases}


def canonical_method(name: str) -> str:
    name = aliases().get(name, name)
    if name not in METHODS:
        raise unknown_choice("method", name, list(METHODS) + list(aliases()))
    return name


def method_class(name: str) -> type[Method]:
    return METHODS[canonical_method(name)]


def method_options(name: str, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every option the method declares, at its default unless given; an unknown name is refused."""
    cls = method_class(name)
    return fill(unique(cls.options), dict(given or {}), cls.name, kind="method")


def settle(cfg: RunConfig) -> RunConfig:
    """Apply the method's rules to a resolved config: refuse another method's exclusive settings and
    what the method itself refuses, check its options, then let it fill in what it decides."""
    cls = method_class(cfg.method)
    for other in METHODS.values():
        for name, applies_to in other.exclusive.items() if other is not cls else ():
            if getattr(cfg, name) != field_default(name):
                raise UserError(f"--{name.replace('_', '-')} applies to {applies_to.format(method=cfg.method)}")
    cfg.method_options = method_options(cls.name, cfg.method_options)
    cls.check(cfg)
    cls.complete(cfg)
    return cfg


def build_method(cfg: RunConfig, backbone: nn.Module, feature_dim: int, *, n_classes: int, n_train: int,
                 generator: torch.Generator | None = None) -> Method:
    cls = method_class(cfg.method)
    return cls.from_config(cfg, backbone, feature_dim, BuildContext(n_classes, n_train, generator))


__all__ = ["METHODS", "BuildContext", "Method", "aliases", "build_method", "canonical_method",
           "method_class", "method_options", "settle"]
