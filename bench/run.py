"""One experiment end to end: data, pretraining, evaluation, one result record."""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any, Callable

import torch
from torch import nn

from domains.base import DataRequest, Domain, DomainData, Split
from domains.checks import check_adapter
from encoders import build_encoder

from . import distributed
from .config import RunConfig
from .environment import environment
from .errors import UserError, unknown_choice
from .log import logger
from .mixing import get_mixer
from .methods import build_method, canonical_method, check_method_config
from .probe import PROBE_FUNCTIONS, extract_features, knn_accuracy
from .results import RECORD_VERSION, append_record
from .rng import Rng, process_seed
from .sync_bn import convert_sync_batchnorm
from .trainer import pretrain


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda was asked for, but PyTorch sees no CUDA GPU here. Use --device cpu or auto.")
    return device


def check_mixing(cfg: RunConfig, domain: Domain) -> None:
    get_mixer(cfg.mix)  # an unknown name lists the mixers
    if cfg.mix not in domain.mixers:
        why = (" CutMix needs neighbouring values to be correlated (images, spectrograms, signals)."
               if cfg.mix == "cutmix" else "")
        raise UserError(
            f"--mix {cfg.mix} is not offered by the {domain.name} domain; its choices: "
            f"{', '.join(domain.mixers)}.{why} Use --mix mixup."
        )


def subsample(split: Split, ratio: float, seed: int) -> Split:
    """A seeded fraction of the training split (the data-efficiency setting)."""
    if ratio >= 1:
        return split
    generator = torch.Generator().manual_seed(seed)
    keep = torch.randperm(len(split), generator=generator)[: max(2, round(len(split) * ratio))]
    return split.subset(keep.sort().values)


def load_data(cfg: RunConfig, domain: Domain) -> DomainData:
    request = DataRequest(dataset=cfg.dataset or domain.default_dataset, path=cfg.data,
                          root=cfg.data_root, seed=cfg.seed)
    if request.dataset not in domain.datasets:
        raise unknown_choice(f"{domain.name} dataset", request.dataset, list(domain.datasets),
                             "`python -m bench list` describes each.")
    return domain.load(request)


def knn_monitor(cfg: RunConfig, method, domain: Domain, data: DomainData,
                device: torch.device) -> Callable[[int], dict[str, Any] | None] | None:
    """With --eval-every N: kNN test accuracy of the backbone every N epochs (and at the last)."""
    if cfg.eval_every <= 0:
        return None

    def evaluate(epoch: int) -> dict[str, Any] | None:
        if epoch % cfg.eval_every and epoch != cfg.epochs:
            return None
        train_features = extract_features(method.backbone, domain, data.train.x, device)
        test_features = extract_features(method.backbone, domain, data.test.x, device)
        accuracy = knn_accuracy(train_features, data.train.y, test_features, data.test.y, data.n_classes)
        return {"epoch": epoch, "knn": accuracy}

    return evaluate


def run_experiment(cfg: RunConfig, domain: Domain) -> dict[str, Any] | None:
    """Pretrain, evaluate and append the record; returns the record.

    Under torchrun every process pretrains its share; rank 0 alone evaluates, writes the
    record and returns it, the others return None.
    """
    started = time.perf_counter()
    check_method_config(cfg)
    check_mixing(cfg, domain)
    distributed.init_from_env(cfg.device)
    device = distributed.device_for_rank(resolve_device(cfg.device))
    if cfg.workers:
        torch.set_num_threads(cfg.workers)
    torch.manual_seed(cfg.seed)  # weight initialisation: equal on every process
    rng = Rng.from_seed(process_seed(cfg.seed, distributed.rank()), device)  # augmentations and mixing: per process

    data = load_data(cfg, domain)
    check_adapter(domain, data, device)
    pretrain_split = subsample(data.train, cfg.data_ratio, cfg.seed)
    encoder_name = cfg.encoder or domain.default_encoder
    hints = {"feature_groups": data.info["feature_groups"]} if "feature_groups" in data.info else None
    backbone = build_encoder(encoder_name, data.input_shape, cfg.encoder_options, hints)
    method = build_method(cfg, backbone, backbone.feature_dim, n_classes=data.n_classes,
                          n_train=len(pretrain_split))
    if cfg.sync_bn:
        method = convert_sync_batchnorm(method, device)
    method = method.to(device)
    if cfg.channels_last:
        method = method.to(memory_format=torch.channels_last)
    monitor = knn_monitor(cfg, method, domain, data, device) if distributed.is_main() else None
    stats = pretrain(method, domain, pretrain_split, cfg, device, rng, on_epoch_end=monitor)
    if not distributed.is_main():
        return None

    train_features = extract_features(method.backbone, domain, data.train.x, device)
    test_features = extract_features(method.backbone, domain, data.test.x, device)
    probe = PROBE_FUNCTIONS[cfg.probe](train_features, data.train.y, test_features, data.test.y, seed=cfg.seed)
    knn = knn_accuracy(train_features, data.train.y, test_features, data.test.y, data.n_classes)
    raw = None
    if cfg.raw_probe if cfg.raw_probe is not None else domain.raw_probe:
        # The raw inputs are the features of an identity "backbone"; same chunked path as above.
        raw_train = extract_features(nn.Flatten(), domain, data.train.x, device)
        raw_test = extract_features(nn.Flatten(), domain, data.test.x, device)
        raw = PROBE_FUNCTIONS[cfg.probe](raw_train, data.train.y, raw_test, data.test.y, seed=cfg.seed).to_dict()

    record = {
        "record_version": RECORD_VERSION,
        "id": uuid.uuid4().hex,
        "finished_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "domain": domain.name,
        "dataset": data.dataset,
        "method": canonical_method(cfg.method),
        "imix": cfg.imix,
        "mix": cfg.mix if cfg.imix else None,
        "seed": cfg.seed,
        "encoder": encoder_name,
        "config": cfg.to_dict(),
        "data": {"n_train": len(data.train), "n_pretrain": len(pretrain_split), "n_test": len(data.test),
                 "n_classes": data.n_classes, "input_shape": list(data.input_shape), **data.info},
        "loss_curve": stats.epoch_losses,
        "monitor": stats.monitor,
        "probe": {"kind": cfg.probe, **probe.to_dict()},
        "knn": {"accuracy": knn, "k": min(200, len(data.train)), "temperature": 0.1},
        "raw_probe": raw,
        "train_seconds": stats.seconds,
        "samples_per_second": stats.samples_per_second,
        "wall_seconds": time.perf_counter() - started,
        "environment": {**environment(device), "processes": distributed.world_size()},
    }
    append_record(cfg.results, record)
    logger.debug("record %s appended to %s", record["id"], cfg.results)
    return record


def summary_line(record: dict[str, Any]) -> str:
    mixing = f"i-Mix ({record['mix']}, alpha {record['config']['alpha']:g})" if record["imix"] else "baseline"
    raw = f"  raw-feature probe {100 * record['raw_probe']['accuracy']:.2f}%" if record["raw_probe"] else ""
    return (f"{record['domain']}/{record['dataset']}  {record['method']}  {mixing}  seed {record['seed']}:  "
            f"linear probe {100 * record['probe']['accuracy']:.2f}%  kNN {100 * record['knn']['accuracy']:.2f}%"
            f"{raw}  wall {record['wall_seconds']:.1f}s")
