"""The command line's parsers: `bench` and its commands with their flags (the run flags are generated
from the RunConfig declarations in bench/flags.py).
"""

from __future__ import annotations

import argparse

from bench import __version__
from bench.core.config import PROBES, default_data_root
from bench.flags import SUITE_SETS, Parser, add_run_arguments, add_run_command


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
    grid.add_argument("--strategies", type=comma_list, help=(
        "treated arms beside each baseline: imix (one per --mixes entry; the default), inputmix, emix, dacl, "
        "gaussian, e.g. imix,emix,dacl,gaussian"))
    grid.add_argument("--data-ratios", type=lambda t: [float(x) for x in comma_list(t)],
                      help="fractions of the training data to pretrain on, e.g. 0.1,0.5,1")
    where = suite.add_argument_group("settings")
    where.add_argument("--preset", help="named settings: paper, paper-noaug, cpu (see bench/presets.py, docs/fidelity.md)")
    where.add_argument("--config", help="TOML or YAML file with settings and dataset entries (README: Suite)")
    where.add_argument("--results", default="results/runs.jsonl", help="JSON-lines file of records")
    where.add_argument("--dry-run", action="store_true", help="list the cells, their commands and time estimates")
    where.add_argument("--shard", metavar="K/N",
                       help="run only worker K's fixed share of N, K from 1 (every N-th baseline/i-Mix pair, from the "
                            "K-th), for job arrays; give each worker its own --results file (docs/cluster.md)")
    where.add_argument("--shard-index", type=int, metavar="I",
                       help="the same with a 0-based index, with --shard-count N: worker I of 0..N-1 (Kubernetes "
                            "indexed jobs: $JOB_COMPLETION_INDEX; --shard-index I is --shard I+1/N)")
    where.add_argument("--shard-count", type=int, metavar="N", help="the number of workers, with --shard-index")
    where.add_argument("--reuse", action="append", default=[], metavar="PATH",
                       help="cells recorded in PATH count as done (PATH is read, never written): a grid that "
                            "extends an earlier one runs only what is new; give `bench table` both files")
    where.add_argument("--estimate-from", action="append", metavar="PATH",
                       help="with --dry-run: also estimate times from the records in PATH (e.g. short timing runs)")
    where.add_argument("--quiet", action="store_true", help="no progress bars and no line per cell")
    add_run_arguments(suite, exclude=SUITE_SETS)


def add_features_arguments(features: argparse.ArgumentParser, domain_cls=None) -> None:
    features.add_argument("--backbone", required=True, metavar="PATH", help="a file written by --save-backbone")
    features.add_argument("--out", required=True, metavar="FILE.npz",
                          help="where the arrays go: train_x, train_y, test_x, test_y, class_names")
    features.add_argument("--dataset", help="default: the backbone's training data set (same domain)")
    add_target_arguments(features, domain_cls, "cpu", "unset domain settings come from the backbone's run")


def add_target_arguments(parser: argparse.ArgumentParser, domain_cls, device: str, unset: str) -> None:
    """The data a backbone file is evaluated on (`features`, `transfer`): domain, data, seed, device, domain flags."""
    parser.add_argument("--domain", help="default: the backbone's domain")
    parser.add_argument("--data", help="local file or folder, as for `bench run`")
    parser.add_argument("--data-root", help=f"downloads and caches (default: the backbone run's, else {default_data_root()})")
    parser.add_argument("--seed", type=int, help="seed of data-set splits that take the run seed (default: the run's)")
    others = [d for d in ("auto", "cpu", "cuda") if d != device]
    parser.add_argument("--device", default=device, help=f"{device} (default), {', '.join(others)} or cuda:N")
    if domain_cls is not None:  # defaults None: see ``unset``
        group = parser.add_argument_group(f"{domain_cls.name} domain ({unset})")
        domain_cls.add_arguments(group)
        parser.set_defaults(_domain_dests=[a.dest for a in group._group_actions],
                            **{a.dest: None for a in group._group_actions})


def add_transfer_arguments(transfer: argparse.ArgumentParser, domain_cls=None) -> None:
    transfer.add_argument("--backbone", required=True, nargs="+", metavar="PATH",
                          help="one or more files written by --save-backbone (e.g. a baseline and an i-Mix arm's seeds)")
    transfer.add_argument("--dataset", required=True, help="the target: a data set of the domain (`bench list`)")
    transfer.add_argument("--probe", choices=PROBES, help="linear probe (default: the backbone run's)")
    transfer.add_argument("--results", default="results/runs.jsonl", help="JSON-lines file the records are appended to")
    transfer.add_argument("--quiet", action="store_true", help="no line per backbone")
    add_target_arguments(transfer, domain_cls, "auto", "unset ones take the domain's defaults for the target")


