"""One experiment end to end: data, pretraining, evaluation, one result record (run_record.py)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import Tensor, nn

from domains.base import DataRequest, Domain, DomainData, Split
from domains.checks import check_adapter
from domains.kit import content_fingerprint
from encoders import DATA_HINTS, build_encoder

from bench.training.class_subset import keep_classes

from bench.training import distributed
from bench.training.backbone import save_backbone
from bench.core.config import RunConfig
from bench.core.errors import UserError, unknown_choice
from bench.core.log import logger, new_run
from bench.training.mixing import MIXERS, mixer_spec, offered_mixers
from bench.training.mix_layer_checks import check_mix_layers
from bench.training.strategies.checks import check_strategy
from bench.training.methods import Method, build_method
from bench.evaluation.evaluate import Evaluator
from bench.evaluation.probe import KNN_K, knn_k
from bench.core.rng import Rng, process_seed
from bench.training.sync_bn import convert_sync_batchnorm
from bench.training.run_logs import RunLogs, open_logs
from bench.training.trainer import pretrain
from bench.results.writable import check_outputs, save_record
from bench.run_record import build_record


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda was asked for, but PyTorch sees no CUDA GPU here. Use --device cpu or auto.")
    return device


def check_mixing(cfg: RunConfig, domain: Domain) -> None:
    spec = mixer_spec(cfg.mix)  # an unknown name lists the mixers
    offered = offered_mixers(domain.mixers)
    if cfg.mix not in offered:
        why = f" {spec.needs}." if spec.needs else ""
        raise UserError(
            f"--mix {cfg.mix} is not offered by the {domain.name} domain; its choices: "
            f"{', '.join(offered)}.{why} Use --mix mixup."
        )


@torch.no_grad()
def check_reads_ids(backbone: nn.Module, encoder: str, domain: Domain, stored: Tensor) -> None:
    """An encoder given integer inputs (token ids) must embed them: one that multiplies them as numbers
    (--encoder mlp on text) fails here with a message, not with a dtype traceback deep in training."""
    sample = domain.preprocess(stored)
    if sample.is_floating_point():
        return
    was_training = backbone.training
    try:
        backbone.eval()  # BatchNorm's running statistics stay as they are
        backbone(sample)
    except (RuntimeError, ValueError) as error:
        raise UserError(f"--encoder {encoder} cannot read the {domain.name} domain's inputs, {sample.dtype} ids "
                        f"({str(error).splitlines()[0]}); use an encoder that embeds them, such as its default "
                        f"{domain.default_encoder}.") from None
    finally:
        backbone.train(was_training)


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


def data_fingerprint(data: DomainData) -> str:
    """The loader's digest of what it read (before seeded choices), else the digest of the final splits."""
    return data.info.get("data_fingerprint") or content_fingerprint(data.train.x, data.train.y, data.test.x,
                                                                    data.test.y)


def knn_monitor(cfg: RunConfig,
                evaluator: Evaluator) -> Callable[[int, dict[str, float]], dict[str, Any] | None] | None:
    """With --eval-every N: the backbone's kNN accuracy on held-out training rows (never the test
    split; bench/evaluation/evaluate.py) every N epochs and at the last."""
    if cfg.eval_every <= 0:
        return None

    def evaluate(epoch: int, scalars: dict[str, float] | None = None) -> dict[str, Any] | None:
        if epoch % cfg.eval_every and epoch != cfg.epochs:
            return None
        return evaluator.validation_knn(epoch)

    return evaluate


@dataclass
class Model:
    """What pretraining trains and the record names: the method around its backbone, the encoder's
    name and the data hints it was built with, and where i-Mix mixes (None for a baseline)."""

    method: Method
    encoder: str
    hints: dict[str, Any] | None
    mixed_at: list[dict[str, Any]] | None
    architecture: dict[str, Any] | None = None  # what the encoder's options leave implicit (transformer: its tokens)


def open_run(cfg: RunConfig, domain: Domain) -> tuple[torch.device, Rng, RunLogs | None]:
    """Everything that can fail before data is read: the checks, the process group, somewhere for the
    record to go, the logging packages; then the seeds. ``cfg`` is a resolved config
    (bench.training.resolve, through bench.prepare), whose method rules have already been applied."""
    check_strategy(cfg, domain)
    new_run()  # this run's warnings are printed once each, even where an earlier cell printed them
    check_mixing(cfg, domain)
    distributed.init_from_env(cfg.device)
    if distributed.is_main():  # before training: a finished run must have somewhere to go
        check_outputs(cfg.results, cfg.checkpoint_dir)
    device = distributed.device_for_rank(resolve_device(cfg.device))
    if cfg.workers:
        torch.set_num_threads(cfg.workers)
    torch.manual_seed(cfg.seed)  # weight initialisation: equal on every process
    rng = Rng.from_seed(process_seed(cfg.seed, distributed.rank()), device)  # augmentations and mixing: per process
    logs = open_logs(cfg, domain) if distributed.is_main() else None  # a missing package fails before any data
    return device, rng, logs


