"""Transfer, as DABS evaluates it: a backbone pretrained on one data set, frozen, probed on another of its domain.

A transfer record is a result record with ``kind: "transfer"``. Its ``domain``, ``dataset`` and
``data`` are the target's; ``method``, ``imix``, ``mix`` and ``seed`` are the pretraining run's, so
the backbones of a baseline and an i-Mix arm pair by their pretraining seed as same-data runs do;
``source`` names the pretraining run (its record id, backbone file, data set and data sizes); and
``config`` is the pretraining run's config with one entry more, ``transfer``: the target and how it
was probed. That entry puts the target into the arm's identity and gives the record a config digest
no `bench run` has, so a suite never takes a transfer for a finished cell. Tables name its row
"source → target" and keep it apart from same-data rows (bench/results/labels.py, tables.py).

The probe, the kNN and the raw-input probe are the run's own (bench/evaluation/evaluate.py), on the
target's splits; the target's split seed, and the probe's, is the pretraining seed unless ``seed`` fixes it.
"""

from __future__ import annotations

import datetime
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from domains.base import Domain, DomainData

from bench.core.environment import environment
from bench.core.config import PROBES, default_data_root
from bench.core.errors import UserError, unknown_choice
from bench.evaluation.evaluate import Evaluator
from bench.evaluation.probe import knn_k
from bench.results.append import RECORD_VERSION
from bench.results.labels import TRANSFER, dataset_name
from bench.results.writable import check_outputs, save_record
from bench.run import data_fingerprint
from bench.target_data import (build_adapter, check_input_shape, fitting_flags, load_target, recorded_options,
                               source_domain, target_class)
from bench.training.backbone import load_backbone, read_backbone_file
from bench.training.methods import canonical_method

SHAPES = ("a table needs the same number of feature columns, images the same size and channels, audio the same "
          "clip length and features")


def transfer(backbones: Sequence[str | Path], domain: str | None, dataset: str, data: str | None = None, *,
             probe: str | None = None, seed: int | None = None, results: str = "results/runs.jsonl",
             device: str = "auto", data_root: str | None = None, options: dict[str, Any] | None = None,
             on_record: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Probe each backbone on the target data set and append one transfer record per backbone.

    Every file is read and every input shape checked before the first probe; each record is
    appended as soon as it is made, so a later failure loses none of the earlier ones.
    """
    from bench.run import resolve_device

    if probe is not None and probe not in PROBES:
        raise unknown_choice("probe", probe, list(PROBES))
    check_outputs(results, None)
    saved = {str(path): read_backbone_file(path) for path in backbones}
    domains = sorted({source_domain(s) for s in saved.values()})
    if domain is None and len(domains) > 1:
        raise UserError(f"the backbones were pretrained in different domains ({', '.join(domains)}); transfer "
                        "them in one command per domain, or name the target's with --domain.")
    first = next(iter(saved.values()))
    cls = target_class(first, domain)
    domain_spec = domain or source_domain(first)
    target_device = resolve_device(device)
    data_root = data_root or first.get("config", {}).get("data_root") or default_data_root()
    loaded: dict[int, tuple[Domain, DomainData, float]] = {}

    def target(split_seed: int) -> tuple[Domain, DomainData, float]:
        if split_seed not in loaded:  # a fresh adapter per split: one fitted to another split must not be reused
            started = time.perf_counter()
            adapter = build_adapter(cls, dataset, options or {})
            split = load_target(adapter, dataset, data, data_root, split_seed)
            loaded[split_seed] = adapter, split, time.perf_counter() - started
        return loaded[split_seed]

    first_seed = split_seed_of(first, seed)
    adapter, split, _ = target(first_seed)
    for backbone in saved.values():
        refuse_own_data(backbone, adapter, split, data)
        if tuple(backbone["input_shape"]) != tuple(split.input_shape):
            flags = fitting_flags(backbone, adapter, dataset, data, data_root, first_seed, options or {})
            check_input_shape(backbone, adapter, split, shape_advice(adapter, flags))
    records = []
    for path, backbone in saved.items():
        split_seed = split_seed_of(backbone, seed)
        adapter, split, load_seconds = target(split_seed)
        record = transfer_record(path, backbone, adapter, split, target_device, probe=probe, seed=seed,
                                 split_seed=split_seed, domain=domain_spec, data=data)
        record["load_seconds"] = load_seconds
        save_record(results, record, data_root)
        records.append(record)
        if on_record is not None:
            on_record(record)
    return records


def split_seed_of(saved: dict[str, Any], seed: int | None) -> int:
    """The seed of the target's splits and of the probe's validation split: ``seed``, else the pretraining seed."""
    return int((saved.get("config") or {}).get("seed", 0) if seed is None else seed)


def refuse_own_data(saved: dict[str, Any], adapter: Domain, split: DomainData, data: str | None) -> None:
    """The data a backbone was pretrained on is not a transfer target: its run's record holds that evaluation."""
    config = saved.get("config") or {}
    if adapter.name == saved["domain"] and split.dataset == saved["dataset"] and data == config.get("data"):
        raise UserError(f"{adapter.name}/{split.dataset} is the data this backbone was pretrained on; its run's "
                        "record already holds that evaluation. Give another data set of the domain (--dataset, "
                        "--data), or use `python -m bench features` for its features.")


def shape_advice(adapter: Domain, flags: dict[str, Any]) -> str:
    """What to do about a target the backbone cannot take: the run's own flags where they make it fit, else
    which targets fit and how to pretrain a backbone for this one."""
    if flags:
        given = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in flags.items())
        return f"The backbone's run set {given}; give the same here and the inputs fit."
    return (f"A transfer target must give inputs of the backbone's shape ({SHAPES}). Choose such a data set, "
            f"or pretrain a backbone on this one: `python -m bench run --domain {adapter.name} --dataset ... "
            "--save-backbone PATH`.")


