"""Per-step scalars for the loggers: loss, learning rate, i-Mix's mean lam and throughput, every N steps.

The training loop stays free of device syncs: the loss and lam of each step are summed as tensors
on the device, and only every ``every`` steps are they read (one sync), averaged over the steps
since the last report and handed to ``report(step, scalars)``. lam is seen by wrapping the mixer,
so the loss code does not change; without i-Mix there is no lam to report. Under torchrun only
rank 0 measures, so the loss is that process's share of the batch.
"""

from __future__ import annotations

import time
from typing import Callable

from torch import Tensor

from bench.training.mixing import Mix, Mixer

Report = Callable[[int, dict[str, float]], None]


class StepMeter:
    def __init__(self, report: Report, every: int, batch_size: int) -> None:
        self.report, self.every, self.batch_size = report, every, batch_size
        self.loss_sum: Tensor | None = None
        self.lam_sum: Tensor | None = None
        self.steps = self.lam_count = 0
        self.started = time.perf_counter()

    def watch(self, mixer: Mixer | None) -> Mixer | None:
        """The mixer, noting the mean lam of each batch it mixes."""
        if mixer is None:
            return None

        def watched(x: Tensor, alpha: float, rng) -> tuple[Tensor, Mix]:
            mixed, mix = mixer(x, alpha, rng)
            lam = mix.lam.detach().float().mean()
            self.lam_sum = lam if self.lam_sum is None else self.lam_sum + lam
            self.lam_count += 1
            return mixed, mix

        return watched

    def step(self, global_step: int, loss: Tensor, lr: float) -> None:
        """After each optimiser step (counted from 1 over the whole run): report every ``every`` steps."""
        loss = loss.detach().float()
        self.loss_sum = loss if self.loss_sum is None else self.loss_sum + loss
        self.steps += 1
        if global_step % self.every:
            return
        elapsed = time.perf_counter() - self.started
        scalars = {"loss": float(self.loss_sum) / self.steps, "lr": lr,
                   "samples_per_second": self.steps * self.batch_size / max(elapsed, 1e-9)}
        if self.lam_count:
            scalars["lam_mean"] = float(self.lam_sum) / self.lam_count
        self.report(global_step, scalars)
        self.loss_sum = self.lam_sum = None
        self.steps = self.lam_count = 0
        self.started = time.perf_counter()


def step_meter(report: Report | None, every: int, batch_size: int) -> StepMeter | None:
    """A meter when there is a logger and an interval (``every`` 0: per-epoch logging only)."""
    return StepMeter(report, every, batch_size) if report is not None and every > 0 else None
