"""Everything a stopped pretraining run needs to continue exactly where it stopped.

The model's state dict already holds the EMA key/target encoders, MoCo's queue and its
pointer and the BatchNorm statistics (all modules or buffers of the method). Beside it: the
optimiser (momentum buffers), the learning-rate schedule, the fp16 GradScaler, every random
generator of every process (augmentations, mixing, the data order, torch's global generator),
the number of finished epochs and the statistics so far. Restoring all of it makes a resumed
CPU fp32 run bit-identical to one that was never stopped. ``save`` and ``resume`` write it
beside a run and read it back, on every process.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from bench.core.errors import UserError
from bench.core.log import logger
from bench.core.rng import Rng
from bench.training import distributed
from bench.training.checkpoint import broken_state, checkpoint_path, load_checkpoint, save_checkpoint


@dataclass
class TrainingState:
    method: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    rng: Rng
    order: torch.Generator  # the data order; shared by all processes
    stats: Any  # TrainStats (not imported: the trainer imports this module)
    epoch: int = 0  # finished epochs

    def state_dict(self, rng_states: list[dict[str, Any]]) -> dict[str, Any]:
        """``rng_states``: every process's ``Rng.state_dict()``, by rank (one entry on one process)."""
        return {
            "method": self.method.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": rng_states,
            "order": self.order.get_state(),
            "torch_global": torch.get_rng_state(),
            "stats": dataclasses.asdict(self.stats),
            "epoch": self.epoch,
        }

    def load_state_dict(self, state: dict[str, Any], rank: int = 0, world_size: int = 1) -> None:
        if len(state["rng"]) != world_size:
            raise UserError(
                f"the checkpoint was written by {len(state['rng'])} process(es) and this run has {world_size}; "
                "resume with the same number of processes (torchrun --nproc-per-node), or drop --resume.")
        self.method.load_state_dict(state["method"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.rng.load_state_dict(state["rng"][rank])
        self.order.set_state(state["order"])
        torch.set_rng_state(state["torch_global"])
        for name, value in state["stats"].items():
            setattr(self.stats, name, value)
        self.epoch = state["epoch"]


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
