"""The Python API: what ``python -m bench`` does, as functions for notebooks and scripts.

``run`` is the function the command line's ``bench run`` calls, so a setting means the same
in both: keyword arguments are the ``bench run`` flags with underscores (``batch_size=64``,
``width=0.5``, ``label="Letter"``), and a run made here is recognised by ``bench suite`` and
``bench table`` like one made on the command line. Guide with examples: docs/api.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import torch
from torch import nn

from bench.training.backbone import load_backbone, read_backbone_file
from bench.core.errors import UserError
from bench.prepare import ENCODER_SETTINGS, domain_options, later_options, prepare  # noqa: F401 (the API's own)

__all__ = ["TrainedRun", "available_domains", "domain_options", "features", "load_backbone", "prepare",
           "register_domain", "run", "suite", "table", "transfer"]


@dataclass
class TrainedRun:
    """``run(..., return_model=True)``: the record, and the trained model with what it was trained on."""

    record: dict[str, Any]
    model: nn.Module  # the method: .backbone, the projection head, EMA copies
    domain: Any  # the fitted adapter: domain.preprocess(x) makes model inputs
    data: Any  # DomainData: train/test splits, class names

    @property
    def backbone(self) -> nn.Module:
        return self.model.backbone


def run(domain: str | type = "tabular", method: str = "simclr", imix: bool | None = None, *,
        return_model: bool = False, **settings: Any) -> dict[str, Any] | TrainedRun | None:
    """Pretrain one model, evaluate it, append its record to ``results`` and return the record.

    ``settings`` are ``bench run`` flags with underscores. With ``return_model=True`` the
    result is a ``TrainedRun`` (record, trained model, fitted domain, data). Under torchrun,
    processes other than rank 0 return None.
    """
    from bench.core.log import configure
    from bench.run import run_experiment

    cfg, adapter = prepare(domain, method, imix, **settings)
    configure(cfg.quiet)
    kept: dict[str, Any] = {}
    record = run_experiment(cfg, adapter, on_trained=(lambda m, d: kept.update(model=m, data=d))
                            if return_model else None)
    if record is None or not return_model:
        return record
    return TrainedRun(record, kept["model"], adapter, kept["data"])


def suite(*, domains: Sequence[str] | None = None, datasets: Sequence[str] | None = None,
          methods: Sequence[str] | None = None, seeds: int | Sequence[int] | None = None,
          mixes: Sequence[str] | None = None, data_ratios: Sequence[float] | None = None,
          strategies: Sequence[str] | None = None,
          preset: str | None = None, config: str | None = None, results: str = "results/runs.jsonl",
          reuse: Sequence[str] = (), quiet: bool = False, dry_run: bool = False,
          **settings: Any) -> list[dict[str, Any]]:
    """Run a grid as ``bench suite`` does (resumable); returns the records of the grid's cells,
    those found in the ``reuse`` files (``--reuse``) included.

    ``settings`` are ``bench run`` flags for every cell (``epochs=3``). A cell that fails is
    reported and left out of the list; ``dry_run=True`` prints the cells and runs nothing.
    """
    from bench.core.config import config_key
    from bench.flags import RUN_FIELDS, SUITE_SETS
    from bench.core.log import configure
    from bench.presets import get_preset, load_config_file
    from bench.results.records import read_records
    from bench.suite import expand_grid, run_grid
    from bench.suite_claims import reused_keys
    from bench.suite_dry_run import dry_run as show_cells

    allowed = {f for f in RUN_FIELDS if f not in SUITE_SETS} | set(ENCODER_SETTINGS)
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise UserError(f"unknown suite setting {', '.join(unknown)}; the grid axes are keyword arguments "
                        f"(domains, datasets, methods, seeds, mixes, strategies, data_ratios) and the settings for every "
                        f"cell: {', '.join(sorted(allowed))}. Domain settings go in a config file's entries.")
    configure(quiet)
    cli = {name: settings.get(name) for name in allowed}
    grid = expand_grid(preset=get_preset(preset) if preset else None,
                       config=load_config_file(config) if config else None,
                       domains=domains, datasets=datasets, methods=methods, seeds=seeds, mixes=mixes,
                       data_ratios=data_ratios, cli=cli, strategies=strategies)
    reused_keys(reuse)  # a missing file is refused before anything runs
    reused = [r for path in reuse for r in read_records(path)]
    if dry_run:
        show_cells(grid, read_records(results, missing_ok=True), reused=reused)
        return []
    run_grid(grid, results, quiet=quiet, reuse=reuse)
    keys = {cell.key for cell in grid.cells}
    found = [*reused, *read_records(results, missing_ok=True)]
    return [r for r in found if "config" in r and config_key(r["config"]) in keys]


def table(records_or_path: str | Path | Iterable[str | Path] | Iterable[dict[str, Any]], metric: str = "probe",
          where: Sequence[str] = ()) -> "pandas.DataFrame":
    """Baseline vs i-Mix per data set and method, as ``bench table`` computes it: one row per
    comparison (means and sample stds over seeds in %, counts, gain, paired-test p value)."""
    import pandas as pd

    from bench.results.paired import METRICS, comparisons
    from bench.results.records import filter_records, read_records

    if metric not in METRICS:
        raise UserError(f"unknown metric {metric!r}; valid choices: {', '.join(METRICS)}.")
    if isinstance(records_or_path, (str, Path)):
        records_or_path = [records_or_path]
    records: list[dict[str, Any]] = []
    for item in records_or_path:
        records.extend([item] if isinstance(item, dict) else read_records(item))
    chosen = filter_records(records, where) if where else records
    rows = [{"row": c.row_label, "domain": c.domain, "dataset": c.dataset, "data_ratio": c.data_ratio,
             "method": c.method, "mix": c.mix or None, "baseline_mean": c.baseline.mean, "baseline_std": c.baseline.std,
             "baseline_n": c.baseline.n, "imix_mean": c.imix.mean, "imix_std": c.imix.std, "imix_n": c.imix.n,
             "gain": c.gain, "paired_seeds": len(c.paired_seeds), "p_value": c.p_value, "kind": c.kind}
            for c in comparisons(chosen, metric)]
    return pd.DataFrame(rows, columns=["row", "domain", "dataset", "data_ratio", "method", "mix", "baseline_mean",
                                       "baseline_std", "baseline_n", "imix_mean", "imix_std", "imix_n", "gain",
                                       "paired_seeds", "p_value", "kind"])


def features(backbone: str | Path, domain: str | type | None = None, dataset: str | None = None,
             data: str | None = None, *, device: str = "cpu", data_root: str | None = None,
             seed: int | None = None, **options: Any) -> dict[str, np.ndarray]:
    """Frozen features of a data set from a backbone file: train_x, train_y, test_x, test_y, class_names.

    Without ``domain``/``dataset``, the backbone's own training data is used (with its domain
    settings); ``options`` are domain settings (``label="Letter"``) over those.
    """
    from bench.evaluation.probe import extract_features
    from bench.target_data import build_adapter, check_input_shape, load_target, target_class

    saved = read_backbone_file(backbone)
    config = saved.get("config", {})
    cls = target_class(saved, domain)
    inherited = None
    if cls.name == saved["domain"] and dataset in (None, config.get("dataset")):  # its own data, as it ran
        inherited = config.get("domain_options") or {}
        dataset, data = dataset or config.get("dataset"), data or config.get("data")
    adapter = build_adapter(cls, dataset, options, inherited)
    loaded = load_target(adapter, dataset, data, data_root or config.get("data_root"),
                         int(config.get("seed", 0) if seed is None else seed))
    check_input_shape(saved, adapter, loaded, "Choose the domain and data set it was trained for.")
    model = load_backbone(backbone, device)
    target = torch.device(device)
    return {"train_x": extract_features(model, adapter, loaded.train.x, target).numpy(),
            "train_y": loaded.train.y.numpy(),
            "test_x": extract_features(model, adapter, loaded.test.x, target).numpy(),
            "test_y": loaded.test.y.numpy(),
            "class_names": np.array(loaded.class_names or [str(i) for i in range(loaded.n_classes)])}


def transfer(backbone: str | Path | Sequence[str | Path], dataset: str, data: str | None = None, *,
             domain: str | None = None, probe: str | None = None, seed: int | None = None,
             results: str = "results/runs.jsonl", device: str = "auto", data_root: str | None = None,
             **options: Any) -> dict[str, Any] | list[dict[str, Any]]:
    """Probe backbone file(s) on another data set of their domain, as ``bench transfer`` does; append and
    return the transfer record (a list of them for a list of files).

    ``options`` are the target domain's settings (``label="digit"``), at the domain's defaults otherwise;
    ``probe`` defaults to the backbone run's; ``seed`` fixes the target's split seed (default: each
    backbone's pretraining seed). Guide: docs/api.md, "Transfer".
    """
    from bench.transfer import transfer as probe_all

    many = not isinstance(backbone, (str, Path))
    records = probe_all(list(backbone) if many else [backbone], domain, dataset, data, probe=probe, seed=seed,
                        results=results, device=device, data_root=data_root, options=options)
    return records if many else records[0]


def register_domain(name: str, adapter: type) -> None:
    """Make a Domain subclass defined in this process available as ``domain=name`` (and ``bench list``
    in this process). For the command line and suites, install it as an entry point or use an
    import path (docs/adding-a-domain.md)."""
    from bench.adapters import register

    register(name, adapter)


def available_domains() -> dict[str, str]:
    """Every domain name ``run`` accepts, with where it comes from."""
    from domains import available_sources

    return {name: source.origin for name, source in available_sources().items()}
