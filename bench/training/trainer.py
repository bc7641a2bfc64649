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
from pathlib import Path
from typing import Any, Callable

import torch
from torch import Tensor, nn

from domains.base import Domain, Split

from bench.training import distributed
from bench.training.checkpoint import broken_state, checkpoint_path, load_checkpoint, save_checkpoint
from bench.core.config import RunConfig, config_key
from bench.core.errors import TrainingDiverged, UserError
from bench.core.log import logger
from bench.core.mix_layer import INPUT, parse_mix_layers
from bench.training.hidden_mix import LayerDraw, hidden_mixer, mixing_inside
from bench.training.methods import Method
from bench.training.mixing import Mix, Mixer
from bench.training.npair_groups import check_group, grouped_step_loss
from bench.training.strategies import label_mixer
from bench.training.views import make_views  # noqa: F401 (the trainer's, imported from here by perf and tests)
from bench.training.progress import EpochProgress
from bench.training.schedules import warmup_cosine, warmup_step  # noqa: F401 (re-exported)
from bench.training.step_meter import step_meter
from bench.core.rng import Rng
from bench.training.training_state import TrainingState

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


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


def build_optimizer(cfg: RunConfig, parameters, batch_size: int | None = None) -> torch.optim.Optimizer:
    """``batch_size``: the batch actually used (the requested one clamped to the data), which scales --lr."""
    lr = cfg.scaled_lr if batch_size is None else cfg.lr * batch_size / 256
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(parameters, lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


def autocast(device: torch.device, precision: str):
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def step_loss(method: Method, query: Tensor, key: Tensor | None, labels: Tensor,
              mixer: Mixer | None, alpha: float, rng: Rng, symmetric: bool,
              layers: LayerDraw | None = None, symmetric_loss: str | None = None) -> Tensor:
    """The loss of one batch: mix the query view (i-Mix), or not (baseline).

    ``layers`` (--mix-layer): where to mix, one layer drawn per direction as the official code
    draws it; above 0 the backbone mixes its query rows after that block (hidden_mix.py).
    Symmetric: the official --sym adds both directions, updating queue and EMA encoders between
    them; ``symmetric_loss="mean"``, the earlier form, averages them.
    """

    def one_direction(q: Tensor, k: Tensor | None) -> Tensor:
        if mixer is None:
            return method.loss(q, k, Mix.identity(q.shape[0], q.device), labels)
        layer = INPUT if layers is None else layers.draw(rng)
        if layer == INPUT:
            mixed, mix = mixer(q, alpha, rng)
            return method.loss(mixed, k, mix, labels)
        with mixing_inside(method.backbone, layer, q.shape[0], hidden_mixer(mixer, alpha, rng), q.device) as mix:
            return method.loss(q, k, mix, labels)

    if symmetric and key is not None:
        if symmetric_loss == "mean":
            return 0.5 * (one_direction(query, key) + one_direction(key, query))
        first = one_direction(query, key)
        method.between_directions()
        return first + one_direction(key, query)
    return one_direction(query, key)


class StepLoss(nn.Module):
    """One batch's loss as a module call, so DistributedDataParallel sees the forward pass."""

    def __init__(self, method: Method, mixer: Mixer | None, cfg: RunConfig, rng: Rng) -> None:
        super().__init__()
        self.method = method
        self.mixer, self.alpha, self.symmetric, self.rng = mixer, cfg.alpha, cfg.symmetric, rng
        self.layers = LayerDraw(parse_mix_layers(cfg.mix_layer)) if mixer is not None else None
        self.symmetric_loss, self.group = cfg.symmetric_loss, cfg.npair_group

    def forward(self, query: Tensor, key: Tensor | None, labels: Tensor) -> Tensor:
        def loss_of(q: Tensor, k: Tensor | None, y: Tensor) -> Tensor:
            return step_loss(self.method, q, k, y, self.mixer, self.alpha, self.rng, self.symmetric,
                             self.layers, self.symmetric_loss)

        return grouped_step_loss(self.group, query, key, labels, loss_of)


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
    on_epoch_end: Callable[[int, dict[str, float]], dict[str, Any] | None] | None = None,
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
    stats = TrainStats()
    n = len(train)
    world, rank = distributed.world_size(), distributed.rank()
    batch_size = min(cfg.batch_size, n)  # the global batch
    if batch_size < cfg.batch_size and cfg.epochs > 0 and distributed.is_main():
        logger.warning("--batch-size %d is more than the %d pretraining samples: each batch holds all %d, and the "
                       "learning rate is scaled for batch %d (%.4g)", cfg.batch_size, n, n, n, cfg.lr * n / 256)
    stats.batch_size, stats.lr = batch_size, cfg.lr * batch_size / 256
    local = distributed.local_batch_size(batch_size)
    steps_per_epoch = n // batch_size
    total_steps = cfg.epochs * steps_per_epoch
    optimizer = build_optimizer(cfg, [p for p in method.parameters() if p.requires_grad], batch_size)
    warmup_steps = cfg.warmup_epochs * steps_per_epoch
    factor = (warmup_step(steps_per_epoch, warmup_steps, list(cfg.milestones)) if cfg.schedule == "step"
              else warmup_cosine(total_steps, warmup_steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    scaler = torch.amp.GradScaler(device.type, enabled=cfg.precision == "fp16")
    mixer = label_mixer(cfg)
    check_group(cfg.npair_group, local)
    meter = step_meter(on_step, cfg.log_every, batch_size)
    mixer = meter.watch(mixer) if meter is not None else mixer
    # One process keeps the data order on its own generator, as before there were several;
    # several processes need one order they all agree on, apart from their augmentations.
    order_generator = rng.torch if world == 1 else torch.Generator(device=rng.torch.device).manual_seed(cfg.seed)
    state = TrainingState(method, optimizer, scheduler, scaler, rng, order_generator, stats)
    run_key = config_key(cfg.to_dict())  # a checkpoint belongs to exactly this run's settings
    path = checkpoint_path(cfg.checkpoint_dir, run_key) if cfg.checkpoint_dir else None
    if path is not None and cfg.resume:
        resume(state, path, run_key, cfg.epochs, rank, world)
    model = distributed.wrap(StepLoss(method, mixer, cfg, rng))
    x_all, y_all = train.x.to(device), train.y.to(device)
    progress = EpochProgress(cfg.epochs, f"{cfg.method}{'+i-Mix' if cfg.imix else ''}",
                             cfg.quiet or not distributed.is_main(), done=state.epoch)
    method.train()
    cleanup = contextlib.ExitStack()
    cleanup.enter_context(compiled_backbone(method, cfg.compile))
    try:
        for epoch in range(state.epoch, cfg.epochs):
            started = time.perf_counter()
            lr = optimizer.param_groups[0]["lr"]
            order = torch.randperm(n, generator=order_generator, device=order_generator.device).to(device)
            loss_sum = torch.zeros((), device=device)
            for step in range(steps_per_epoch):
                start = step * batch_size + rank * local
                index = order[start:start + local]
                x, labels = x_all[index], y_all[index]
                with autocast(device, cfg.precision):
                    query, key = make_views(domain, method, x, rng, cfg)
                    loss = model(query, key, labels)
                if meter is not None:  # the learning rate this step uses, before the scheduler moves it
                    meter.step(epoch * steps_per_epoch + step + 1, loss, optimizer.param_groups[0]["lr"])
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                method.after_step()
                loss_sum += loss.detach().float()
            # one device sync (and one collective) per epoch
            epoch_loss = float(distributed.mean_over_processes(loss_sum)) / steps_per_epoch
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
                entry = on_epoch_end(epoch + 1, {"loss": epoch_loss, "lr": lr})
                if entry is not None:
                    stats.monitor.append(entry)
                method.train()
            state.epoch = epoch + 1
            if path is not None and (state.epoch == cfg.epochs or (
                    cfg.checkpoint_every > 0 and state.epoch % cfg.checkpoint_every == 0)):
                save(state, path, run_key, cfg.data_root, process_started)
    finally:
        progress.close()
        cleanup.close()
    return stats


def save(state: TrainingState, path, key: str, data_root: str, started: float) -> None:
    """Rank 0 writes the checkpoint, with every process's random generator states and the wall time
    since ``started`` added to the earlier processes'.

    A checkpoint that cannot be written (disk full, folder gone) goes under the data root
    instead, with a warning naming it; training goes on.
    """
    rng_states = distributed.gather_objects(state.rng.state_dict())
    if distributed.is_main():
        payload = state.state_dict(rng_states)
        payload["stats"]["earlier_wall_seconds"] += time.perf_counter() - started
        try:
            save_checkpoint(path, key, state.epoch, payload)
        except OSError as error:
            fallback = checkpoint_path(Path(data_root) / "unsaved-checkpoints", key)
            save_checkpoint(fallback, key, state.epoch, payload)
            logger.warning("could not write the checkpoint %s (%s); saved it to %s instead (resume from it with "
                           "--checkpoint-dir %s)", path, error.strerror or error, fallback, fallback.parent)


def resume(state: TrainingState, path, key: str, epochs: int, rank: int, world: int) -> None:
    """Restore ``state`` from ``path``; start from scratch, with a note, when there is none yet."""
    payload = load_checkpoint(path, key)
    if payload is None:
        if distributed.is_main():
            logger.info("--resume: no checkpoint at %s yet; starting from scratch", path)
        return
    try:
        state.load_state_dict(payload["state"], rank, world)
    except UserError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError, IndexError) as error:
        raise broken_state(path, f"{type(error).__name__}: {error}") from None
    state.stats.resumed_at_epoch = state.epoch
    if distributed.is_main():
        logger.info("resumed from %s after epoch %d of %d", path, state.epoch, epochs)
