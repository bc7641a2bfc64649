"""Everything a stopped pretraining run needs to continue exactly where it stopped.

The model's state dict already holds the EMA key/target encoders, MoCo's queue and its
pointer and the BatchNorm statistics (all modules or buffers of the method). Beside it: the
optimiser (momentum buffers), the learning-rate schedule, the fp16 GradScaler, every random
generator of every process (augmentations, mixing, the data order, torch's global generator),
the number of finished epochs and the statistics so far. Restoring all of it makes a resumed
CPU fp32 run bit-identical to one that was never stopped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from bench.core.errors import UserError
from bench.core.rng import Rng


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
