"""The command line: run, list, table.

``run`` is parsed in two passes: the first finds ``--domain`` so that the chosen domain
can add its own flags (``--label`` for tables, say) before the full parse.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from . import __version__
from .config import RunConfig, default_data_root, resolve
from .errors import UserError
from .log import configure, logger

# RunConfig fields set by flags of the same name (dashes for underscores).
RUN_FIELDS = (
    "domain", "dataset", "data", "data_root", "data_ratio", "method", "imix", "mix", "alpha", "encoder",
    "no_aug", "inputmix", "temperature", "proj_dim", "proj_hidden", "ema", "queue_size", "symmetric", "epochs", "batch_size",
    "optimizer", "lr", "momentum", "weight_decay", "warmup_epochs", "seed", "device", "precision", "channels_last",
    "probe", "eval_every", "raw_probe", "results", "quiet",
)
ENCODER_FLAGS = ("width", "depth", "pieces", "scale", "stem_stride")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags default to None so that the domain's defaults apply where the user is silent."""
    what = parser.add_argument_group("data")
    what.add_argument("--domain", default="tabular",
                      help="modality adapter: a name from `bench list`, or package.module:Class")
    what.add_argument("--dataset", help="dataset of the domain (default: the domain's embedded one)")
    what.add_argument("--data", help="local file or folder for datasets that read one")
    what.add_argument("--data-root", help=f"downloads and caches (default {default_data_root()})")
    what.add_argument("--data-ratio", type=float, help="seeded fraction of the training split to pretrain on")

    method = parser.add_argument_group("method")
    method.add_argument("--method", default="simclr", help="simclr (npair), ntxent, moco, byol, supervised")
    method.add_argument("--imix", action="store_true", default=None, help="train with i-Mix")
    method.add_argument("--mix", help="i-Mix input mixing: mixup (default) or cutmix")
    method.add_argument("--no-aug", action="store_true", default=None,
                        help="no domain augmentation: both views are the clean input")
    method.add_argument("--inputmix", action="store_true", default=None,
                        help="InputMix: blend each view with two other samples (>= half its own weight)")
    method.add_argument("--alpha", type=float, help="Beta(alpha, alpha) for the mixing coefficient (default 1)")
    method.add_argument("--temperature", type=float, help="softmax temperature of contrastive losses")
    method.add_argument("--proj-dim", type=int, help="projection output size (default 128)")
    method.add_argument("--proj-hidden", type=int, help="projection/predictor hidden size (default 512)")
    method.add_argument("--ema", type=float, help="EMA momentum of MoCo's key / BYOL's target encoder (default 0.99)")
    method.add_argument("--queue-size", type=int, help="MoCo queue length (default 4096)")
    method.add_argument("--symmetric", action="store_true", default=None,
                        help="also swap the two views' roles and average the two losses")

    encoder = parser.add_argument_group("encoder")
    encoder.add_argument("--encoder", help="backbone (default: the domain's; see `bench list`)")
    encoder.add_argument("--width", type=float, help="encoder width (MLP units, or a CNN's channel multiplier)")
    encoder.add_argument("--depth", type=int, help="encoder depth, where the encoder has one")
    encoder.add_argument("--pieces", type=int, help="maxout pieces (paper-mlp)")
    encoder.add_argument("--scale", type=float, help="width multiplier (paper-mlp)")
    encoder.add_argument("--stem-stride", type=int, help="stride of a CNN's first layer (small-cnn)")

    train = parser.add_argument_group("training")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--optimizer", choices=("sgd", "adamw"))
    train.add_argument("--lr", type=float, help="learning rate at batch 256; scaled linearly with the batch")
    train.add_argument("--momentum", type=float)
    train.add_argument("--weight-decay", type=float)
    train.add_argument("--warmup-epochs", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    train.add_argument("--precision", choices=("fp32", "bf16", "fp16"), help="autocast precision (default fp32)")
    train.add_argument("--channels-last", action="store_true", default=None,
                       help="NHWC memory layout for image-like inputs (faster convolutions on CPU and GPU)")

    output = parser.add_argument_group("evaluation and output")
    output.add_argument("--probe", choices=("logistic", "sgd"),
                        help="linear probe: logistic (default; L-BFGS, C chosen on a validation split) or "
                             "sgd (the paper's protocol: SGD on frozen features, learning rate chosen on validation)")
    output.add_argument("--eval-every", type=int, metavar="N",
                        help="kNN accuracy every N pretraining epochs, stored in the record (default 0: off)")
    output.add_argument("--raw-probe", action=argparse.BooleanOptionalAction, default=None,
                        help="also probe the raw inputs (default: on for tabular data)")
    output.add_argument("--results", help="JSON-lines file the record is appended to (default results/runs.jsonl)")
    output.add_argument("--quiet", action="store_true", default=None, help="no progress output")


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as UserError, so every user error looks the same."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{message}. See `python -m bench {self.prog.split()[-1]} --help`.")


