"""How a suite's layers of settings become the settings of each cell, and how a cell is shown.

Presets and config files name settings with underscores, as the `bench run` flags; a cell's
settings are checked against the RunConfig declarations and the domain's own flags, and converted
as the flag would read them, so the printed command line resolves to the same config.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from bench.core.errors import UserError
from bench.presets import get_preset

# Grid axes that the suite sets per cell; presets and files may not set them as settings.
AXES = ("domain", "method", "imix", "mix", "seed", "data_ratio", "strategy")
# --strategies: "imix" is one arm per --mixes entry (the default); the others are a --strategy cell each.
STRATEGY_ARMS = ("inputmix", "emix", "dacl", "gaussian")


def row_arms(strategies: Sequence[str], mixes: list[str]) -> list[str]:
    """The treated arms run beside a row's baseline: i-Mix with each mix, then each other strategy."""
    unknown = [s for s in strategies if s not in ("imix", *STRATEGY_ARMS)]
    if unknown:
        raise UserError(f"unknown strategy {unknown[0]!r} in --strategies; valid choices: imix (one arm per "
                        f"--mixes entry), {', '.join(STRATEGY_ARMS)}.")
    return (mixes if "imix" in strategies else []) + [s for s in STRATEGY_ARMS if s in strategies]


def arm_flags(arm: str) -> tuple[list[str], dict[str, Any], bool]:
    """A treated arm's `bench run` flags, its settings and whether it is an i-Mix arm (for [[arms]] entries:
    strategy cells take the baseline's arm settings)."""
    if arm in STRATEGY_ARMS:
        return ["--strategy", arm], {"strategy": arm}, False
    return ["--imix", "--mix", arm], {"mix": arm}, True


def _seeds(value: Any) -> list[int]:
    if isinstance(value, int):
        if value < 1:
            raise UserError(f"--seeds must be at least 1, got {value}.")
        return list(range(value))
    return [int(s) for s in value]


def _entry_name(entry: dict[str, Any]) -> str:
    return str(entry.get("name") or entry.get("dataset") or "default")


