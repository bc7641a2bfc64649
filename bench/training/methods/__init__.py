"""The pretraining methods, by name. One file per method; the losses are plain functions."""

from __future__ import annotations

import torch
from torch import nn

from bench.core.config import RunConfig, official_moco_negatives
from bench.core.errors import UserError, unknown_choice
from bench.core.log import logger
from bench.training.methods.base import Method
from bench.training.methods.byol import BYOL
from bench.training.methods.moco import MoCo
from bench.training.methods.ntxent import NTXent
from bench.training.methods.simclr import SimCLR
from bench.training.methods.supervised import Supervised

METHODS: dict[str, type[Method]] = {cls.name: cls for cls in (SimCLR, NTXent, MoCo, BYOL, Supervised)}
ALIASES = {"npair": "simclr", "mocov2": "moco"}


def canonical_method(name: str) -> str:
    name = ALIASES.get(name, name)
    if name not in METHODS:
        raise unknown_choice("method", name, list(METHODS) + list(ALIASES))
    return name


def check_method_config(cfg: RunConfig) -> None:
    """Refuse combinations that have no meaning before any data is loaded."""
    cls = METHODS[canonical_method(cfg.method)]
    if cfg.imix and not cls.supports_imix:
        raise UserError(f"--imix is not available for --method {cfg.method}: {cls.imix_refusal}")


def moco_queue_size(requested: int, n_train: int, batch_size: int) -> int:
    """Clamp the queue so it never holds keys of the very samples it is contrasted with.

    A queue as long as the training set would hold an old key of every sample, so each
    query would meet a stale copy of its own positive among the negatives.
    """
    limit = max(n_train - batch_size, batch_size)
    if requested > limit:
        logger.warning(
            "MoCo queue of %d keys is too long for %d training samples at batch %d; using %d. "
            "Pass --queue-size to choose another length.", requested, n_train, batch_size, limit,
        )
        return limit
    return requested


def build_method(
    cfg: RunConfig,
    backbone: nn.Module,
    feature_dim: int,
    *,
    n_classes: int,
    n_train: int,
    generator: torch.Generator | None = None,
) -> Method:
    name = canonical_method(cfg.method)
    # The official heads' hidden layer is as wide as the backbone's features (builder.py: dim_mlp = dim_in).
    heads = dict(proj_hidden=cfg.proj_hidden or feature_dim, proj_dim=cfg.proj_dim, proj_head=cfg.proj_head)
    if name == "simclr":
        return SimCLR(backbone, feature_dim, temperature=cfg.temperature, local_logits=cfg.npair_group is not None,
                      **heads)
    if name == "ntxent":
        return NTXent(backbone, feature_dim, temperature=cfg.temperature, **heads)
    if name == "moco":
        size = moco_queue_size(cfg.queue_size, n_train, cfg.batch_size)
        return MoCo(backbone, feature_dim, temperature=cfg.temperature, momentum=cfg.ema,
                    queue_size=size, generator=generator, shuffle_bn=cfg.shuffle_bn,
                    negatives=cfg.moco_negatives or official_moco_negatives(cfg.imix), **heads)
    if name == "byol":
        return BYOL(backbone, feature_dim, momentum=cfg.ema, pred_head=cfg.pred_head, **heads)
    return Supervised(backbone, feature_dim, n_classes=n_classes)


__all__ = ["METHODS", "Method", "build_method", "canonical_method", "check_method_config"]
