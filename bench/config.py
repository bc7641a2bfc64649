"""One run's complete settings, where they come from, and their checks.

Settings resolve in three layers: the defaults below, then the domain's own defaults
(a tabular MLP wants other settings than a CIFAR ResNet), then what the user gave on the
command line. The resolved config is stored in every result record.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UserError


def default_data_root() -> str:
    """Where downloads and decoded caches go: $IMIX_BENCH_DATA, else ~/.cache/imix-bench."""
    return os.environ.get("IMIX_BENCH_DATA", str(Path.home() / ".cache" / "imix-bench"))


PROBES = ("logistic", "sgd")
HEADS = ("mlpbn1", "mlpbn", "mlp")  # encoders/heads.py HEAD_KINDS
MOCO_NEGATIVES = ("queue", "batch+queue")


def official_moco_negatives(imix: bool) -> str:
    """The official code's MoCo form per arm: (1+K) for the baseline, (N+K) with i-Mix (`mocon`)."""
    return "batch+queue" if imix else "queue"


@dataclass
class RunConfig:
    # what to train on
    domain: str = "tabular"
    dataset: str | None = None  # None: the domain's default dataset
    data: str | None = None  # a local file or folder for datasets that take one
    data_root: str = field(default_factory=default_data_root)
    data_ratio: float = 1.0  # seeded fraction of the training split used for pretraining
    domain_options: dict[str, Any] = field(default_factory=dict)

    # what to train
    method: str = "simclr"
    imix: bool = False
    mix: str = "mixup"
    alpha: float = 1.0
    encoder: str | None = None  # None: the domain's default encoder
    encoder_options: dict[str, Any] = field(default_factory=dict)
    temperature: float = 0.2
    proj_dim: int = 128
    proj_hidden: int | None = None  # None: the backbone's feature size, as the official heads
    proj_head: str = "mlpbn1"  # official --proj kinds: mlpbn1 (BN in the hidden layer), mlpbn (+ output BN), mlp
    pred_head: str = "mlpbn1"  # BYOL's predictor, same kinds (official --pred)
    ema: float = 0.99
    queue_size: int = 4096
    symmetric: bool = False
    no_aug: bool = False  # both views are the clean input (the paper's no-augmentation setting, Table 3)
    inputmix: bool = False  # InputMix over the 2N views, 2 partners each (official --inputmix 2)
    alpha2: float = 1.0  # InputMix's Dirichlet(alpha2) (official --alpha2)

    # how to train
    epochs: int = 100
    batch_size: int = 256
    optimizer: str = "sgd"
    lr: float = 0.125  # at batch 256; scaled linearly with the batch size
    momentum: float = 0.9
    weight_decay: float = 1e-4
    warmup_epochs: int = 0
    schedule: str = "cosine"  # after warm-up: cosine to zero, or step (x0.1 at each of `milestones`)
    milestones: list[int] = field(default_factory=list)  # epochs of the step schedule's decays
    seed: int = 0
    device: str = "auto"
    precision: str = "fp32"  # fp32, bf16 or fp16 autocast
    channels_last: bool = False  # NHWC memory layout for 4-D inputs (faster convolutions)
    compile: bool = False  # torch.compile the backbone for training
    workers: int = 0  # CPU threads for torch (0: PyTorch's default; README: Running fast)
    sync_bn: bool = False  # BatchNorm statistics over the global batch (several processes)
    shuffle_bn: bool = False  # MoCo: shuffle keys across processes before the key encoder
    # MoCo negatives: queue ((1+K)-way) or batch+queue ((N+K)-way); None: the official choice per arm,
    # filled in by resolve() so the record stores what ran
    moco_negatives: str | None = None

    # checkpoints (bench/checkpoint.py)
    checkpoint_dir: str | None = None  # None: no checkpoints
    checkpoint_every: int = 10  # epochs between checkpoints; the last epoch is always saved
    resume: bool = False  # continue from the checkpoint in checkpoint_dir, if there is one

    # evaluation and bookkeeping
    probe: str = "logistic"  # logistic (L-BFGS, C chosen on validation) or sgd (the paper's protocol)
    eval_every: int = 0  # kNN accuracy every N pretraining epochs (0: only at the end)
    raw_probe: bool | None = None  # None: the domain decides
    results: str = "results/runs.jsonl"
    quiet: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def scaled_lr(self) -> float:
        return self.lr * self.batch_size / 256

    def validate(self) -> "RunConfig":
        """Raise UserError naming the first setting that is out of range."""
        checks = [
            (self.epochs >= 0, f"--epochs must be 0 or more (0 evaluates an untrained encoder), got {self.epochs}"),
            (self.batch_size >= 2, f"--batch-size must be at least 2 (contrastive losses need negatives), got {self.batch_size}"),
            (self.alpha > 0, f"--alpha must be positive (Beta(alpha, alpha) mixing), got {self.alpha}"),
            (self.temperature > 0, f"--temperature must be positive, got {self.temperature}"),
            (0 <= self.ema < 1, f"--ema must be in [0, 1), got {self.ema}"),
            (self.queue_size >= 1, f"--queue-size must be at least 1, got {self.queue_size}"),
            (self.lr > 0, f"--lr must be positive, got {self.lr}"),
            (self.weight_decay >= 0, f"--weight-decay must be 0 or more, got {self.weight_decay}"),
            (0 < self.data_ratio <= 1, f"--data-ratio must be in (0, 1], got {self.data_ratio}"),
            (self.warmup_epochs >= 0, f"--warmup-epochs must be 0 or more, got {self.warmup_epochs}"),
            (self.proj_dim >= 1 and (self.proj_hidden is None or self.proj_hidden >= 1),
             "--proj-dim and --proj-hidden must be positive"),
            (self.proj_head in HEADS and self.pred_head in HEADS,
             f"unknown head {self.proj_head!r}/{self.pred_head!r}; valid choices: {', '.join(HEADS)}."),
            (self.alpha2 > 0, f"--alpha2 must be positive (InputMix's Dirichlet parameter), got {self.alpha2}"),
            (self.schedule in ("cosine", "step"), f"unknown schedule {self.schedule!r}; valid choices: cosine, step."),
            (all(m >= 1 for m in self.milestones), f"--milestones must be epochs >= 1, got {self.milestones}"),
            (self.precision in ("fp32", "bf16", "fp16"),
             f"unknown precision {self.precision!r}; valid choices: bf16, fp16, fp32."),
            (self.eval_every >= 0, f"--eval-every must be 0 (off) or a number of epochs, got {self.eval_every}"),
            (self.probe in PROBES, f"unknown probe {self.probe!r}; valid choices: {', '.join(PROBES)}."),
            (self.optimizer in ("sgd", "adamw"), f"unknown optimizer {self.optimizer!r}; valid choices: adamw, sgd."),
            (self.checkpoint_every >= 0,
             f"--checkpoint-every must be 0 (only the last epoch) or a number of epochs, got {self.checkpoint_every}"),
            (not self.resume or self.checkpoint_dir is not None,
             "--resume needs --checkpoint-dir DIR: the folder the run's checkpoint is kept in."),
            (self.workers >= 0, f"--workers must be 0 (PyTorch's default) or a number of threads, got {self.workers}"),
            (not self.shuffle_bn or self.method in ("moco", "mocov2"),
             f"--shuffle-bn applies to MoCo's key encoder only, not --method {self.method}; use --sync-bn."),
            (self.moco_negatives in (None, *MOCO_NEGATIVES),
             f"unknown --moco-negatives {self.moco_negatives!r}; valid choices: {', '.join(MOCO_NEGATIVES)}."),
            (self.moco_negatives is None or self.method in ("moco", "mocov2"),
             f"--moco-negatives applies to --method moco only, not --method {self.method}."),
            (not (self.imix and self.moco_negatives == "queue"),
             "--imix cannot use --moco-negatives queue: the (1+K)-way loss holds only each query's own key, "
             "so the mixed partner's key, which carries part of the virtual label, is not among the logits. "
             "Use --moco-negatives batch+queue (the official i-Mix form) or leave the flag unset."),
            (self.device in ("auto", "cpu", "cuda") or self.device.startswith("cuda:"),
             f"unknown device {self.device!r}; valid choices: auto, cpu, cuda, cuda:N."),
        ]
        for ok, message in checks:
            if not ok:
                raise UserError(message)
        return self


