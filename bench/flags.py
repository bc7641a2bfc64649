"""The `bench run` flags, shared by the command line, the suite, the Python API and the adapter check.

Kept below ``cli.py`` so that the suite and the adapter check can read the run command's flags
without importing the command line (which imports them).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any, Sequence

from bench.core.config import RunConfig
from bench.core.errors import UserError
from bench.core.options import Option, unique
from bench.core.settings import GROUPS, declared, flag_name, help_text, kind

# RunConfig fields set by flags of the same name (dashes for underscores): every declared setting.
RUN_FIELDS = tuple(f.name for f in declared(RunConfig))
# Encoder options with a flag of their own (bench run --width 0.5): the encoder group's, after --encoder.
ENCODER_OPTIONS = {
    "width": (float, "encoder width (MLP units, or a CNN's channel multiplier)"),
    "depth": (int, "encoder depth, where the encoder has one"),
    "pieces": (int, "maxout pieces (paper-mlp)"),
    "scale": (float, "width multiplier (paper-mlp)"),
    "stem_stride": (int, "stride of a CNN's first layer (small-cnn)"),
    "heads": (int, "attention heads (transformer, text-transformer; 0: width // 32)"),
    "patch": (int, "patch side in pixels, or segment length in samples (transformer on images, spectrograms, "
                   "signals; 0: the smallest giving at most 64 patches or 32 segments)"),
}
ENCODER_FLAGS = tuple(ENCODER_OPTIONS)


def add_run_arguments(parser: argparse.ArgumentParser, exclude: Sequence[str] = ()) -> None:
    """The flags of the RunConfig declarations, grouped as declared. Flags default to None so that
    the domain's defaults apply where the user is silent; the help shows the declared default.

    ``exclude`` names settings (by field name) that the caller sets otherwise: the suite
    sets domain, method, seed and the i-Mix switch per cell.
    """
    for title in GROUPS:
        group = parser.add_argument_group(title)
        for f in declared(RunConfig):
            if f.metadata["group"] == title and f.name not in exclude:
                group.add_argument(flag_name(f.name), **_argument(f))
        for name, (kind_, text) in ENCODER_OPTIONS.items() if title == "encoder" else ():
            if name not in exclude:
                group.add_argument(flag_name(name), type=kind_, help=text)


def _argument(f: dataclasses.Field) -> dict[str, Any]:
    """argparse keywords for one declared setting."""
    what = kind(f)
    extra: dict[str, Any] = {"help": help_text(f)}
    if f.metadata["metavar"]:
        extra["metavar"] = f.metadata["metavar"]
    if f.metadata["choices"]:
        extra["choices"] = f.metadata["choices"]
    if what == "bool":
        return {**extra, "action": "store_true", "default": None}
    if what == "optional-bool":
        return {**extra, "action": argparse.BooleanOptionalAction, "default": None}
    if what == "int-list":
        return {**extra, "type": int, "nargs": "+"}
    return {**extra, "type": {"int": int, "float": float}.get(what, None)}


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


def owner_options() -> list[Option]:
    """Every method's options and every mixer's parameters (a suite's cells may set any of them)."""
    from bench.training.methods import METHODS
    from bench.training.mixing import MIXERS

    found = unique([*(o for cls in METHODS.values() for o in cls.options),
                    *(o for spec in MIXERS.values() for o in spec.params)])
    return list(found.values())


def run_option_strings(domain_cls) -> set[str]:
    """Every flag `bench run --domain NAME` accepts, for checking a suite's settings."""
    parser = Parser(add_help=False)
    add_run_arguments(parser)
    domain_cls.add_arguments(parser.add_argument_group())
    group = parser.add_argument_group()
    for option in owner_options():
        if not any(flag in parser._option_string_actions for flag in option.flags):
            option.add_to(group)
    return set(parser._option_string_actions)


def chosen_owners(argv: Sequence[str]) -> tuple[Any, Any]:
    """The method class and mixer spec a `bench run` command line names (unknown names are left to the
    full parse and to resolve, which list the valid ones)."""
    from bench.training.methods import METHODS, aliases
    from bench.training.mixing import MIXERS

    first = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    first.add_argument("--method", default=dataclasses.MISSING)
    first.add_argument("--mix", default=dataclasses.MISSING)
    known, _ = first.parse_known_args(list(argv))
    method = RunConfig.method if known.method is dataclasses.MISSING else aliases().get(known.method, known.method)
    mix = RunConfig.mix if known.mix is dataclasses.MISSING else known.mix
    return METHODS.get(method), MIXERS.get(mix)


# Settings a suite sets itself (per cell or once for all), so they are not run flags there.
SUITE_SETS = ("domain", "dataset", "data", "method", "imix", "mix", "seed", "data_ratio", "results", "quiet",
              "save_backbone", "strategy")  # one backbone file per cell would overwrite itself: keep --checkpoint-dir


def add_run_command(run: argparse.ArgumentParser, domain_cls=None, method_cls=None, mixer=None) -> None:
    """The `bench run` flags, then the domain's own, the method's own and the mixer's own, each in a
    group of its own."""
    add_run_arguments(run)
    if domain_cls is not None:
        group = run.add_argument_group(f"{domain_cls.name} domain")
        domain_cls.add_arguments(group)
        run.set_defaults(_domain_dests=[a.dest for a in group._group_actions])
    for owner, options, dests in ((method_cls, getattr(method_cls, "options", ()), "_method_dests"),
                                  (mixer, getattr(mixer, "params", ()), "_mix_dests")):
        if options:
            group = run.add_argument_group(f"--{'method' if owner is method_cls else 'mix'} {owner.name}")
            # default None: an option not given is filled in at its declared default by resolve
            run.set_defaults(**{dests: [_owner_flag(group, option).dest for option in options]})


def _owner_flag(group: argparse._ArgumentGroup, option: Option) -> argparse.Action:
    action = option.add_to(group)
    action.default = None
    return action


def parse_run(argv: Sequence[str], domain_cls) -> argparse.Namespace:
    """A `bench run` command line (without the word run) for a known domain, as `bench run` parses it."""
    parser = Parser(prog="bench run")
    add_run_command(parser, domain_cls, *chosen_owners(argv))
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise UserError(f"unrecognized arguments: {' '.join(extra)}. See `python -m bench run --help`.")
    return args


def run_settings(args: argparse.Namespace) -> dict[str, Any]:
    """A parsed `run` command line as keyword arguments of bench.api.run (unset flags left out)."""
    names = (*RUN_FIELDS, *ENCODER_FLAGS, *getattr(args, "_domain_dests", []), *getattr(args, "_method_dests", []),
             *getattr(args, "_mix_dests", []))
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}
