"""The `bench run` flags, shared by the command line, the suite, the Python API and the adapter check.

Kept below ``cli.py`` so that the suite and the adapter check can read the run command's flags
without importing the command line (which imports them).
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from .config import default_data_root
from .errors import UserError

# RunConfig fields set by flags of the same name (dashes for underscores).
RUN_FIELDS = (
    "domain", "dataset", "data", "data_root", "data_ratio", "pretrain_classes", "method", "imix", "mix", "alpha",
    "encoder",
    "no_aug", "inputmix", "alpha2", "temperature", "proj_dim", "proj_hidden", "proj_head", "pred_head", "ema",
    "queue_size", "symmetric", "epochs", "batch_size", "optimizer", "lr", "momentum", "weight_decay",
    "warmup_epochs", "schedule", "milestones", "seed", "device", "precision", "channels_last", "compile",
    "workers", "sync_bn", "shuffle_bn", "moco_negatives", "checkpoint_dir", "checkpoint_every", "resume",
    "save_backbone", "tensorboard",
    "probe", "eval_every", "raw_probe", "results", "quiet",
)
ENCODER_FLAGS = ("width", "depth", "pieces", "scale", "stem_stride")


def add_run_arguments(parser: argparse.ArgumentParser, exclude: Sequence[str] = ()) -> None:
    """Flags default to None so that the domain's defaults apply where the user is silent.

    ``exclude`` names settings (by field name) that the caller sets otherwise: the suite
    sets domain, method, seed and the i-Mix switch per cell.
    """

    def add(group: argparse._ArgumentGroup, flag: str, **kwargs: Any) -> None:
        if flag.lstrip("-").replace("-", "_") not in exclude:
            group.add_argument(flag, **kwargs)

    what = parser.add_argument_group("data")
    add(what, "--domain", default="tabular",
        help="modality adapter: a name from `bench list`, or package.module:Class")
    add(what, "--dataset", help="dataset of the domain (default: the domain's embedded one)")
    add(what, "--data", help="local file or folder for datasets that read one")
    add(what, "--data-root", help=f"downloads and caches (default {default_data_root()})")
    add(what, "--data-ratio", type=float, help="seeded fraction of the training split to pretrain on")
    add(what, "--pretrain-classes", type=float, metavar="R",
        help="pretrain on round(R x classes) classes drawn as the official --class-ratio; the probe sees all")

    method = parser.add_argument_group("method")
    add(method, "--method", default="simclr", help="simclr (npair), ntxent, moco, byol, supervised")
    add(method, "--imix", action="store_true", default=None, help="train with i-Mix")
    add(method, "--mix", help="i-Mix input mixing: mixup (default) or cutmix")
    add(method, "--no-aug", action="store_true", default=None,
        help="no domain augmentation: both views are the clean input")
    add(method, "--inputmix", action="store_true", default=None,
        help="InputMix: blend each view with two others of the 2N views (>= half its own weight)")
    add(method, "--alpha2", type=float, help="InputMix's Dirichlet(alpha2) parameter (default 1)")
    add(method, "--alpha", type=float, help="Beta(alpha, alpha) for the mixing coefficient (default 1)")
    add(method, "--temperature", type=float, help="softmax temperature of contrastive losses")
    add(method, "--proj-dim", type=int, help="projection output size (default 128)")
    add(method, "--proj-hidden", type=int, help="projection/predictor hidden size (default: the encoder's feature size)")
    add(method, "--proj-head", choices=("mlpbn1", "mlpbn", "mlp"),
        help="projection head: mlpbn1 (default; BatchNorm in the hidden layer), mlpbn (also on the output), mlp (none)")
    add(method, "--pred-head", choices=("mlpbn1", "mlpbn", "mlp"), help="BYOL's predictor, same choices")
    add(method, "--ema", type=float, help="EMA momentum of MoCo's key / BYOL's target encoder (default 0.99)")
    add(method, "--queue-size", type=int, help="MoCo queue length (default 4096)")
    add(method, "--moco-negatives", choices=("queue", "batch+queue"),
        help="MoCo's classes: queue = own key + queue, (1+K)-way, the official baseline; batch+queue = "
             "the N batch keys + queue, (N+K)-way, which i-Mix needs (default: the official choice per arm)")
    add(method, "--symmetric", action="store_true", default=None,
        help="also swap the two views' roles and average the two losses")

    encoder = parser.add_argument_group("encoder")
    add(encoder, "--encoder", help="backbone (default: the domain's; see `bench list`)")
    add(encoder, "--width", type=float, help="encoder width (MLP units, or a CNN's channel multiplier)")
    add(encoder, "--depth", type=int, help="encoder depth, where the encoder has one")
    add(encoder, "--pieces", type=int, help="maxout pieces (paper-mlp)")
    add(encoder, "--scale", type=float, help="width multiplier (paper-mlp)")
    add(encoder, "--stem-stride", type=int, help="stride of a CNN's first layer (small-cnn)")

    train = parser.add_argument_group("training")
    add(train, "--epochs", type=int)
    add(train, "--batch-size", type=int)
    add(train, "--optimizer", choices=("sgd", "adamw"))
    add(train, "--lr", type=float, help="learning rate at batch 256; scaled linearly with the batch")
    add(train, "--momentum", type=float)
    add(train, "--weight-decay", type=float)
    add(train, "--warmup-epochs", type=int)
    add(train, "--schedule", choices=("cosine", "step"),
        help="after warm-up: cosine (default) or step, x0.1 at each --milestones epoch")
    add(train, "--milestones", type=int, nargs="+", metavar="EPOCH", help="epochs of the step schedule's decays")
    add(train, "--seed", type=int)
    add(train, "--device", help="auto (default), cpu, cuda or cuda:N")
    add(train, "--precision", choices=("fp32", "bf16", "fp16"), help="autocast precision (default fp32)")
    add(train, "--channels-last", action="store_true", default=None,
        help="NHWC memory layout for image-like inputs (faster convolutions on CPU and GPU)")
    add(train, "--compile", action="store_true", default=None,
        help="torch.compile the backbone for training (pays a compile time first; see README: Running fast)")
    add(train, "--workers", type=int, metavar="N",
        help="CPU threads for PyTorch (augmentation runs batched inside the training process, so there "
             "are no loader processes); default 0: PyTorch's choice, 1 per process under torchrun")

    scale = parser.add_argument_group("several processes (torchrun --nproc-per-node N -m bench run ...)")
    add(scale, "--sync-bn", action="store_true", default=None,
        help="BatchNorm statistics over the global batch instead of each process's share")
    add(scale, "--shuffle-bn", action="store_true", default=None,
        help="MoCo: shuffle the keys across processes before the key encoder and back after (MoCo's shuffled BN)")

    keep = parser.add_argument_group("checkpoints")
    add(keep, "--checkpoint-dir", metavar="DIR",
        help="keep the run's checkpoint here (one file per run setting, written atomically)")
    add(keep, "--checkpoint-every", type=int, metavar="N",
        help="save after every N-th epoch (default 10; 0: only after the last); the last is always saved")
    add(keep, "--resume", action="store_true", default=None,
        help="continue from the checkpoint in --checkpoint-dir; without one, start from scratch")
    add(keep, "--save-backbone", metavar="PATH",
        help="write the trained backbone (weights, encoder name and options, input shape) to PATH, for "
             "bench.api.load_backbone and `bench features`")

    output = parser.add_argument_group("evaluation and output")
    add(output, "--probe", choices=("logistic", "sgd", "official"),
        help="linear probe: logistic (default; L-BFGS, C chosen on a validation split); sgd (a quick "
             "SGD probe on standardised frozen features, cosine decay, lr from 0.01/0.1/1 on validation; "
             "not the paper's protocol); official (kibok90/imix main_lincls.py: 100 epochs, lr "
             "{1..70} x B/256 with x0.2 at 80/90/95, CIFAR crop+flip; lr chosen on validation, not test)")
    add(output, "--eval-every", type=int, metavar="N",
        help="kNN accuracy every N pretraining epochs, stored in the record (default 0: off)")
    add(output, "--raw-probe", action=argparse.BooleanOptionalAction, default=None,
        help="also probe the raw inputs (default: on for tabular data)")
    add(output, "--results", help="JSON-lines file the record is appended to (default results/runs.jsonl)")
    add(output, "--quiet", action="store_true", default=None, help="no progress output")
    add(output, "--tensorboard", metavar="DIR",
        help="also log loss, learning rate and the kNN monitor per epoch for TensorBoard, into a subfolder of DIR "
             "per run (needs the tensorboard package: pip install 'imix-bench[tensorboard]')")


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as UserError, so every user error looks the same.

    Abbreviated flags are refused (``--epoch 1`` would silently run as ``--epochs 1``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        command = " ".join(self.prog.split()[1:])  # "bench run" -> "run"; the top level has none
        raise UserError(f"{message}. See `python -m bench {command + ' ' if command else ''}--help`.")


def run_option_strings(domain_cls) -> set[str]:
    """Every flag `bench run --domain NAME` accepts, for checking a suite's settings."""
    parser = Parser(add_help=False)
    add_run_arguments(parser)
    domain_cls.add_arguments(parser.add_argument_group())
    return set(parser._option_string_actions)