FIELD_NAMES = {f.name for f in dataclasses.fields(RunConfig)}

# Settings that change where a run writes or how it reports, never what it measures.
BOOKKEEPING_FIELDS = frozenset({"results", "quiet", "device", "data_root", "checkpoint_dir", "checkpoint_every",
                                "resume", "workers"})

# Measured settings added after records existed, with their defaults. At the default they are
# left out of the digest, so older records still count as the same runs (the suite skips them).
LATER_FIELDS = {"compile": False, "sync_bn": False, "shuffle_bn": False, "moco_negatives": None, "proj_head": "mlpbn1",
                "pred_head": "mlpbn1", "alpha2": 1.0, "schedule": "cosine", "milestones": []}


def config_key(config: dict[str, Any], ignore: frozenset[str] | set[str] = frozenset()) -> str:
    """A short digest of what a run measures, so equal requests are recognised across runs.

    Fields in ``ignore`` and bookkeeping fields are left out; the order of keys does not matter.
    """
    import hashlib
    import json

    kept = {k: v for k, v in config.items() if k not in BOOKKEEPING_FIELDS and k not in ignore
            and not (k in LATER_FIELDS and v == LATER_FIELDS[k])}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:16]


def resolve(overrides: dict[str, Any], domain_defaults: dict[str, Any] | None = None) -> RunConfig:
    """Defaults < domain defaults < explicit overrides (entries that are None are unset)."""
    values: dict[str, Any] = {}
    for layer in (domain_defaults or {}, overrides):
        for key, value in layer.items():
            if key not in FIELD_NAMES:
                raise ValueError(f"not a RunConfig field: {key}")
            if value is not None:
                values[key] = value
    cfg = RunConfig(**values).validate()
    if cfg.method in ("moco", "mocov2") and cfg.moco_negatives is None:
        cfg.moco_negatives = official_moco_negatives(cfg.imix)
    return cfg