def add_plot_arguments(plot: argparse.ArgumentParser) -> None:
    plot.add_argument("--results", nargs="+", default=["results/runs.jsonl"],
                      help="one or more JSON-lines files of records (default results/runs.jsonl)")
    plot.add_argument("--out", default="results/figures", help="folder for the figures (default results/figures)")
    plot.add_argument("--metric", choices=("probe", "knn"), default="probe",
                      help="linear-probe (default) or kNN test accuracy; kNN figures are named bars_knn.png "
                           "and so on, so both metrics can share one --out folder")
    plot.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                      help="only records whose field (or config field) has this value; repeatable")
    plot.add_argument("--holm", action="store_true", help="mark p < 0.05 after Holm's correction per figure")
    plot.add_argument("--names", metavar="FILE", help="display names (JSON/TOML/YAML: row or method label -> name)")
    plot.add_argument("--format", default="png,pdf",
                      help="comma-separated file formats: png, pdf, svg (default png,pdf: PNG at 300 dpi and vector PDF)")
    plot.add_argument("--style", choices=("screen", "paper"), default="screen",
                      help="screen (default): large sans-serif text; paper: 8 pt Times-like text (STIX) sized for a "
                           "two-column article, 6.75 in across unless --width says otherwise")
    plot.add_argument("--width", metavar="column|page|INCHES",
                      help="figure width: column (3.25 in), page (6.75 in) or inches (default: the style's)")
    plot.add_argument("--title", action="store_true",
                      help="draw a title over each figure (default none: a paper's caption replaces it; captions.md "
                           "beside the figures says what each one shows)")


def build_parser(domain_cls=None, features_domain=None, method_cls=None, mixer=None) -> Parser:
    parser = Parser(prog="bench", description="i-Mix benchmark suite")
    parser.add_argument("--version", action="version", version=f"imix-bench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="pretrain one model, evaluate it, append a record",
                              description="The defaults shown are the bench's own (bench/core/config.py); a domain "
                                          "may choose others for its data sets, and the flags given win over both.")
    add_run_command(run, domain_cls, method_cls, mixer)
    suite = commands.add_parser(
        "suite", help="run a grid of experiments (resumable: finished cells are skipped)",
        description="Runs domain x dataset x method x {baseline, i-Mix} x seed. Other flags are `bench run` "
                    "settings for every cell; they override the preset and the config file.")
    add_suite_arguments(suite)
    listing = commands.add_parser("list", help="the domains, datasets, methods, mixers and encoders")
    listing.add_argument("--domain", action="append", metavar="SPEC",
                         help="show only this domain (a name or package.module:Class, e.g. an adapter of your own), "
                              "with the training settings it declares and inherits per data set; repeatable")
    add_features_arguments(commands.add_parser(
        "features", help="frozen features of a data set from a --save-backbone file, as .npz",
        description="Loads the backbone, reads the data set through its domain (by default the one the backbone "
                    "was trained on) and writes its clean-view features with the labels."), features_domain)
    add_transfer_arguments(commands.add_parser(
        "transfer", help="probe pretrained backbones on another data set of their domain (DABS-style transfer)",
        description="Loads each --save-backbone file, probes its frozen features on the target data set with the "
                    "run's own linear probe and kNN, and appends one transfer record per backbone naming the "
                    "pretraining run and the target; `bench table` shows transfer rows apart from same-data rows."),
        features_domain)
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
    table.add_argument("--by", choices=("method", "strategy"), default="method", help=(
        "columns: per method (baseline, i-Mix, gain), or per strategy (one gain column per treated arm against "
        "the same baseline; markdown)"))
    plot = commands.add_parser(
        "plot", help="figures: baseline vs i-Mix bars, loss curves, accuracy and i-Mix gain against data and epochs",
        description="Writes bars (each data set at its largest --data-ratio), loss_curves, data_ratio (groups "
                    "run at several ratios), gain_epochs and gain_data (the i-Mix gain with its 95% interval "
                    "against epochs and data ratio); a figure the records cannot fill is skipped with a message.")
    add_plot_arguments(plot)
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
