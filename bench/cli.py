"""The command line: run, list, table.

``run`` is parsed in two passes: the first finds ``--domain`` so that the chosen domain
can add its own flags (``--label`` for tables, say) before the full parse.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .config import RunConfig, default_data_root, resolve
from .errors import UserError
from .flags import (  # noqa: F401 (re-exported: bench.cli.add_run_arguments and others)
    ENCODER_FLAGS, RUN_FIELDS, SUITE_SETS, Parser, add_run_arguments, add_run_command, run_option_strings, run_settings)
from .log import configure, logger

def comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def seed_list(text: str) -> int | list[int]:
    """``--seeds 3`` is seeds 0, 1, 2; ``--seeds 3,4`` is exactly seeds 3 and 4."""
    try:
        return [int(part) for part in comma_list(text)] if "," in text else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seeds or a list such as 3,4,5, got {text!r}") from None


def add_suite_arguments(suite: argparse.ArgumentParser) -> None:
    grid = suite.add_argument_group("grid (each overrides the preset's and the config file's)")
    grid.add_argument("--domains", type=comma_list, help="comma-separated domains, e.g. tabular,images,speech")
    grid.add_argument("--datasets", type=comma_list,
                      help="only these dataset entries (names as listed by --dry-run)")
    grid.add_argument("--methods", type=comma_list, help="comma-separated methods (default simclr)")
    grid.add_argument("--seeds", type=seed_list,
                      help="N: seeds 0..N-1 for every cell; or a list such as 3,4,5 (fresh seeds for a final table)")
    grid.add_argument("--mixes", type=comma_list,
                      help="i-Mix variants run beside each baseline (default mixup; e.g. mixup,cutmix)")
    grid.add_argument("--data-ratios", type=lambda t: [float(x) for x in comma_list(t)],
                      help="fractions of the training data to pretrain on, e.g. 0.1,0.5,1")
    where = suite.add_argument_group("settings")
    where.add_argument("--preset", help="named settings: paper, paper-noaug, cpu (see bench/presets.py, docs/fidelity.md)")
    where.add_argument("--config", help="TOML or YAML file with settings and dataset entries (README: Suite)")
    where.add_argument("--results", default="results/runs.jsonl", help="JSON-lines file of records")
    where.add_argument("--dry-run", action="store_true", help="list the cells, their commands and time estimates")
    where.add_argument("--shard", metavar="K/N",
                       help="run only worker K's fixed share of N (every N-th baseline/i-Mix pair, from the K-th), for job arrays; "
                            "give each worker its own --results file (README: Grids on a cluster)")
    where.add_argument("--estimate-from", action="append", metavar="PATH",
                       help="with --dry-run: also estimate times from the records in PATH (e.g. short timing runs)")
    where.add_argument("--quiet", action="store_true", help="no progress bars and no line per cell")
    add_run_arguments(suite, exclude=SUITE_SETS)


def add_features_arguments(features: argparse.ArgumentParser, domain_cls=None) -> None:
    features.add_argument("--backbone", required=True, metavar="PATH", help="a file written by --save-backbone")
    features.add_argument("--out", required=True, metavar="FILE.npz",
                          help="where the arrays go: train_x, train_y, test_x, test_y, class_names")
    features.add_argument("--domain", help="default: the backbone's domain")
    features.add_argument("--dataset", help="default: the backbone's training data set (same domain)")
    features.add_argument("--data", help="local file or folder, as for `bench run`")
    features.add_argument("--data-root", help=f"downloads and caches (default: the backbone run's, else {default_data_root()})")
    features.add_argument("--seed", type=int, help="seed of data-set splits that take the run seed (default: the run's)")
    features.add_argument("--device", default="cpu", help="cpu (default), cuda or cuda:N")
    if domain_cls is not None:  # defaults None: unset domain settings come from the backbone's run
        group = features.add_argument_group(f"{domain_cls.name} domain")
        domain_cls.add_arguments(group)
        features.set_defaults(_domain_dests=[a.dest for a in group._group_actions],
                              **{a.dest: None for a in group._group_actions})


def build_parser(domain_cls=None, features_domain=None) -> Parser:
    parser = Parser(prog="bench", description="i-Mix benchmark suite")
    parser.add_argument("--version", action="version", version=f"imix-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="pretrain one model, evaluate it, append a record",
                              description="The defaults shown are the bench's own (bench/config.py); a domain "
                                          "may choose others for its data sets, and the flags given win over both.")
    add_run_command(run, domain_cls)
    suite = commands.add_parser(
        "suite", help="run a grid of experiments (resumable: finished cells are skipped)",
        description="Runs domain x dataset x method x {baseline, i-Mix} x seed. Other flags are `bench run` "
                    "settings for every cell; they override the preset and the config file.")
    add_suite_arguments(suite)
    commands.add_parser("list", help="the domains, datasets, methods, mixers and encoders")
    add_features_arguments(commands.add_parser(
        "features", help="frozen features of a data set from a --save-backbone file, as .npz",
        description="Loads the backbone, reads the data set through its domain (by default the one the backbone "
                    "was trained on) and writes its clean-view features with the labels."), features_domain)
    table = commands.add_parser("table", help="baseline vs i-Mix table from the records")
    table.add_argument("--results", nargs="+", default=["results/runs.jsonl"],
                       help="one or more JSON-lines files of records (default results/runs.jsonl)")
    table.add_argument("--metric", choices=("probe", "knn"), default="probe",
                       help="linear-probe (default) or kNN test accuracy")
    table.add_argument("--format", choices=("markdown", "latex", "csv"), default="markdown")
    table.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                       help="only records whose field (or config field) has this value; repeatable")
    table.add_argument("--holm", action="store_true", help="Holm-adjust the p-values over every tested cell")
    table.add_argument("--names", metavar="FILE", help="display names (JSON/TOML/YAML: row or method label -> name)")
    plot = commands.add_parser(
        "plot", help="figures: baseline vs i-Mix bars, loss curves, accuracy and i-Mix gain against data and epochs",
        description="Writes bars (each data set at its largest --data-ratio), loss_curves, data_ratio (groups "
                    "run at several ratios), gain_epochs and gain_data (the i-Mix gain with its 95%% interval "
                    "against epochs and data ratio); a figure the records cannot fill is skipped with a message.")
    plot.add_argument("--results", nargs="+", default=["results/runs.jsonl"],
                      help="one or more JSON-lines files of records (default results/runs.jsonl)")
    plot.add_argument("--out", default="results/figures", help="folder for the PNG files (default results/figures)")
    plot.add_argument("--metric", choices=("probe", "knn"), default="probe",
                      help="linear-probe (default) or kNN test accuracy")
    plot.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                      help="only records whose field (or config field) has this value; repeatable")
    plot.add_argument("--holm", action="store_true", help="mark p < 0.05 after Holm's correction per figure")
    plot.add_argument("--names", metavar="FILE", help="display names (JSON/TOML/YAML: row or method label -> name)")
    plot.add_argument("--format", default="png", help="comma-separated file formats: png, pdf, svg (default png)")
    report = commands.add_parser(
        "report", help="one self-contained HTML page: tables, paired tests, figures and each run's provenance",
        description="Writes one HTML file with the comparison tables, the paired tests, the figures (embedded) and "
                    "each run's config, data, commit and wall time; it needs no network or other file to view.")
    report.add_argument("--results", nargs="+", default=["results/runs.jsonl"],
                        help="one or more JSON-lines files of records (default results/runs.jsonl)")
    report.add_argument("--out", default="results/report.html", help="the HTML file (default results/report.html)")
    report.add_argument("--metric", nargs="+", choices=("probe", "knn"), default=["probe", "knn"],
                        help="metrics to tabulate and plot (default: both)")
    report.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="only records whose field (or config field) has this value; repeatable")
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Two passes: find --domain, then parse again with that domain's flags."""
    from .adapters import domain_class

    first = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    first.add_argument("command", nargs="?")
    first.add_argument("--domain")
    first.add_argument("--backbone")
    known, _ = first.parse_known_args(argv)
    domain_cls = domain_class(known.domain or "tabular") if known.command == "run" else None
    features_domain = None
    if known.command == "features" and (known.domain or known.backbone):
        from .backbone import read_backbone_file

        saved = read_backbone_file(known.backbone) if not known.domain else None
        features_domain = domain_class(known.domain or saved["config"].get("domain") or saved["domain"])
    args, extra = build_parser(domain_cls, features_domain).parse_known_args(argv)
    if extra:  # argparse would blame the top-level parser; name the command's own help
        raise UserError(f"unrecognized arguments: {' '.join(extra)}. See `python -m bench {args.command} --help`.")
    return args


