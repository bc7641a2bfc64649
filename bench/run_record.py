"""The record of one finished run: what ran, on what, how it scored and what it cost.

One JSON object per run, appended to the results file (bench/results/append.py); every table,
figure and suite decision reads these fields.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import torch

from bench.core.config import RunConfig
from bench.core.environment import environment
from bench.core.mix_layer import describe
from bench.results.append import RECORD_VERSION
from bench.training import distributed
from bench.training.methods import canonical_method
from bench.training.strategies import STRATEGIES
from bench.training.trainer import TrainStats


def build_record(cfg: RunConfig, domain: str, dataset: str, run_id: str, *, encoder: str,
                 architecture: dict[str, Any] | None = None, mixed_at: list[dict[str, Any]] | None,
                 data: dict[str, Any], stats: TrainStats,
                 scores: dict[str, Any], knn_k: int, timings: dict[str, float], started: float,
                 device: torch.device) -> dict[str, Any]:
    """``scores``: the probe result, the kNN accuracy and the raw-input probe (or None);
    ``timings``: load, feature, kNN and probe seconds; ``started``: when this process began the run."""
    return {
        "record_version": RECORD_VERSION,
        "id": run_id,
        "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "domain": domain,
        "dataset": dataset,
        "method": canonical_method(cfg.method),
        "imix": cfg.imix,
        "mix": cfg.mix if cfg.imix else None,
        "mixed_at": mixed_at,  # where i-Mix mixed: the layers of --mix-layer, each with its state's shape
        "strategy": strategy_record(cfg),
        "seed": cfg.seed,
        "encoder": encoder,
        "architecture": architecture,  # the transformer's tokens (patches of P, columns, ...) and body; None elsewhere
        "config": cfg.to_dict(),
        "data": data,
        "loss_curve": stats.epoch_losses,
        "training": {"batch_size": stats.batch_size, "lr": stats.lr},  # --batch-size clamped to the data
        "monitor": stats.monitor,
        "probe": {"kind": cfg.probe, **scores["probe"].to_dict()},
        "knn": {"accuracy": scores["knn"], "k": knn_k, "temperature": 0.1},
        "raw_probe": scores["raw"],
        "train_seconds": stats.seconds,  # every process that trained this run, resumed ones included
        "resumed_at_epoch": stats.resumed_at_epoch,  # None: one process
        **timings,  # load_seconds, then feature_seconds, knn_seconds, probe_seconds (the monitor's included)
        "samples_per_second": stats.samples_per_second,
        # every process of a resumed run, each up to the checkpoint the next resumed from; and this one's alone
        "wall_seconds": stats.earlier_wall_seconds + time.perf_counter() - started,
        "last_process_wall_seconds": time.perf_counter() - started,
        "environment": {**environment(device), "processes": distributed.world_size()},
    }


def strategy_record(cfg: RunConfig) -> dict[str, Any] | None:
    """The strategy module a run used (--strategy emix, dacl, gaussian), with its setting and what it did to the views."""
    if cfg.strategy is None:
        return None
    setting = {"dacl": {"dacl_alpha": cfg.dacl_alpha}, "gaussian": {"sigma": cfg.sigma},
               "emix": {"alpha": cfg.alpha}}[cfg.strategy]
    return {"name": cfg.strategy, **setting, "views": STRATEGIES[cfg.strategy].views}


def summary_line(record: dict[str, Any]) -> str:
    where = [m["layer"] for m in record.get("mixed_at") or []]
    at = f", {describe(tuple(where))}" if where and where != [0] else ""
    strategy = record.get("strategy") or {}
    mixing = f"i-Mix ({record['mix']}, alpha {record['config']['alpha']:g}{at})" if record["imix"] else "baseline"
    if strategy:
        shown = ", ".join(f"{k} {v:g}" for k, v in strategy.items() if isinstance(v, float))
        mixing = f"{strategy['name']} ({shown}{at})"
    raw = f"  raw-feature probe {100 * record['raw_probe']['accuracy']:.2f}%" if record["raw_probe"] else ""
    return (f"{record['domain']}/{record['dataset']}  {record['method']}  {mixing}  seed {record['seed']}:  "
            f"linear probe {100 * record['probe']['accuracy']:.2f}%  kNN {100 * record['knn']['accuracy']:.2f}%"
            f"{raw}  wall {record['wall_seconds']:.1f}s")
