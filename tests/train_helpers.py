"""Small pretraining setups shared by the checkpoint and multi-process tests."""

from __future__ import annotations

import torch

from bench.core.config import RunConfig
from bench.training.resolve import resolve
from bench.training.methods import build_method
from bench.core.rng import Rng
from bench.training.sync_bn import convert_sync_batchnorm
from bench.training.trainer import pretrain
from domains import domain_class
from domains.base import Split
from encoders import build_encoder

TINY = dict(width=32, proj_hidden=32, proj_dim=16, queue_size=64, batch_size=32, quiet=True, temperature=0.1)


def tabular_split(n: int = 128) -> tuple[object, Split]:
    """The first ``n`` rows of the embedded digits table, and its domain."""
    from bench.run import load_data

    domain = domain_class("tabular")()
    data = load_data(RunConfig(), domain)
    return domain, Split(data.train.x[:n], data.train.y[:n])


def tiny_config(**overrides) -> RunConfig:
    settings = {**TINY, **overrides}
    width = settings.pop("width")
    return resolve({**settings, "encoder_options": {"width": width, "depth": 2}})


def build(cfg: RunConfig, input_shape, n_train: int, device=torch.device("cpu")):
    """The method as run_experiment builds it: same seed, same initial weights on every process."""
    torch.manual_seed(cfg.seed)
    backbone = build_encoder("mlp", input_shape, cfg.encoder_options)
    method = build_method(cfg, backbone, backbone.feature_dim, n_classes=10, n_train=n_train)
    if cfg.sync_bn:
        method = convert_sync_batchnorm(method, device)
    return method


def train(cfg: RunConfig, on_epoch_end=None):
    """Pretrain a tiny MLP on 128 digits rows; returns (method, stats)."""
    from bench.training import distributed

    domain, split = tabular_split()
    method = build(cfg, tuple(split.x.shape[1:]), len(split))
    rng = Rng.from_seed(cfg.seed + distributed.rank())
    stats = pretrain(method, domain, split, cfg, torch.device("cpu"), rng, on_epoch_end=on_epoch_end)
    return method, stats
