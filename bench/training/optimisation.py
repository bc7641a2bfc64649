"""What turns a loss into an update: the optimiser, its learning-rate schedule and the precision."""

from __future__ import annotations

import contextlib

import torch

from bench.core.config import RunConfig
from bench.training.schedules import warmup_cosine, warmup_step

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def build_optimizer(cfg: RunConfig, parameters, batch_size: int | None = None) -> torch.optim.Optimizer:
    """``batch_size``: the batch actually used (the requested one clamped to the data), which scales --lr."""
    lr = cfg.scaled_lr if batch_size is None else cfg.lr * batch_size / 256
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(parameters, lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


def build_scheduler(cfg: RunConfig, optimizer: torch.optim.Optimizer,
                    steps_per_epoch: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Per-step learning-rate factors: warm-up, then cosine (the default) or step decay at --milestones."""
    warmup_steps = cfg.warmup_epochs * steps_per_epoch
    factor = (warmup_step(steps_per_epoch, warmup_steps, list(cfg.milestones)) if cfg.schedule == "step"
              else warmup_cosine(cfg.epochs * steps_per_epoch, warmup_steps))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def autocast(device: torch.device, precision: str):
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)
