"""Optional TensorBoard logging (``--tensorboard DIR``), as the official i-Mix code logs.

Per step (every ``--log-every`` steps): the loss, learning rate, i-Mix's mean lam and samples/s
(``step/...``, the x axis the global step). Per epoch: the pretraining loss, the learning rate of
the epoch's first step and, with ``--eval-every``, the validation kNN monitor (``pretrain/...``,
``monitor/...``, the x axis the epoch). At the end the final linear-probe and kNN accuracies and
the resolved config as text. Each run writes into its own subfolder of DIR, named by what it
ran and its config key, so a whole suite can share one DIR and TensorBoard compares the runs.
The result record stays the source of truth; these files are for watching runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bench.core.config import RunConfig, config_key
from bench.core.errors import UserError


def run_folder_name(cfg: RunConfig, dataset: str) -> str:
    arm = cfg.strategy or (f"imix-{cfg.mix}" if cfg.imix else "baseline")
    ratio = f"-data{cfg.data_ratio:g}" if cfg.data_ratio != 1 else ""
    name = f"{cfg.domain}-{dataset}-{cfg.method}-{arm}-seed{cfg.seed}{ratio}-{config_key(cfg.to_dict())[:8]}"
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name)


class Board:
    """One run's event writer."""

    def __init__(self, writer: Any, folder: Path) -> None:
        self.writer, self.folder = writer, folder

    def step(self, step: int, scalars: dict[str, float]) -> None:
        for name, value in scalars.items():
            self.writer.add_scalar(f"step/{name}", value, step)

    def epoch(self, epoch: int, scalars: dict[str, float], entry: dict[str, Any] | None) -> None:
        self.writer.add_scalar("pretrain/loss", scalars["loss"], epoch)
        self.writer.add_scalar("pretrain/lr", scalars["lr"], epoch)
        if entry is not None and "knn" in entry:
            self.writer.add_scalar("monitor/validation_knn_accuracy", entry["knn"], epoch)
        self.writer.flush()  # a run killed later still leaves its epochs readable

    def finish(self, record: dict[str, Any]) -> None:
        step = record["config"]["epochs"]
        self.writer.add_scalar("final/probe_accuracy", record["probe"]["accuracy"], step)
        self.writer.add_scalar("final/knn_accuracy", record["knn"]["accuracy"], step)
        self.writer.add_text("config", "```\n" + json.dumps(record["config"], indent=1, sort_keys=True) + "\n```", step)
        self.writer.close()


def open_board(cfg: RunConfig, domain: Any) -> Board:
    """The run's writer; a UserError naming the package when TensorBoard is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as error:
        raise UserError(
            "--tensorboard needs the tensorboard package, which is not installed: "
            "pip install 'imix-bench[tensorboard]' (or pip install tensorboard), or drop --tensorboard. "
            f"({error})") from None
    folder = Path(cfg.tensorboard) / run_folder_name(cfg, cfg.dataset or domain.default_dataset)
    return Board(SummaryWriter(log_dir=str(folder)), folder)