# Settings a suite sets itself (per cell or once for all), so they are not run flags there.
SUITE_SETS = ("domain", "dataset", "data", "method", "imix", "mix", "seed", "data_ratio", "results", "quiet",
              "save_backbone")  # one backbone file per cell would overwrite itself: keep --checkpoint-dir


def add_run_command(run: argparse.ArgumentParser, domain_cls=None) -> None:
    """The `bench run` flags, then the domain's own in a group of their own."""
    add_run_arguments(run)
    if domain_cls is not None:
        group = run.add_argument_group(f"{domain_cls.name} domain")
        domain_cls.add_arguments(group)
        run.set_defaults(_domain_dests=[a.dest for a in group._group_actions])


def parse_run(argv: Sequence[str], domain_cls) -> argparse.Namespace:
    """A `bench run` command line (without the word run) for a known domain, as `bench run` parses it."""
    parser = Parser(prog="bench run")
    add_run_command(parser, domain_cls)
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise UserError(f"unrecognized arguments: {' '.join(extra)}. See `python -m bench run --help`.")
    return args


def run_settings(args: argparse.Namespace) -> dict[str, Any]:
    """A parsed `run` command line as keyword arguments of bench.api.run (unset flags left out)."""
    names = (*RUN_FIELDS, *ENCODER_FLAGS, *getattr(args, "_domain_dests", []))
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}
