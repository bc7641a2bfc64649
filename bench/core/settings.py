"""How a run setting is declared once, on its RunConfig field, and what is read from that declaration.

``setting(default, help=..., choices=..., group=...)`` is a dataclass field whose metadata holds the
rest of the declaration. The `bench run` flags and their help (bench/flags.py), the choice and range
checks of ``RunConfig.validate``, the suite's config-file keys and the presets' checks all read it,
so a default or an allowed-values list is written in one place. Dependency-free: bench/core/config.py
and bench/flags.py import it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, Callable

# The `bench run --help` groups, in the order they are shown.
GROUPS = ("data", "method", "encoder", "training", "several processes (torchrun --nproc-per-node N -m bench run ...)",
          "checkpoints", "evaluation and output")
PROCESSES = GROUPS[4]

# How a setting takes part in a comparison of arms (bench/results/arms.py):
ROLES = (
    "identity",   # part of what an arm is: equal in every record of an arm and in both arms of a comparison
    "treatment",  # what a comparison varies: the baseline and the i-Mix arm differ in it
    "imix_only",  # a treatment setting with no effect without i-Mix (ignored in a baseline's identity)
    "strategy_only",  # a treatment setting with no effect without its --strategy (ignored in other arms' identity)
    "pairing",    # pairs the runs of two arms (the seed): not part of an arm's identity
    "monitor",    # only adds what is reported along the way: not part of an arm's identity
)
_UNSET = object()


def setting(default: Any = None, *, help: str = "", group: str, choices: tuple[Any, ...] = (), metavar: str = "",
            fraction: bool = False, factory: Callable[[], Any] | None = None, flag: bool = True,
            bookkeeping: bool = False, role: str = "identity", since: str | None = None, before: Any = _UNSET,
            scales_work: bool = False, strategy_treatment: bool = False, sometimes: bool = False) -> Any:
    """A RunConfig field with its declaration: the `bench run` flag's group, help and metavar, the
    allowed values (``choices``; a None default stays allowed), and ``fraction`` for the range (0, 1].

    ``factory`` builds a default that is computed (a path) or mutable (a list); ``flag=False`` for
    fields that are not flags of their own (the encoder's and the domain's option dictionaries).
    ``bookkeeping``, ``role``, ``since``/``before``, ``scales_work``, ``strategy_treatment`` and
    ``sometimes``: the module docstring.
    """
    if role not in ROLES:
        raise ValueError(f"role {role!r} is not one of {ROLES}")
    if before is _UNSET:
        before = factory() if factory is not None else default
    meta = {"help": help, "group": group, "choices": tuple(choices), "metavar": metavar, "fraction": fraction,
            "flag": flag, "bookkeeping": bookkeeping, "role": role, "since": since, "before": before,
            "scales_work": scales_work, "strategy_treatment": strategy_treatment, "sometimes": sometimes}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def declared(cls: type) -> list[dataclasses.Field]:
    """The fields of ``cls`` that are run settings with a flag of their own, in declaration order."""
    return [f for f in dataclasses.fields(cls) if f.metadata.get("flag")]


def names_where(cls: type, test: Callable[[dict[str, Any]], bool]) -> frozenset[str]:
    """The names of the settings of ``cls`` whose declaration passes ``test`` (on the field's metadata)."""
    return frozenset(f.name for f in dataclasses.fields(cls) if test(f.metadata))


def later_settings(cls: type) -> dict[str, Any]:
    """Settings added after records existed -> the value those older records ran with."""
    return {f.name: f.metadata["before"] for f in dataclasses.fields(cls) if f.metadata.get("since")}


def default_of(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def kind(f: dataclasses.Field) -> str:
    """The value type as a word: str, int, float, bool, optional-bool (on/off/unset) or int-list."""
    text = str(f.type).replace(" ", "")
    if text == "bool|None":
        return "optional-bool"
    if text.startswith("list["):
        return "int-list"
    return text.removesuffix("|None")


def flag_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def help_text(f: dataclasses.Field) -> str:
    """The declared help with the declared default appended (switches and unset defaults explain themselves)."""
    text, value = f.metadata["help"], default_of(f)
    if value is None or isinstance(value, bool) or value == []:
        return text
    return f"{text} (default {shown(value)})" if text else f"default {shown(value)}"


FRACTION = "(0, 1]"


def in_fraction(value: float) -> bool:
    return 0 < value <= 1


def choice_and_range_errors(config: Any) -> list[str]:
    """What the declarations refuse in ``config``: values outside ``choices`` or outside (0, 1]."""
    errors = []
    for f in declared(type(config)):
        value, choices = getattr(config, f.name), f.metadata["choices"]
        if choices and value is not None and value not in choices:
            errors.append(f"unknown {flag_name(f.name)} {value!r}; valid choices: {', '.join(choices)}.")
        if f.metadata["fraction"] and not in_fraction(value):
            errors.append(f"{flag_name(f.name)} must be in {FRACTION}, got {value}")
    return errors


def coerce(f: dataclasses.Field, value: Any, where: str) -> Any:
    """A setting from a preset or a config file as the flag would read it (``alpha = 1`` is 1.0).

    Values go through ``str`` as on a command line, so a suite cell resolves to the same config
    as the `bench run` line it prints. ``False`` for a plain switch means unset (its default).
    """
    what = kind(f)
    if what in ("bool", "optional-bool"):
        if not isinstance(value, bool):
            raise _bad(where, f.name, value, "true or false")
        return value if (value or what == "optional-bool") else None
    convert = {"int": int, "float": float, "int-list": int}.get(what, str)
    try:
        if what == "int-list":
            return [convert(str(v)) for v in (value if isinstance(value, (list, tuple)) else [value])]
        if isinstance(value, (list, tuple, dict)):
            raise ValueError
        return convert(str(value))
    except ValueError:
        raise _bad(where, f.name, value, f"a{'n' if what == 'int' else ''} {what}") from None


def _bad(where: str, name: str, value: Any, wanted: str) -> Exception:
    from bench.core.errors import UserError

    return UserError(f"{where}: {name} = {value!r} is not {wanted}; give it as the flag {flag_name(name)} takes it.")
