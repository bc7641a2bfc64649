"""The one pretraining loop every domain and method shares.

Batches are drawn from tensors that already sit on the training device, views are made
there by the domain's batched augmentation, and only the query view is mixed. There is
no DataLoader: with on-device augmentation it would only add copies and processes.

Under torchrun each process takes its slice of every global batch (bench/training/distributed.py);
the losses gather what they need from the other processes, and DDP averages gradients.
With --checkpoint-dir the state after each N-th epoch is saved, and --resume continues from it.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor, nn

from domains.base import Domain, Split

from bench.training import distributed
from bench.training.checkpoint import checkpoint_path
from bench.core.config import RunConfig, config_key
from bench.core.errors import TrainingDiverged
from bench.core.log import logger
from bench.training.methods import Method
from bench.training.npair_groups import check_group
from bench.training.optimisation import autocast, build_optimizer, build_scheduler
from bench.training.step_loss import StepLoss
from bench.training.strategies import label_mixer
from bench.training.views import make_views  # noqa: F401 (the trainer's, imported from here by perf and tests)
from bench.training.progress import EpochProgress
from bench.training.step_meter import StepMeter, step_meter
from bench.core.rng import Rng
from bench.training.training_state import TrainingState, resume, save

EpochEnd = Callable[[int, dict[str, float]], dict[str, Any] | None]


@dataclass
class TrainStats:
    epoch_losses: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    samples: int = 0
    monitor: list[dict[str, Any]] = field(default_factory=list)  # what on_epoch_end returned
    batch_size: int = 0  # the global batch used: --batch-size clamped to the pretraining split
    lr: float = 0.0  # the peak learning rate: --lr scaled by that batch
    # The epoch a resumed run continued after (None: trained in one process). `seconds` then
    # includes the earlier processes' training, and `earlier_wall_seconds` their wall time up to the
    # checkpoint this process resumed from (what they did after it is lost, so not counted).
    resumed_at_epoch: int | None = None
    earlier_wall_seconds: float = 0.0

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0

    def add_epoch(self, loss: float, steps: int, batch_size: int, seconds: float) -> None:
        self.epoch_losses.append(loss)
        self.steps += steps
        self.seconds += seconds
        self.samples += steps * batch_size


@dataclass(frozen=True)
class Batches:
    """How each epoch is cut: the global batch (--batch-size clamped to the data), this process's
    slice of it, and the number of full batches in an epoch (a last partial batch is left out)."""

    size: int
    local: int
    per_epoch: int

    @classmethod
    def plan(cls, cfg: RunConfig, n: int) -> "Batches":
        size = min(cfg.batch_size, n)
        if size < cfg.batch_size and cfg.epochs > 0 and distributed.is_main():
            logger.warning("--batch-size %d is more than the %d pretraining samples: each batch holds all %d, and "
                           "the learning rate is scaled for batch %d (%.4g)", cfg.batch_size, n, n, n,
                           cfg.lr * n / 256)
        return cls(size, distributed.local_batch_size(size), n // size)


@dataclass
class EpochSteps:
    """One epoch's optimisation steps over data already on the device, with no host sync inside."""

    model: nn.Module  # StepLoss, wrapped in DDP under torchrun
    method: Method
    domain: Domain
    cfg: RunConfig
    device: torch.device
    rng: Rng
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    meter: StepMeter | None
    batches: Batches

    def run(self, epoch: int, x_all: Tensor, y_all: Tensor, order: Tensor) -> Tensor:
        """The summed loss of the epoch's steps, as a tensor on the device."""
        loss_sum = torch.zeros((), device=self.device)
        offset = distributed.rank() * self.batches.local
        for step in range(self.batches.per_epoch):
            start = step * self.batches.size + offset
            index = order[start:start + self.batches.local]
            x, labels = x_all[index], y_all[index]
            with autocast(self.device, self.cfg.precision):
                query, key = make_views(self.domain, self.method, x, self.rng, self.cfg)
                loss = self.model(query, key, labels)
            if self.meter is not None:  # the learning rate this step uses, before the scheduler moves it
                self.meter.step(epoch * self.batches.per_epoch + step + 1, loss, self.optimizer.param_groups[0]["lr"])
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.scheduler.step()
            self.method.after_step()
            loss_sum += loss.detach().float()
        return loss_sum


def check_finite(loss: float, epoch: int, cfg: RunConfig) -> None:
    if not math.isfinite(loss):
        raise TrainingDiverged(
            f"the loss became {loss} in epoch {epoch + 1}. Likely causes: a learning "
            f"rate too high for this batch size (--lr {cfg.lr}), a temperature too low "
            f"(--temperature {cfg.temperature}), or fp16 overflow (--precision). "
            "No record was written for this run; earlier records are untouched."
        )


