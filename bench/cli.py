"""The command line: run, list, table.

``run`` is parsed in two passes: the first finds ``--domain`` so that the chosen domain
can add its own flags (``--label`` for tables, say) before the full parse.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from bench.cli_parser import (  # noqa: F401 (re-exported: bench.cli.build_parser and others)
    add_features_arguments, add_suite_arguments, build_parser, comma_list, seed_list)
from bench.core.errors import UserError
from bench.flags import (  # noqa: F401 (re-exported: bench.cli.add_run_arguments and others)
    ENCODER_FLAGS, RUN_FIELDS, SUITE_SETS, Parser, add_run_arguments, add_run_command, chosen_owners, run_option_strings,
    run_settings)
from bench.core.log import configure, logger


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Two passes: find --domain, then parse again with that domain's flags."""
    from bench.adapters import domain_class

    first = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    first.add_argument("command", nargs="?")
    first.add_argument("--domain")
    first.add_argument("--backbone")
    known, _ = first.parse_known_args(argv)
    domain_cls = domain_class(known.domain or "tabular") if known.command == "run" else None
    owners = chosen_owners(argv) if known.command == "run" else (None, None)
    features_domain = None
    if known.command in ("features", "transfer") and (known.domain or known.backbone):
        from bench.training.backbone import read_backbone_file

        saved = read_backbone_file(known.backbone) if not known.domain else None
        features_domain = domain_class(known.domain or saved["config"].get("domain") or saved["domain"])
    args, extra = build_parser(domain_cls, features_domain, *owners).parse_known_args(argv)
    if extra:  # argparse would blame the top-level parser; name the command's own help
        raise UserError(f"unrecognized arguments: {' '.join(extra)}. See `python -m bench {args.command} --help`.")
    return args


def prepare_run(args: argparse.Namespace):
    """The resolved config and the domain adapter of a parsed `run` command line."""
    from bench.api import prepare

    return prepare(**run_settings(args))


def command_run(args: argparse.Namespace) -> int:
    from bench.api import run
    from bench.run_record import summary_line

    if args.mix is not None and not args.imix:
        logger.warning("--mix %s has no effect without --imix", args.mix)
    if args.mix_layer is not None and not args.imix:
        logger.warning("--mix-layer %s has no effect without --imix", args.mix_layer)
    record = run(**run_settings(args))
    if record is not None:  # None on the other processes under torchrun
        print(summary_line(record))
    return 0


def command_features(args: argparse.Namespace) -> int:
    import numpy as np

    from bench.api import features

    options = {d: getattr(args, d) for d in getattr(args, "_domain_dests", []) if getattr(args, d) is not None}
    arrays = features(args.backbone, args.domain, args.dataset, args.data, device=args.device,
                      data_root=args.data_root, seed=args.seed, **options)
    out = Path(args.out).expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)
    print(f"features: train {arrays['train_x'].shape}, test {arrays['test_x'].shape} -> {out}")
    return 0


def command_transfer(args: argparse.Namespace) -> int:
    from bench.transfer import summary_line, transfer

    options = {d: getattr(args, d) for d in getattr(args, "_domain_dests", []) if getattr(args, d) is not None}
    records = transfer(args.backbone, args.domain, args.dataset, args.data, probe=args.probe, seed=args.seed,
                       results=args.results, device=args.device, data_root=args.data_root, options=options,
                       on_record=None if args.quiet else (lambda record: print(summary_line(record), flush=True)))
    print(f"{len(records)} transfer record(s) appended to {args.results}; table: python -m bench table "
          f"--results {args.results}")
    return 0


def command_list(args: argparse.Namespace) -> int:
    from encoders import ENCODERS

    from bench.listing import domain_lines
    from bench.training.methods import METHODS
    from bench.training.mixing import MIXERS

    print("\n".join(domain_lines(args.domain or ())))
    print("methods:")
    for name, cls in METHODS.items():
        also = f" (alias {', '.join(cls.aliases)})" if cls.aliases else ""
        own = f" [options: {', '.join(o.flags[0] for o in cls.options)}]" if cls.options else ""
        print(f"  {name:<10} {cls.summary}{also}{own}")
    print("mixing strategies (with --imix --mix NAME):")
    for name, spec in MIXERS.items():
        own = f" [options: {', '.join(o.flags[0] for o in spec.params)}]" if spec.params else ""
        print(f"  {name:<10} {spec.summary}{own}")
    from bench.training.strategies import STRATEGIES

    print("domain-agnostic strategies (with --strategy NAME; bench suite --strategies):")
    for name, strategy in STRATEGIES.items():
        print(f"  {name:<10} {strategy.summary}; views: {strategy.views}")
    print("encoders (with --encoder NAME):")
    pad = max(map(len, ENCODERS))  # text-transformer is longer than the other sections' names
    for name, spec in ENCODERS.items():
        print(f"  {name:<{pad}} {spec.summary}")
    return 0