def transfer_record(path: str, saved: dict[str, Any], adapter: Domain, split: DomainData, device: torch.device, *,
                    probe: str | None, seed: int | None, split_seed: int, domain: str,
                    data: str | None) -> dict[str, Any]:
    """Probe one backbone on the target's splits with the run's own evaluation, and make its record."""
    started = time.perf_counter()
    config = dict(saved.get("config") or {})
    probe_name = probe or config.get("probe") or "logistic"
    evaluator = Evaluator(load_backbone(path, device), adapter, split, device)
    result = evaluator.probe(probe_name, split_seed, epoch=0)
    knn = evaluator.knn(0)
    raw_wanted = config.get("raw_probe")
    raw = evaluator.raw_probe(probe_name, split_seed) if (adapter.raw_probe if raw_wanted is None else raw_wanted) else None
    imix = bool(config.get("imix", False))
    config["transfer"] = {"domain": domain, "dataset": split.dataset, "data": data,
                          "domain_options": recorded_options(adapter), "probe": probe_name, "seed": seed}
    return {
        "record_version": RECORD_VERSION,
        "kind": TRANSFER,
        "id": uuid.uuid4().hex,
        "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "domain": adapter.name,
        "dataset": split.dataset,
        "method": canonical_method(config.get("method", "simclr")),
        "imix": imix,
        "mix": config.get("mix") if imix else None,
        "seed": int(config.get("seed", 0)),  # the pretraining seed: it pairs the arms
        "encoder": saved["encoder"],
        "config": config,
        "source": {"backbone": path, "run_id": saved.get("run_id"), "domain": saved["domain"],
                   "dataset": saved["dataset"], "data": saved.get("data") or {},
                   "input_shape": list(saved["input_shape"])},
        "data": {"n_train": len(split.train), "n_test": len(split.test), "n_classes": split.n_classes,
                 "input_shape": list(split.input_shape), "split_seed": split_seed, **split.info,
                 "data_fingerprint": data_fingerprint(split)},
        "probe": {"kind": probe_name, **result.to_dict()},
        "knn": {"accuracy": knn, "k": knn_k(len(split.train)), "temperature": 0.1},
        "raw_probe": raw,
        **evaluator.seconds,
        "wall_seconds": time.perf_counter() - started,
        "environment": {**environment(device), "processes": 1},
    }


def summary_line(record: dict[str, Any]) -> str:
    arm = f"i-Mix ({record['mix']})" if record["imix"] else "baseline"
    return (f"transfer {record['domain']}/{dataset_name(record)}  {record['method']}  {arm}  seed {record['seed']}:  "
            f"linear probe {100 * record['probe']['accuracy']:.2f}%  kNN {100 * record['knn']['accuracy']:.2f}%")
