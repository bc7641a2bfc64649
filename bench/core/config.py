"""One run's complete settings, where they come from, and their checks.

Settings resolve in three layers: the defaults below, then the domain's own defaults
(a tabular MLP wants other settings than a CIFAR ResNet), then what the user gave on the
command line. The resolved config is stored in every result record.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.core.errors import UserError
from bench.core.mix_layer import parse_mix_layers
from bench.core.quick import capped_epochs
from bench.core.settings import GROUPS, PROCESSES, choice_and_range_errors, later_settings, names_where, setting


def default_data_root() -> str:
    """Where downloads and decoded caches go: $IMIX_BENCH_DATA, else ~/.cache/imix-bench."""
    return os.environ.get("IMIX_BENCH_DATA", str(Path.home() / ".cache" / "imix-bench"))


PROBES = ("logistic", "sgd", "official")
HEADS = ("mlpbn1", "mlpbn", "mlp")  # encoders/heads.py HEAD_KINDS
MOCO_NEGATIVES = ("queue", "batch+queue")
STRATEGIES = ("imix", "inputmix", "emix", "dacl", "gaussian")  # bench/training/strategies/
CUTMIX_BOXES = ("official", "rounded")  # bench/training/mixing.py cutmix_box
SYMMETRIC_FORMS = ("sum", "mean")
NO_AUG_INPUTDROP = ("keep", "off")



G_DATA, G_METHOD, G_ENCODER, G_TRAIN, G_CHECKPOINTS, G_OUTPUT = (GROUPS[i] for i in (0, 1, 2, 3, 5, 6))


@dataclass
class RunConfig:
    """Every run setting, declared once: its type, default, allowed values and `bench run` flag (bench/core/settings.py)."""

    # what to train on
    domain: str = setting("tabular", group=G_DATA, help="modality adapter: a name from `bench list`, or package.module:Class")
    dataset: str | None = setting(None, group=G_DATA, help="dataset of the domain (default: the domain's embedded one)")
    data: str | None = setting(None, group=G_DATA, help="local file or folder for datasets that read one")
    data_root: str = setting(factory=default_data_root, bookkeeping=True, group=G_DATA, help="downloads and caches")
    data_ratio: float = setting(1.0, scales_work=True, group=G_DATA, fraction=True, help="seeded fraction of the training split to pretrain on")
    pretrain_classes: float = setting(1.0, since="2026-11-30", group=G_DATA, fraction=True, metavar="R", help=(
        "pretrain on round(R x classes) classes drawn as the official --class-ratio; the probe sees all"))
    domain_options: dict[str, Any] = setting(factory=dict, group=G_DATA, flag=False)

    # what to train
    method: str = setting("simclr", group=G_METHOD, help="pretraining method, a name from `bench list`")
    method_options: dict[str, Any] = setting(factory=dict, since="2026-12-07", group=G_METHOD, flag=False)
    imix: bool = setting(False, role="treatment", group=G_METHOD, help="train with i-Mix")
    mix: str = setting("mixup", role="imix_only", group=G_METHOD, help="i-Mix input mixing, a strategy from `bench list`")
    alpha: float = setting(1.0, role="imix_only", group=G_METHOD, help="Beta(alpha, alpha) for the mixing coefficient")
    mix_options: dict[str, Any] = setting(factory=dict, role="imix_only", since="2026-12-07", group=G_METHOD, flag=False)
    mix_layer: str = setting("0", role="imix_only", since="2026-12-07", group=G_METHOD, metavar="K[,K...]", help=(
        "where i-Mix mixes: 0 the input, k after block k of the encoder (official --mix-layers); a comma list "
        "draws one per step"))
    encoder: str | None = setting(None, group=G_ENCODER, help="backbone (default: the domain's; see `bench list`)")
    encoder_options: dict[str, Any] = setting(factory=dict, group=G_ENCODER, flag=False)
    temperature: float = setting(0.2, group=G_METHOD, help="softmax temperature of contrastive losses")
    proj_dim: int = setting(128, group=G_METHOD, help="projection output size")
    proj_hidden: int | None = setting(None, group=G_METHOD, help=(
        "projection/predictor hidden size (default: the encoder's feature size, as the official heads)"))
    proj_head: str = setting("mlpbn1", since="2026-11-30", group=G_METHOD, choices=HEADS, help=(
        "projection head (official --proj): mlpbn1 (BatchNorm in the hidden layer), mlpbn (also on the output), "
        "mlp (none)"))
    pred_head: str = setting("mlpbn1", since="2026-11-30", group=G_METHOD, choices=HEADS, help="BYOL's predictor (official --pred), same choices")
    ema: float = setting(0.99, group=G_METHOD, help="EMA momentum of MoCo's key / BYOL's target encoder")
    queue_size: int = setting(4096, group=G_METHOD, help="MoCo queue length")
    symmetric: bool = setting(False, group=G_METHOD, help=(
        "also swap the two views' roles and add the two directions' losses (official --sym; see --symmetric-loss)"))
    # The settings below apply to some runs only: bench/training/resolve.py fills the official value where
    # they apply and leaves None where they change nothing, so other runs keep their config digests.
    symmetric_loss: str | None = setting(None, since="2026-12-07", before="mean", sometimes=True, group=G_METHOD, choices=SYMMETRIC_FORMS, help=(
        "with --symmetric: sum = the official --sym (the two directions' losses added, MoCo's queue and the EMA "
        "encoders updated after each direction); mean = the suite's earlier form (their average, one update per "
        "step); default: sum"))
    cutmix_box: str | None = setting(None, since="2026-12-07", before="rounded", sometimes=True, group=G_METHOD, choices=CUTMIX_BOXES, help=(
        "with --mix cutmix: official = builder.py's rand_bbox (cut side truncated, centre uniform, half the side "
        "each way, clipped: the kept fraction never falls below lam); rounded = the suite's earlier box (side "
        "rounded, placed whole where it fits); default: official"))
    npair_group: int | None = setting(None, since="2026-12-07", group=G_METHOD, metavar="N", help=(
        "simclr (N-pair): contrast within groups of N samples of each process's batch, each group with its own "
        "i-Mix partners, logits and BatchNorm statistics, as the official code's per-GPU batches (run.sh: 128 "
        "per GPU; the paper presets set it for CIFAR and Speech Commands); default: the whole batch"))
    no_aug: bool = setting(False, group=G_METHOD, help=(
        "no domain augmentation: both views are the clean input (the paper's Table 3)"))
    no_aug_inputdrop: str | None = setting(None, since="2026-12-07", before="off", sometimes=True, group=G_METHOD, choices=NO_AUG_INPUTDROP, help=(
        "with --no-aug and input dropout (--inputdrop > 0): keep = drop inputs anyway, as the official code; "
        "off = no dropout either, the suite's earlier behaviour; default: keep"))
    inputmix: bool = setting(False, strategy_treatment=True, group=G_METHOD, help=(
        "InputMix: blend each view with two others of the 2N views (>= half its own weight; official --inputmix 2)"))
    alpha2: float = setting(1.0, since="2026-11-30", strategy_treatment=True, group=G_METHOD, help="InputMix's Dirichlet(alpha2) parameter (official --alpha2)")
    strategy: str | None = setting(None, role="treatment", since="2026-12-07", group=G_METHOD, choices=STRATEGIES, help=(
        "a domain-agnostic strategy: imix (= --imix), inputmix (= --inputmix), emix (DABS e-Mix: i-Mix of the "
        "clean embedding, no views), dacl (Mixup-noise positives), gaussian (Gaussian-noise positives)"))
    dacl_alpha: float = setting(0.9, role="strategy_only", since="2026-12-07", group=G_METHOD, fraction=True, help=(
        "DACL: each positive is lam*x + (1-lam)*x_other with lam ~ U[dacl_alpha, 1]"))
    sigma: float = setting(0.1, role="strategy_only", since="2026-12-07", group=G_METHOD,
                           help="Gaussian-noise positives: standard deviation, in model-input units")

    # how to train
    epochs: int = setting(100, scales_work=True, group=G_TRAIN, help="pretraining epochs")
    batch_size: int = setting(256, group=G_TRAIN, help="pretraining batch size")
    optimizer: str = setting("sgd", group=G_TRAIN, choices=("sgd", "adamw"), help="pretraining optimizer")
    lr: float = setting(0.125, group=G_TRAIN, help="learning rate at batch 256; scaled linearly with the batch")
    momentum: float = setting(0.9, group=G_TRAIN, help="SGD momentum")
    weight_decay: float = setting(1e-4, group=G_TRAIN, help="weight decay")
    warmup_epochs: int = setting(0, group=G_TRAIN, help="epochs of linear learning-rate warm-up")
    schedule: str = setting("cosine", since="2026-11-30", group=G_TRAIN, choices=("cosine", "step"), help=(
        "after warm-up: cosine to zero, or step, x0.1 at each --milestones epoch"))
    milestones: list[int] = setting(factory=list, since="2026-11-30", group=G_TRAIN, metavar="EPOCH", help="epochs of the step schedule's decays")
    seed: int = setting(0, role="pairing", group=G_TRAIN, help="seed of the run (splits, initialisation, views)")
    device: str = setting("auto", bookkeeping=True, group=G_TRAIN, help="auto, cpu, cuda or cuda:N")
    precision: str = setting("fp32", group=G_TRAIN, choices=("fp32", "bf16", "fp16"), help="autocast precision")
    channels_last: bool = setting(False, group=G_TRAIN, help=(
        "NHWC memory layout for image-like inputs (faster convolutions on CPU and GPU)"))
    compile: bool = setting(False, since="2026-11-29", group=G_TRAIN, help=(
        "torch.compile the backbone for training (pays a compile time first; see README: Running fast)"))
    workers: int = setting(0, bookkeeping=True, group=G_TRAIN, metavar="N", help=(
        "CPU threads for PyTorch (augmentation runs batched inside the training process, so there are no loader "
        "processes); 0: PyTorch's choice, 1 per process under torchrun"))
    sync_bn: bool = setting(False, since="2026-11-29", group=PROCESSES, help=(
        "BatchNorm statistics over the global batch instead of each process's share"))
    shuffle_bn: bool = setting(False, since="2026-11-29", group=PROCESSES, help=(
        "MoCo: shuffle the keys across processes before the key encoder and back after (MoCo's shuffled BN)"))
    # MoCo negatives: None is the official choice per arm, filled in by MoCo.complete so the record stores what ran
    moco_negatives: str | None = setting(None, role="treatment", since="2026-11-30", group=G_METHOD, choices=MOCO_NEGATIVES, help=(
        "MoCo's classes: queue = own key + queue, (1+K)-way, the official baseline; batch+queue = the N batch "
        "keys + queue, (N+K)-way, which i-Mix needs (default: the official choice per arm)"))

    # checkpoints (bench/training/checkpoint.py)
    checkpoint_dir: str | None = setting(None, bookkeeping=True, group=G_CHECKPOINTS, metavar="DIR", help=(
        "keep the run's checkpoint here (one file per run setting, written atomically)"))
    checkpoint_every: int = setting(10, bookkeeping=True, group=G_CHECKPOINTS, metavar="N", help=(
        "save after every N-th epoch (0: only after the last); the last is always saved"))
    resume: bool = setting(False, bookkeeping=True, group=G_CHECKPOINTS, help=(
        "continue from the checkpoint in --checkpoint-dir; without one, start from scratch"))
    save_backbone: str | None = setting(None, bookkeeping=True, since="2026-11-30", group=G_CHECKPOINTS, metavar="PATH", help=(
        "write the trained backbone (weights, encoder name and options, input shape) to PATH, for "
        "bench.api.load_backbone and `bench features`"))

    # evaluation and bookkeeping
    probe: str = setting("logistic", group=G_OUTPUT, choices=PROBES, help=(
        "linear probe: logistic (L-BFGS, C chosen on a validation split); sgd (a quick SGD probe on "
        "standardised frozen features, cosine decay, lr from 0.01/0.1/1 on validation; not the paper's protocol); "
        "official (kibok90/imix main_lincls.py: 100 epochs, lr {1..70} x B/256 with x0.2 at 80/90/95, CIFAR "
        "crop+flip; lr chosen on validation, not test)"))
    eval_every: int = setting(0, role="monitor", group=G_OUTPUT, metavar="N", help=(
        "kNN accuracy on a held-out tenth of the training rows (never the test split) every N pretraining "
        "epochs, stored in the record's monitor; 0: off"))
    raw_probe: bool | None = setting(None, group=G_OUTPUT, help="also probe the raw inputs (default: the domain decides; on for tabular data)")
    results: str = setting("results/runs.jsonl", bookkeeping=True, group=G_OUTPUT, help="JSON-lines file the record is appended to")
    quiet: bool = setting(False, bookkeeping=True, group=G_OUTPUT, help="no progress output")
    tensorboard: str | None = setting(None, bookkeeping=True, since="2026-11-30", group=G_OUTPUT, metavar="DIR", help=(
        "also log for TensorBoard, into a subfolder of DIR per run: per step the loss, learning rate, lam mean "
        "and samples/s (--log-every), per epoch the loss, learning rate and the kNN monitor (needs the tensorboard "
        "package: pip install 'imix-bench[tensorboard]')"))
    wandb: str | None = setting(None, bookkeeping=True, since="2026-12-07", group=G_OUTPUT, metavar="DIR", help=(
        "also log the same to Weights & Biases, offline into DIR/wandb unless WANDB_MODE=online is set (then "
        "`wandb sync` is not needed); project $WANDB_PROJECT, default imix-bench (needs pip install "
        "'imix-bench[wandb]')"))
    log_every: int = setting(10, bookkeeping=True, since="2026-12-07", group=G_OUTPUT, metavar="STEPS", help=(
        "with --tensorboard or --wandb: log the per-step scalars every N training steps, averaged over them; "
        "0: per epoch only"))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def scaled_lr(self) -> float:
        return self.lr * self.batch_size / 256

    def validate(self) -> "RunConfig":
        """Raise UserError naming the first setting that is out of range (allowed values: the declarations)."""
        declared = choice_and_range_errors(self)
        if declared:
            raise UserError(declared[0])
        parse_mix_layers(self.mix_layer)
        checks = [
            (self.epochs >= 0, f"--epochs must be 0 or more (0 evaluates an untrained encoder), got {self.epochs}"),
            (self.batch_size >= 2, f"--batch-size must be at least 2 (contrastive losses need negatives), got {self.batch_size}"),
            (self.alpha > 0, f"--alpha must be positive (Beta(alpha, alpha) mixing), got {self.alpha}"),
            (self.temperature > 0, f"--temperature must be positive, got {self.temperature}"),
            (0 <= self.ema < 1, f"--ema must be in [0, 1), got {self.ema}"),
            (self.queue_size >= 1, f"--queue-size must be at least 1, got {self.queue_size}"),
            (self.lr > 0, f"--lr must be positive, got {self.lr}"),
            (self.weight_decay >= 0, f"--weight-decay must be 0 or more, got {self.weight_decay}"),
            (self.warmup_epochs >= 0, f"--warmup-epochs must be 0 or more, got {self.warmup_epochs}"),
            (self.proj_dim >= 1 and (self.proj_hidden is None or self.proj_hidden >= 1),
             "--proj-dim and --proj-hidden must be positive"),
            (self.alpha2 > 0, f"--alpha2 must be positive (InputMix's Dirichlet parameter), got {self.alpha2}"),
            (self.sigma > 0, f"--sigma must be positive (the noise's standard deviation, in (0, inf)), got {self.sigma}"),
            (all(m >= 1 for m in self.milestones), f"--milestones must be epochs >= 1, got {self.milestones}"),
            (self.eval_every >= 0, f"--eval-every must be 0 (off) or a number of epochs, got {self.eval_every}"),
            (self.checkpoint_every >= 0,
             f"--checkpoint-every must be 0 (only the last epoch) or a number of epochs, got {self.checkpoint_every}"),
            (not self.resume or self.checkpoint_dir is not None,
             "--resume needs --checkpoint-dir DIR: the folder the run's checkpoint is kept in."),
            (self.save_backbone is None or not Path(self.save_backbone).expanduser().is_dir(),
             f"--save-backbone {self.save_backbone} is a folder; give a file path, e.g. {self.save_backbone}/backbone.pt"),
            (self.workers >= 0, f"--workers must be 0 (PyTorch's default) or a number of threads, got {self.workers}"),
            (self.npair_group is None or self.npair_group >= 2,
             f"--npair-group must be at least 2 (a group needs negatives), got {self.npair_group}"),
            (self.tensorboard is None or self.tensorboard.strip() != "",
             "--tensorboard needs a folder, e.g. --tensorboard runs/tb"),
            (self.wandb is None or self.wandb.strip() != "", "--wandb needs a folder, e.g. --wandb runs/wandb"),
            (self.log_every >= 0, f"--log-every must be 0 (per epoch only) or a number of steps, got {self.log_every}"),
            (self.device in ("auto", "cpu", "cuda") or self.device.startswith("cuda:"),
             f"unknown device {self.device!r}; valid choices: auto, cpu, cuda, cuda:N."),
        ]
        for ok, message in checks:
            if not ok:
                raise UserError(message)
        return self


FIELD_NAMES = {f.name for f in dataclasses.fields(RunConfig)}

# Read from the declarations above (bench/core/settings.py), never kept by hand.
BOOKKEEPING_FIELDS = names_where(RunConfig, lambda meta: meta["bookkeeping"])
LATER_FIELDS = later_settings(RunConfig)
# Allowed to differ between the arms of one comparison (bench/results/arms.py): the treatment, its
# settings, the seed and monitors. moco_negatives is a treatment because the official arms differ in
# it ((1+K) baseline, (N+K) i-Mix).
TREATMENT_FIELDS = names_where(RunConfig, lambda meta: meta["role"] != "identity")
# Not part of an arm's identity: the seed pairs arms, monitors only add points along the way.
NOT_ARM_FIELDS = names_where(RunConfig, lambda meta: meta["role"] in ("pairing", "monitor"))
IMIX_ONLY_FIELDS = names_where(RunConfig, lambda meta: meta["role"] == "imix_only")  # no effect without --imix
WORK_FIELDS = names_where(RunConfig, lambda meta: meta["scales_work"])  # training time is proportional to them
STRATEGY_ONLY_FIELDS = names_where(RunConfig, lambda meta: meta["role"] == "strategy_only")  # no effect without it
# InputMix is a setting of both arms in the paper's Table 3 (`--where inputmix=true`), and an arm of its own in
# the strategy table (`bench table --by strategy`), where these may differ from the baseline's.
INPUTMIX_FIELDS = names_where(RunConfig, lambda meta: meta["strategy_treatment"])
# Settings that apply to some runs only (bench/training/resolve.py): None says "does not apply here".
SOMETIMES_FIELDS = names_where(RunConfig, lambda meta: meta["sometimes"])


def config_key(config: dict[str, Any], ignore: frozenset[str] | set[str] = frozenset(),
               later: dict[str, Any] | None = None) -> str:
    """A short digest of what a run measures, so equal requests are recognised across runs.

    Fields in ``ignore`` and bookkeeping fields are left out, and so are settings added after
    records existed while they hold the value older records ran with (``later``, by default
    LATER_FIELDS); the order of keys does not matter.
    """
    import hashlib
    import json

    later = LATER_FIELDS if later is None else later
    kept = {k: v for k, v in config.items() if k not in BOOKKEEPING_FIELDS and k not in ignore
            and not (k in later and v == later[k]) and not (k in SOMETIMES_FIELDS and v is None)}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:16]


def field_default(name: str) -> Any:
    """The declared default of one setting."""
    f = next(f for f in dataclasses.fields(RunConfig) if f.name == name)
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def layered(overrides: dict[str, Any], defaults: dict[str, Any] | None = None) -> RunConfig:
    """Declared defaults < ``defaults`` < explicit overrides (entries that are None are unset), checked.

    The method's own rules are applied above this, by ``bench.training.methods.resolve``.
    """
    values: dict[str, Any] = {}
    for layer in (defaults or {}, overrides):
        for key, value in layer.items():
            if key not in FIELD_NAMES:
                raise ValueError(f"not a RunConfig field: {key}")
            if value is not None:
                values[key] = value
    cfg = RunConfig(**values).validate()
    cfg.epochs = capped_epochs(cfg.epochs)  # IMIX_BENCH_MAX_EPOCHS, for trying the docs' examples quickly
    return cfg