def command_table(args: argparse.Namespace) -> int:
    from bench.results.records import selected_records
    from bench.results.tables import read_names, table_text

    records = selected_records(args.results, args.where)
    if args.by == "strategy":
        from bench.results.strategy_table import strategy_table

        if args.format == "latex":
            raise UserError("--by strategy prints markdown, or --format csv (one row per comparison, the same for "
                            "either layout); not latex.")
        if args.format == "markdown":
            print(strategy_table(records, args.metric, args.holm, read_names(args.names)))
            return 0
    print(table_text(records, args.metric, args.format, args.holm, read_names(args.names)))
    return 0


def command_plot(args: argparse.Namespace) -> int:
    from bench.results.plots import FigureOptions, make_figures
    from bench.results.records import selected_records
    from bench.results.tables import read_names

    options = FigureOptions(style=args.style, width=args.width, formats=args.format, title=args.title, holm=args.holm,
                            names=read_names(args.names))
    for line in make_figures(selected_records(args.results, args.where), args.out, args.metric, options):
        print(line)
    return 0


def command_suite(args: argparse.Namespace) -> int:
    from bench.presets import get_preset, load_config_file
    from bench.results.records import read_records
    from bench.results.shards import shard_from_flags, shard_grid
    from bench.suite import expand_grid, run_grid
    from bench.suite_claims import reused_keys
    from bench.suite_dry_run import dry_run

    configure(args.quiet)
    shard = shard_from_flags(args.shard, args.shard_index, args.shard_count)
    cli = {name: getattr(args, name) for name in RUN_FIELDS if name not in SUITE_SETS}
    cli.update({f: getattr(args, f) for f in ENCODER_FLAGS})
    grid = expand_grid(
        preset=get_preset(args.preset) if args.preset else None,
        config=load_config_file(args.config) if args.config else None,
        domains=args.domains, datasets=args.datasets, methods=args.methods, seeds=args.seeds,
        mixes=args.mixes, data_ratios=args.data_ratios, cli=cli, strategies=args.strategies)
    if shard:
        shard_grid(grid, *shard)
    if args.dry_run:
        timing = [r for path in args.estimate_from or [] for r in read_records(path)]
        reused_keys(args.reuse)  # a missing file is refused here too
        dry_run(grid, read_records(args.results, missing_ok=True), results=args.results, timing=timing,
                reused=[r for path in args.reuse for r in read_records(path)])
        return 0
    from bench.results.writable import check_results_file

    check_results_file(args.results)  # once for the grid, not a failure per cell
    return run_grid(grid, args.results, quiet=args.quiet, reuse=args.reuse)


def command_report(args: argparse.Namespace) -> int:
    from bench.results.records import selected_records
    from bench.results.report import write_report

    records = selected_records(args.results, args.where)
    print(write_report(records, args.out, list(dict.fromkeys(args.metric)), args.results, args.where))
    return 0


COMMANDS = {"run": command_run, "suite": command_suite, "list": command_list, "table": command_table,
            "plot": command_plot, "features": command_features, "transfer": command_transfer,
            "report": command_report}


OWN_PACKAGES = ("bench", "domains", "encoders")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    configure()
    try:
        from bench.core.speed import tune_allocator

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
    except ModuleNotFoundError as error:
        # The optional extras (tensorboard, wandb, datasets) say so where they are used; a package
        # missing here is a dependency of pyproject.toml, i.e. an install step not taken.
        if not error.name or error.name.split(".")[0] in OWN_PACKAGES:  # a bug: show it in full
            raise
        print(f"error: the package {error.name.split('.')[0]!r}, which bench needs, is not installed in this "
              f"Python ({sys.executable}). Install the project first: pip install -e . (README: Quick start).",
              file=sys.stderr)
        return 2
    finally:
        distributed = sys.modules.get("bench.training.distributed")  # loaded only if torch is there
        if distributed is not None:
            distributed.shutdown()


def init_distributed(args: argparse.Namespace) -> None:
    """Under torchrun: join the process group, and let only rank 0 show notes and progress."""
    from bench.training import distributed

    distributed.init_from_env(getattr(args, "device", None) or "auto")
    if not distributed.is_main():
        args.quiet = True
        configure(True)