def prepare_run(args: argparse.Namespace):
    """The resolved config and the domain adapter of a parsed `run` command line."""
    from .api import prepare

    return prepare(**run_settings(args))


def command_run(args: argparse.Namespace) -> int:
    from .api import run
    from .run import summary_line

    if args.mix is not None and not args.imix:
        logger.warning("--mix %s has no effect without --imix", args.mix)
    record = run(**run_settings(args))
    if record is not None:  # None on the other processes under torchrun
        print(summary_line(record))
    return 0


def command_features(args: argparse.Namespace) -> int:
    import numpy as np

    from .api import features

    options = {d: getattr(args, d) for d in getattr(args, "_domain_dests", []) if getattr(args, d) is not None}
    arrays = features(args.backbone, args.domain, args.dataset, args.data, device=args.device,
                      data_root=args.data_root, seed=args.seed, **options)
    out = Path(args.out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)
    print(f"features: train {arrays['train_x'].shape}, test {arrays['test_x'].shape} -> {out}")
    return 0


def command_list(args: argparse.Namespace) -> int:
    from domains import available_sources
    from encoders import ENCODERS

    from .adapters import domain_class
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
    from .tables import read_names, table_text

    print(table_text(selected_records(args.results, args.where), args.metric, args.format, args.holm,
                     read_names(args.names)))
    return 0


