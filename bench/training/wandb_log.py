"""Optional Weights & Biases logging (``--wandb DIR``): the scalars TensorBoard gets, in a W&B run.

Offline by default: the run is written under ``DIR/wandb/offline-run-*`` and nothing touches the
network (``wandb sync DIR/wandb/offline-run-*`` uploads it later); ``WANDB_MODE=online`` (or any
mode W&B knows) in the environment chooses otherwise. The project is ``$WANDB_PROJECT``, else
``imix-bench``; the run's name is its TensorBoard folder's, its config the resolved config. Per
step the ``step/...`` scalars against ``train_step``, per epoch the ``pretrain/...`` and
``monitor/...`` ones against ``epoch``, at the end the final accuracies in the run's summary.
W&B is never required: without the package the flag is refused with the command that installs it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.training.tensorboard_log import run_folder_name


class WandbRun:
    """One run's W&B logger."""

    def __init__(self, run: Any) -> None:
        self.run = run
        run.define_metric("train_step")
        run.define_metric("step/*", step_metric="train_step")
        run.define_metric("epoch")
        run.define_metric("pretrain/*", step_metric="epoch")
        run.define_metric("monitor/*", step_metric="epoch")

    def step(self, step: int, scalars: dict[str, float]) -> None:
        self.run.log({"train_step": step, **{f"step/{k}": v for k, v in scalars.items()}})

    def epoch(self, epoch: int, scalars: dict[str, float], entry: dict[str, Any] | None) -> None:
        logged = {"epoch": epoch, "pretrain/loss": scalars["loss"], "pretrain/lr": scalars["lr"]}
        if entry is not None and "knn" in entry:
            logged["monitor/validation_knn_accuracy"] = entry["knn"]
        self.run.log(logged)

    def finish(self, record: dict[str, Any]) -> None:
        self.run.summary.update({"final/probe_accuracy": record["probe"]["accuracy"],
                                 "final/knn_accuracy": record["knn"]["accuracy"], "record_id": record["id"]})
        self.run.finish()


def open_wandb(cfg: RunConfig, domain: Any) -> WandbRun:
    """Start the run (offline unless $WANDB_MODE says otherwise); a UserError when wandb is missing."""
    try:
        import wandb
    except ImportError as error:
        raise UserError("--wandb needs the wandb package, which is not installed: pip install 'imix-bench[wandb]' "
                        f"(or pip install wandb), or drop --wandb. ({error})") from None
    folder = Path(cfg.wandb).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    name = run_folder_name(cfg, cfg.dataset or domain.default_dataset)
    run = wandb.init(project=os.environ.get("WANDB_PROJECT", "imix-bench"), name=name, dir=str(folder),
                     config=cfg.to_dict(), mode=os.environ.get("WANDB_MODE", "offline"), reinit="finish_previous",
                     settings=wandb.Settings(silent=True) if cfg.quiet else None)
    return WandbRun(run)
