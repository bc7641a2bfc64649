"""A run's optional loggers (TensorBoard, Weights & Biases) behind the trainer's two callbacks.

Opened on the main process before any data is loaded, so a missing package stops the run at
once; every logger gets the same per-step and per-epoch scalars and the finished record.
"""

from __future__ import annotations

from typing import Any, Callable

from bench.core.config import RunConfig

Monitor = Callable[[int, dict[str, float]], "dict[str, Any] | None"]


class RunLogs:
    def __init__(self, loggers: list[Any]) -> None:
        self.loggers = loggers

    def on_step(self, step: int, scalars: dict[str, float]) -> None:
        for logger in self.loggers:
            logger.step(step, scalars)

    def epoch_callback(self, monitor: Monitor | None) -> Monitor:
        """The trainer's on_epoch_end: runs ``monitor`` and logs the epoch's scalars with its entry."""

        def on_epoch_end(epoch: int, scalars: dict[str, float]) -> dict[str, Any] | None:
            entry = monitor(epoch, scalars) if monitor is not None else None
            for logger in self.loggers:
                logger.epoch(epoch, scalars, entry)
            return entry

        return on_epoch_end

    def finish(self, record: dict[str, Any]) -> None:
        for logger in self.loggers:
            logger.finish(record)


def open_logs(cfg: RunConfig, domain: Any) -> RunLogs | None:
    """The loggers the config asks for, or None."""
    loggers = []
    if cfg.tensorboard:
        from bench.training.tensorboard_log import open_board

        loggers.append(open_board(cfg, domain))
    if cfg.wandb:
        from bench.training.wandb_log import open_wandb

        loggers.append(open_wandb(cfg, domain))
    return RunLogs(loggers) if loggers else None
