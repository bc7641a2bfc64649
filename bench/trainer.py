"""The one pretraining loop every domain and method shares.

Batches are drawn from tensors that already sit on the training device, views are made
there by the domain's batched augmentation, and only the query view is mixed. There is
no DataLoader: with on-device augmentation it would only add copies and processes.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor

from domains.base import Domain, Split

from .config import RunConfig
from .errors import TrainingDiverged
from .methods import Method
from .mixing import Mix, Mixer, get_mixer, input_mix
from .progress import EpochProgress
from .rng import Rng

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass
class TrainStats:
    epoch_losses: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    samples: int = 0
    monitor: list[dict[str, Any]] = field(default_factory=list)  # what on_epoch_end returned

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0


def build_optimizer(cfg: RunConfig, parameters) -> torch.optim.Optimizer:
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=cfg.scaled_lr, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(parameters, lr=cfg.scaled_lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


def warmup_cosine(total_steps: int, warmup_steps: int):
    """Learning-rate factor per step: linear warm-up, then cosine decay to zero."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def autocast(device: torch.device, precision: str):
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def make_views(domain: Domain, method: Method, x: Tensor, rng: Rng, cfg: RunConfig) -> tuple[Tensor, Tensor | None]:
    """The query and key views of a batch: augmented, or clean with --no-aug; InputMix on top."""

    def view() -> Tensor:
        v = domain.preprocess(x) if cfg.no_aug else domain.augment(x, rng)
        return input_mix(v, rng) if cfg.inputmix else v

    query = view()
    key = view() if method.needs_key_view else None
    if cfg.channels_last and query.dim() == 4:
        query = query.contiguous(memory_format=torch.channels_last)
        key = key.contiguous(memory_format=torch.channels_last) if key is not None else None
    return query, key


def step_loss(method: Method, query: Tensor, key: Tensor | None, labels: Tensor,
              mixer: Mixer | None, alpha: float, rng: Rng, symmetric: bool) -> Tensor:
    """The loss of one batch: mix the query view (i-Mix), or not (baseline)."""

    def one_direction(q: Tensor, k: Tensor | None) -> Tensor:
        if mixer is None:
            return method.loss(q, k, Mix.identity(q.shape[0], q.device), labels)
        mixed, mix = mixer(q, alpha, rng)
        return method.loss(mixed, k, mix, labels)

    if symmetric and key is not None:
        return 0.5 * (one_direction(query, key) + one_direction(key, query))
    return one_direction(query, key)


def pretrain(
    method: Method,
    domain: Domain,
    train: Split,
    cfg: RunConfig,
    device: torch.device,
    rng: Rng,
    on_epoch_end: Callable[[int], dict[str, Any] | None] | None = None,
) -> TrainStats:
    """Train ``method`` for ``cfg.epochs`` epochs; raise TrainingDiverged on a NaN loss.

    ``on_epoch_end(epoch)`` (epoch counted from 1) may evaluate the model; whatever it returns
    is kept in ``TrainStats.monitor``. Its time is not counted as training time.
    """
    stats = TrainStats()
    n = len(train)
    batch_size = min(cfg.batch_size, n)
    steps_per_epoch = n // batch_size
    total_steps = cfg.epochs * steps_per_epoch
    optimizer = build_optimizer(cfg, [p for p in method.parameters() if p.requires_grad])
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine(total_steps, cfg.warmup_epochs * steps_per_epoch))
    scaler = torch.amp.GradScaler(device.type, enabled=cfg.precision == "fp16")
    mixer = get_mixer(cfg.mix) if cfg.imix else None
    x_all, y_all = train.x.to(device), train.y.to(device)
    progress = EpochProgress(cfg.epochs, f"{cfg.method}{'+i-Mix' if cfg.imix else ''}", cfg.quiet)
    method.train()
    try:
        for epoch in range(cfg.epochs):
            started = time.perf_counter()
            order = torch.randperm(n, generator=rng.torch, device=rng.torch.device).to(device)
            loss_sum = torch.zeros((), device=device)
            for step in range(steps_per_epoch):
                index = order[step * batch_size:(step + 1) * batch_size]
                x, labels = x_all[index], y_all[index]
                with autocast(device, cfg.precision):
                    query, key = make_views(domain, method, x, rng, cfg)
                    loss = step_loss(method, query, key, labels, mixer, cfg.alpha, rng, cfg.symmetric)
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                method.after_step()
                loss_sum += loss.detach().float()
            epoch_loss = float(loss_sum) / steps_per_epoch  # one device sync per epoch
            if not math.isfinite(epoch_loss):
                raise TrainingDiverged(
                    f"the loss became {epoch_loss} in epoch {epoch + 1}. Likely causes: a learning "
                    f"rate too high for this batch size (--lr {cfg.lr}), a temperature too low "
                    f"(--temperature {cfg.temperature}), or fp16 overflow (--precision). "
                    "No record was written for this run; earlier records are untouched."
                )
            elapsed = time.perf_counter() - started
            stats.epoch_losses.append(epoch_loss)
            stats.steps += steps_per_epoch
            stats.seconds += elapsed
            stats.samples += steps_per_epoch * batch_size
            progress.update(epoch + 1, epoch_loss, steps_per_epoch * batch_size / max(elapsed, 1e-9))
            if on_epoch_end is not None:
                entry = on_epoch_end(epoch + 1)
                if entry is not None:
                    stats.monitor.append(entry)
                method.train()
    finally:
        progress.close()
    return stats