def merge_specs(preset: dict[str, Any] | None, config: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The layers in the order they apply; a config file may name a preset to start from."""
    layers = []
    if config and config.get("preset") and preset is None:
        preset = get_preset(config["preset"])
    for spec in (preset, config):
        if spec:
            layers.append(spec)
    return layers


def dataset_entries(layers: list[dict[str, Any]], domains: Sequence[str]) -> list[tuple[str, str]]:
    """(domain, entry name) of every grid row, in the order of --domains; later layers add rows."""
    rows: list[tuple[str, str]] = []
    for domain in domains:
        names = [_entry_name(e) for spec in layers for e in spec.get("datasets", []) if e["domain"] == domain]
        if not names:
            names = ["default"]  # the domain's embedded default dataset
        rows += [(domain, n) for n in dict.fromkeys(names)]
    return rows


# Keys of an [[arms]] entry that choose the cells it applies to (absent: any), and its label.
ARM_MATCH = ("domain", "dataset", "method", "imix")
ARM_SOURCE = "source"


def matching_arms(spec: dict[str, Any], domain: str, name: str, method: str | None,
                  imix: bool | None) -> list[dict[str, Any]]:
    """The spec's [[arms]] entries for one cell: settings per method and baseline/i-Mix arm."""
    if method is None:
        return []
    cell = {"domain": domain, "dataset": name, "method": method, "imix": imix}
    return [arm for arm in spec.get("arms", []) if all(arm[k] == cell[k] for k in ARM_MATCH if k in arm)]


def cell_flags(layers: list[dict[str, Any]], domain: str, name: str, cli: dict[str, Any],
               method: str | None = None, imix: bool | None = None) -> dict[str, Any]:
    """Settings < domain settings < dataset entry < matching arms, for each layer in turn; then
    the suite's flags."""
    flags: dict[str, Any] = {}
    for spec in layers:
        flags.update(spec.get("settings", {}))
        flags.update(spec.get("domain", {}).get(domain, {}))
        for entry in spec.get("datasets", []):
            if entry["domain"] == domain and _entry_name(entry) == name:
                flags.update({k: v for k, v in entry.items() if k not in ("name", "domain", "methods")})
        for arm in matching_arms(spec, domain, name, method, imix):
            flags.update({k: v for k, v in arm.items() if k not in (*ARM_MATCH, ARM_SOURCE)})
    flags.update({k: v for k, v in cli.items() if v is not None})
    clash = sorted(set(flags) & set(AXES))
    if clash:
        raise UserError(f"the grid sets {', '.join(clash)} per cell; remove it from the settings of "
                        f"{domain}/{name} and use the suite's --domains, --methods, --seeds, --mixes or "
                        "--data-ratios instead.")
    return flags


class DomainFlags:
    """One domain's adapter class, imported and checked once per suite, with what its cells' settings may be:
    the RunConfig declarations, the encoder flags and the domain's own flags (``add_arguments``)."""

    def __init__(self, domain: str) -> None:
        from bench.adapters import domain_class
        from bench.flags import ENCODER_FLAGS, RUN_FIELDS, Parser, owner_options, run_option_strings

        self.cls = domain_class(domain)
        group = Parser(add_help=False).add_argument_group()
        self.cls.add_arguments(group)
        # Settings are named by flag (--per-class-ratio: per_class_ratio), not by argparse dest; the --no-X
        # half of an on/off flag is not a setting of its own (raw_probe = false is --no-raw-probe).
        self.options = {flag[2:].replace("-", "_"): a for a in group._group_actions for flag in a.option_strings
                        if flag.startswith("--") and not (isinstance(a, argparse.BooleanOptionalAction)
                                                          and flag.startswith("--no-"))}
        self.owned = {option.name for option in owner_options()}  # methods' and mixers' own: resolve checks them
        self.names = {*RUN_FIELDS, *ENCODER_FLAGS, *self.options, *self.owned}
        self.option_strings = run_option_strings(self.cls)  # for rendering: which switches have a --no- form

    def settings(self, flags: dict[str, Any], where: str) -> dict[str, Any]:
        """The cell's settings as `bench run` would parse its command line (unset ones left out)."""
        from dataclasses import fields

        from bench.core.config import RunConfig
        from bench.flags import ENCODER_OPTIONS
        from bench.core.settings import coerce

        flags = dict(flags)
        for key in [k for k, v in flags.items() if v is False and f"no_{k}" in self.options]:
            del flags[key]
            flags[f"no_{key}"] = True  # header = false is the flag --no-header
        unknown = sorted(set(flags) - self.names)
        if unknown:
            raise UserError(f"{where}: unknown setting {unknown[0]!r}. Valid settings (the `bench run` flags of "
                            f"this domain, with underscores): {', '.join(sorted(self.names))}.")
        declared = {f.name: f for f in fields(RunConfig)}
        settings: dict[str, Any] = {}
        for key, value in flags.items():
            if value is None:
                continue
            if key in self.options:
                value = _option_value(self.options[key], value, where)
                key = self.options[key].dest
            elif key in self.owned:
                pass
            elif key in ENCODER_OPTIONS:
                value = _option_value(argparse.Action([], key, type=ENCODER_OPTIONS[key][0]), value, where)
            else:
                value = coerce(declared[key], value, where)
            if value is not None:
                settings[key] = value
        return settings


def _option_value(action: argparse.Action, value: Any, where: str) -> Any:
    """A domain option's value as its flag would read it: through ``str`` and the flag's type."""
    if action.nargs == 0 or isinstance(action, argparse.BooleanOptionalAction):  # a switch
        if not isinstance(value, bool):
            raise UserError(f"{where}: {action.dest} = {value!r} is not true or false.")
        if isinstance(action, argparse.BooleanOptionalAction):
            return value
        return action.const if value else None  # an off switch is the default
    convert = action.type or str
    try:
        if action.nargs in ("+", "*") or isinstance(action.nargs, int):
            converted = [convert(str(v)) for v in (value if isinstance(value, (list, tuple)) else [value])]
        elif isinstance(value, (list, tuple, dict)):
            raise ValueError
        else:
            converted = convert(str(value))
    except (ValueError, TypeError, argparse.ArgumentTypeError):
        raise UserError(f"{where}: {action.dest} = {value!r} is not a valid value for {action.option_strings[0]}.") from None
    if action.choices is not None and converted not in action.choices:
        raise UserError(f"{where}: {action.dest} = {value!r}; valid choices: {', '.join(map(str, action.choices))}.")
    return converted


def flags_to_argv(flags: dict[str, Any], options: set[str]) -> list[str]:
    """Settings as `bench run` flags, for display: underscores become dashes, True a bare flag, False --no-X."""
    argv: list[str] = []
    first = ("dataset", "data")  # the dataset first: the printed commands read better
    for key, value in sorted(flags.items(), key=lambda kv: kv[0] not in first):
        flag = "--" + key.replace("_", "-")
        if value is None:
            continue
        if value is False and f"--no-{flag[2:]}" in options:
            argv.append(f"--no-{flag[2:]}")
            continue
        if value is False:
            continue  # an off switch is the default
        if value is True:
            argv.append(flag)
        elif isinstance(value, (list, tuple)):
            argv += [flag, *map(str, value)]
        else:
            argv += [flag, str(value)]
    return argv


def row_methods(layers: list[dict[str, Any]], domain: str, name: str, methods: list[str]) -> list[str]:
    """A dataset entry may list the only methods run on it (run.sh runs HIGGS with MoCo only)."""
    from bench.training.methods import canonical_method

    for spec in reversed(layers):
        for entry in spec.get("datasets", []):
            if entry["domain"] == domain and _entry_name(entry) == name and "methods" in entry:
                return [canonical_method(m) for m in entry["methods"]]
    return methods