def build_model(cfg: RunConfig, domain: Domain, data: DomainData, device: torch.device, n_train: int) -> Model:
    """The encoder for these inputs, checked against them and against --mix-layer, inside its method."""
    encoder_name = cfg.encoder or domain.default_encoder
    hints = {key: data.info[key] for key in DATA_HINTS if key in data.info} or None
    backbone = build_encoder(encoder_name, data.input_shape, cfg.encoder_options, hints)
    check_reads_ids(backbone, encoder_name, domain, data.train.x[:2])
    mixed_at = (check_mix_layers(cfg, domain, backbone, encoder_name, domain.preprocess(data.train.x[:2]))
                if cfg.imix else None)
    method = build_method(cfg, backbone, backbone.feature_dim, n_classes=data.n_classes, n_train=n_train)
    if cfg.sync_bn:
        method = convert_sync_batchnorm(method, device)
    method = method.to(device)
    if cfg.channels_last:
        method = method.to(memory_format=torch.channels_last)
    return Model(method, encoder_name, hints, mixed_at, getattr(backbone, "architecture", None))


def data_section(data: DomainData, pretrain_split: Split) -> dict[str, Any]:
    """The record's description of the data: sizes, shape, what the loader reported, its digest."""
    return {"n_train": len(data.train), "n_pretrain": len(pretrain_split), "n_test": len(data.test),
            "n_classes": data.n_classes, "input_shape": list(data.input_shape), **data.info,
            "data_fingerprint": data_fingerprint(data)}


def evaluate_frozen(cfg: RunConfig, domain: Domain, evaluator: Evaluator) -> dict[str, Any]:
    """The frozen backbone's test scores: the linear probe, kNN, and the raw-input probe where it applies."""
    raw_wanted = cfg.raw_probe if cfg.raw_probe is not None else domain.raw_probe
    return {"probe": evaluator.probe(cfg.probe, cfg.seed, epoch=cfg.epochs),
            "knn": evaluator.knn(cfg.epochs),
            "raw": evaluator.raw_probe(cfg.probe, cfg.seed) if raw_wanted else None}


def run_experiment(cfg: RunConfig, domain: Domain,
                   on_trained: Callable[[nn.Module, DomainData], None] | None = None) -> dict[str, Any] | None:
    """Pretrain, evaluate and append the record; returns the record.

    Under torchrun every process pretrains its share; rank 0 alone evaluates, writes the
    record and returns it, the others return None. ``on_trained(method, data)`` is called on
    rank 0 after pretraining (bench.api keeps the trained model that way).
    """
    started = time.perf_counter()
    device, rng, logs = open_run(cfg, domain)
    loading = time.perf_counter()
    data = load_data(cfg, domain)
    load_seconds = time.perf_counter() - loading
    check_adapter(domain, data, device, {name: spec.sample_dims for name, spec in MIXERS.items()})
    pretrain_split = subsample(keep_classes(data.train, cfg.pretrain_classes, data.class_names), cfg.data_ratio, cfg.seed)
    model = build_model(cfg, domain, data, device, n_train=len(pretrain_split))
    evaluator = Evaluator(model.method.backbone, domain, data, device, cfg.seed)  # features shared by monitor, probe, kNN
    if knn_k(len(data.train)) < KNN_K and distributed.is_main():
        logger.warning("the kNN evaluation uses k = %d, not %d: the training split has only %d samples (the record "
                       "and the tables say so)", knn_k(len(data.train)), KNN_K, len(data.train))
    monitor = knn_monitor(cfg, evaluator) if distributed.is_main() else None
    on_epoch_end = logs.epoch_callback(monitor) if logs is not None else monitor
    stats = pretrain(model.method, domain, pretrain_split, cfg, device, rng, on_epoch_end=on_epoch_end,
                     started=started, on_step=logs.on_step if logs is not None else None)
    if not distributed.is_main():
        return None
    run_id = uuid.uuid4().hex
    described = data_section(data, pretrain_split)
    if cfg.save_backbone:
        save_backbone(cfg.save_backbone, model.method.backbone, model.encoder,
                      {**(model.hints or {}), **cfg.encoder_options}, data.input_shape, domain=domain.name,
                      dataset=data.dataset, config=cfg.to_dict(), run_id=run_id, data=described)
    if on_trained is not None:
        on_trained(model.method, data)
    record = build_record(cfg, domain.name, data.dataset, run_id, encoder=model.encoder,
                          architecture=model.architecture, mixed_at=model.mixed_at,
                          data=described, stats=stats, scores=evaluate_frozen(cfg, domain, evaluator),
                          knn_k=knn_k(len(data.train)), timings={"load_seconds": load_seconds, **evaluator.seconds},
                          started=started, device=device)
    if logs is not None:
        logs.finish(record)
    save_record(cfg.results, record, cfg.data_root)
    logger.debug("record %s appended to %s", record["id"], cfg.results)
    return record