def build_parser(domain_cls=None) -> Parser:
    parser = Parser(prog="bench", description="i-Mix benchmark suite")
    parser.add_argument("--version", action="version", version=f"imix-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="pretrain one model, evaluate it, append a record")
    add_run_arguments(run)
    if domain_cls is not None:
        group = run.add_argument_group(f"{domain_cls.name} domain")
        domain_cls.add_arguments(group)
        run.set_defaults(_domain_dests=[a.dest for a in group._group_actions])
    commands.add_parser("list", help="the domains, datasets, methods, mixers and encoders")
    table = commands.add_parser("table", help="baseline vs i-Mix table from the records")
    table.add_argument("--results", default="results/runs.jsonl")
    table.add_argument("--metric", choices=("probe", "knn"), default="probe")
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Two passes: find --domain, then parse again with that domain's flags."""
    from domains import domain_class

    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("command", nargs="?")
    first.add_argument("--domain", default="tabular")
    known, _ = first.parse_known_args(argv)
    domain_cls = domain_class(known.domain) if known.command == "run" else None
    return build_parser(domain_cls).parse_args(argv)


def config_from_args(args: argparse.Namespace, domain) -> RunConfig:
    overrides: dict[str, Any] = {name: getattr(args, name) for name in RUN_FIELDS}
    # None when no encoder flag is given, so a domain's default encoder options still apply
    overrides["encoder_options"] = {f: getattr(args, f) for f in ENCODER_FLAGS if getattr(args, f) is not None} or None
    overrides["domain_options"] = {d: getattr(args, d) for d in getattr(args, "_domain_dests", [])}
    dataset = args.dataset or domain.default_dataset
    return resolve(overrides, domain.defaults(dataset))


def command_run(args: argparse.Namespace) -> int:
    from domains import domain_class

    from .run import run_experiment, summary_line

    domain_cls = domain_class(args.domain)
    domain = domain_cls(**{d: getattr(args, d) for d in getattr(args, "_domain_dests", [])})
    cfg = config_from_args(args, domain)
    configure(cfg.quiet)
    if args.mix is not None and not cfg.imix:
        logger.warning("--mix %s has no effect without --imix", args.mix)
    record = run_experiment(cfg, domain)
    print(summary_line(record))
    return 0


def command_list(args: argparse.Namespace) -> int:
    from domains import available_sources, domain_class
    from encoders import ENCODERS

    from .methods import ALIASES, METHODS
    from .mixing import MIXERS

    print("domains and datasets (the first of each domain is its default; "
          "--domain package.module:Class for any other adapter):")
    for name, source in available_sources().items():
        try:
            cls = domain_class(name)
        except UserError as error:  # one broken announced adapter must not hide the others
            print(f"  {name:<10} [{source.origin}] BROKEN: {error}")
            continue
        print(f"  {name:<10} {cls.summary} [encoder {cls.default_encoder}; mixing {', '.join(cls.mixers)}; "
              f"{source.origin}]")
        for dataset, text in cls.datasets.items():
            print(f"    {dataset:<12} {text}")
    aliases = {target: alias for alias, target in ALIASES.items()}
    print("methods:")
    for name, cls in METHODS.items():
        also = f" (alias {aliases[name]})" if name in aliases else ""
        print(f"  {name:<10} {cls.summary}{also}")
    print("mixing strategies (with --imix --mix NAME):")
    for name, (_, text) in MIXERS.items():
        print(f"  {name:<10} {text}")
    print("encoders (with --encoder NAME):")
    for name, spec in ENCODERS.items():
        print(f"  {name:<10} {spec.summary}")
    return 0


def command_table(args: argparse.Namespace) -> int:
    from .results import read_records
    from .tables import comparison_table

    records = read_records(args.results)
    if not records:
        raise UserError(f"{args.results} holds no finished runs yet.")
    print(comparison_table(records, args.metric))
    return 0


COMMANDS = {"run": command_run, "list": command_list, "table": command_table}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    configure()
    try:
        from .speed import tune_allocator

        tune_allocator()
        args = parse(argv)
        return COMMANDS[args.command](args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; records of finished runs are intact.", file=sys.stderr)
        return 130