def selected_records(paths: Sequence[str], where: Sequence[str]) -> list[dict[str, Any]]:
    """The records of every file, narrowed by --where; a UserError when nothing is left."""
    from .results import read_records
    from .shards import distinct_paths, refuse_duplicate_cells
    from .tables import select

    by_path = {path: read_records(path) for path in distinct_paths(paths)}
    refuse_duplicate_cells(by_path)  # shards of one grid are joined here; a cell in two files is a mistake
    records = [r for path_records in by_path.values() for r in path_records]
    if not records:
        raise UserError(f"{' '.join(paths)} holds no finished runs yet.")
    check_where_fields(records, where)
    chosen = select(records, list(where))
    if not chosen:
        raise UserError(f"no record matches --where {' '.join(where)} ({len(records)} records read).")
    return chosen


def check_where_fields(records: list[dict[str, Any]], where: Sequence[str]) -> None:
    """A --where field that no record has is a typo (`epoch` for `epochs`): name it and the valid fields."""
    fields = {k for r in records for k in r} | {k for r in records if isinstance(r.get("config"), dict)
                                                for k in r["config"]}
    for clause in where:
        name = clause.partition("=")[0].strip()
        if name and "=" in clause and name not in fields:
            raise UserError(f"--where {clause}: no record has a field {name!r}; valid fields: "
                            f"{', '.join(sorted(fields))}.")


def command_plot(args: argparse.Namespace) -> int:
    from .plots import make_figures

    from .tables import read_names

    for line in make_figures(selected_records(args.results, args.where), args.out, args.metric,
                             formats=args.format, holm=args.holm, names=read_names(args.names)):
        print(line)
    return 0


def command_suite(args: argparse.Namespace) -> int:
    from .presets import get_preset, load_config_file
    from .results import read_records
    from .shards import parse_shard, shard_grid
    from .suite import dry_run, expand_grid, run_grid

    configure(args.quiet)
    shard = parse_shard(args.shard) if args.shard is not None else None
    cli = {name: getattr(args, name) for name in RUN_FIELDS if name not in SUITE_SETS}
    cli.update({f: getattr(args, f) for f in ENCODER_FLAGS})
    grid = expand_grid(
        preset=get_preset(args.preset) if args.preset else None,
        config=load_config_file(args.config) if args.config else None,
        domains=args.domains, datasets=args.datasets, methods=args.methods, seeds=args.seeds,
        mixes=args.mixes, data_ratios=args.data_ratios, cli=cli)
    if shard:
        shard_grid(grid, *shard)
    if args.dry_run:
        timing = [r for path in args.estimate_from or [] for r in read_records(path)]
        dry_run(grid, read_records(args.results, missing_ok=True), results=args.results, timing=timing)
        return 0
    from .writable import check_results_file

    check_results_file(args.results)  # once for the grid, not a failure per cell
    return run_grid(grid, args.results, quiet=args.quiet)


def command_report(args: argparse.Namespace) -> int:
    from .report import write_report

    records = selected_records(args.results, args.where)
    print(write_report(records, args.out, list(dict.fromkeys(args.metric)), args.results, args.where))
    return 0


COMMANDS = {"run": command_run, "suite": command_suite, "list": command_list, "table": command_table,
            "plot": command_plot, "features": command_features,
            "report": command_report}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    configure()
    try:
        from .speed import tune_allocator

        tune_allocator()
        args = parse(argv)
        if args.command in ("run", "suite"):
            init_distributed(args)
        return COMMANDS[args.command](args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; records of finished runs are intact.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `bench table | head` closed the pipe: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    finally:
        from .distributed import shutdown

        shutdown()


def init_distributed(args: argparse.Namespace) -> None:
    """Under torchrun: join the process group, and let only rank 0 show notes and progress."""
    from . import distributed

    distributed.init_from_env(getattr(args, "device", None) or "auto")
    if not distributed.is_main():
        args.quiet = True
        configure(True)