def checkpoint_due(cfg: RunConfig, epoch: int) -> bool:
    """After the last epoch, and every --checkpoint-every epochs (``epoch`` counted from 1)."""
    return epoch == cfg.epochs or (cfg.checkpoint_every > 0 and epoch % cfg.checkpoint_every == 0)


@contextlib.contextmanager
def compiled_backbone(method: Method, enabled: bool):
    """With --compile: torch.compile the backbone's forward for training only.

    The loss code (numpy mixing coefficients, queues) stays eager; the compiled forward is
    removed afterwards, so evaluation's other batch shapes do not trigger recompilation.
    """
    if not enabled:
        yield
        return
    backbone = method.backbone
    backbone.forward = torch.compile(backbone.forward)  # type: ignore[method-assign]
    try:
        yield
    finally:
        del backbone.forward


def pretrain(
    method: Method,
    domain: Domain,
    train: Split,
    cfg: RunConfig,
    device: torch.device,
    rng: Rng,
    on_epoch_end: EpochEnd | None = None,
    started: float | None = None,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
) -> TrainStats:
    """Train ``method`` for ``cfg.epochs`` epochs; raise TrainingDiverged on a NaN loss.

    ``on_epoch_end(epoch, scalars)`` (epoch counted from 1; scalars: the epoch's mean ``loss`` and
    the ``lr`` of its first step) may evaluate or log; whatever it returns is kept in
    ``TrainStats.monitor``. Its time is not counted as training time. ``on_step(step, scalars)``
    gets the loss, lr, lam mean and samples/s every ``cfg.log_every`` steps (bench/training/step_meter.py).
    ``rng`` is this process's generator (seed + rank under torchrun). ``started``: when this process
    began the run (``time.perf_counter()``), for the wall time a checkpoint carries to a resumed run.
    """
    process_started = time.perf_counter() if started is None else started
    n = len(train)
    batches = Batches.plan(cfg, n)
    stats = TrainStats(batch_size=batches.size, lr=cfg.lr * batches.size / 256)
    optimizer = build_optimizer(cfg, [p for p in method.parameters() if p.requires_grad], batches.size)
    scheduler = build_scheduler(cfg, optimizer, batches.per_epoch)
    scaler = torch.amp.GradScaler(device.type, enabled=cfg.precision == "fp16")
    check_group(cfg.npair_group, batches.local)
    meter = step_meter(on_step, cfg.log_every, batches.size)
    mixer = label_mixer(cfg)
    mixer = meter.watch(mixer) if meter is not None else mixer
    # One process keeps the data order on its own generator, as before there were several;
    # several processes need one order they all agree on, apart from their augmentations.
    order_generator = (rng.torch if distributed.world_size() == 1
                       else torch.Generator(device=rng.torch.device).manual_seed(cfg.seed))
    state = TrainingState(method, optimizer, scheduler, scaler, rng, order_generator, stats)
    run_key = config_key(cfg.to_dict())  # a checkpoint belongs to exactly this run's settings
    path = checkpoint_path(cfg.checkpoint_dir, run_key) if cfg.checkpoint_dir else None
    if path is not None and cfg.resume:
        resume(state, path, run_key, cfg.epochs, distributed.rank(), distributed.world_size())
    steps = EpochSteps(distributed.wrap(StepLoss(method, mixer, cfg, rng)), method, domain, cfg, device, rng,
                       optimizer, scheduler, scaler, meter, batches)
    x_all, y_all = train.x.to(device), train.y.to(device)
    progress = EpochProgress(cfg.epochs, f"{cfg.method}{'+i-Mix' if cfg.imix else ''}",
                             cfg.quiet or not distributed.is_main(), done=state.epoch)
    method.train()
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(compiled_backbone(method, cfg.compile))
        cleanup.callback(progress.close)
        for epoch in range(state.epoch, cfg.epochs):
            epoch_started = time.perf_counter()
            lr = optimizer.param_groups[0]["lr"]
            order = torch.randperm(n, generator=order_generator, device=order_generator.device).to(device)
            loss_sum = steps.run(epoch, x_all, y_all, order)
            # one device sync (and one collective) per epoch
            epoch_loss = float(distributed.mean_over_processes(loss_sum)) / batches.per_epoch
            check_finite(epoch_loss, epoch, cfg)
            elapsed = time.perf_counter() - epoch_started
            stats.add_epoch(epoch_loss, batches.per_epoch, batches.size, elapsed)
            progress.update(epoch + 1, epoch_loss, batches.per_epoch * batches.size / max(elapsed, 1e-9))
            if on_epoch_end is not None:
                entry = on_epoch_end(epoch + 1, {"loss": epoch_loss, "lr": lr})
                if entry is not None:
                    stats.monitor.append(entry)
                method.train()
            state.epoch = epoch + 1
            if path is not None and checkpoint_due(cfg, state.epoch):
                save(state, path, run_key, cfg.data_root, process_started)
    return stats
