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


def setting(default: Any = None, *, help: str = "", group: str, choices: tuple[Any, ...] = (), metavar: str = "",
            fraction: bool = False, factory: Callable[[], Any] | None = None, flag: bool = True) -> Any:
    """A RunConfig field with its declaration: the `bench run` flag's group, help and metavar, the
    allowed values (``choices``; a None default stays allowed), and ``fraction`` for the range (0, 1].

    ``factory`` builds a default that is computed (a path) or mutable (a list); ``flag=False`` for
    fields that are not flags of their own (the encoder's and the domain's option dictionaries).
    """
    meta = {"help": help, "group": group, "choices": tuple(choices), "metavar": metavar, "fraction": fraction,
            "flag": flag}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def declared(cls: type) -> list[dataclasses.Field]:
    """The fields of ``cls`` that are run settings with a flag of their own, in declaration order."""
    return [f for f in dataclasses.fields(cls) if f.metadata.get("flag")]


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
