"""An owner's own settings (a domain's, a method's, a mixer's), each declared once: its flag, type,
default, allowed values and help.

A ``Domain`` subclass lists them in ``flags`` (a method in ``options``, a mixer in its spec's
``params``); from that one list the base class makes the
``bench run --domain X`` flags (``add_arguments``), fills ``self.options`` in its constructor
(every declared name, at its default unless given) and refuses a misspelt or out-of-range value
with a message naming the adapter. The keys are the names, which are also what ``bench suite``
config files and the Python API take, and what every record stores as ``config.domain_options``.
"""

from __future__ import annotations

import argparse
import difflib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bench.core.errors import UserError


@dataclass(frozen=True)
class Option:
    """One setting of an adapter, shown as ``--name-with-dashes`` (or ``flag``) by ``bench run --help``.

    ``type`` converts a value (``str``, ``int``, ``float``; ``bool`` makes a switch: ``--no-NAME``
    when the default is True, else ``--NAME``). ``valid`` is a predicate on a given (not None)
    value and ``valid_text`` the range it accepts, for the error message. ``later`` marks a setting
    added after records existed: at its default it is left out of the recorded config, so earlier
    records keep their config digest. The default is added to the help unless it is None or a switch.
    """

    name: str
    type: Callable[[Any], Any] = str
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    flag: str | None = None
    aliases: tuple[str, ...] = ()
    valid: Callable[[Any], bool] | None = None
    valid_text: str = ""
    later: bool = False

    @property
    def flags(self) -> tuple[str, ...]:
        """The command-line spellings: ``flag`` (or the name with dashes; ``--no-`` for a switch on by default)."""
        if self.flag is not None:
            main = self.flag
        elif self.type is bool and self.default:
            main = "--no-" + self.name.replace("_", "-")
        else:
            main = "--" + self.name.replace("_", "-")
        return (main, *self.aliases)

    def help_text(self) -> str:
        shown = self.type is not bool and self.default is not None and "(default" not in self.help
        text = f"{self.help} (default: {self.default})" if shown else self.help
        return text.replace("%", "%%")  # argparse formats help with %

    def add_to(self, group: argparse._ArgumentGroup) -> argparse.Action:
        """Add this flag to an argparse group (``dest`` is the name)."""
        if self.type is bool:
            action = group.add_argument(*self.flags, dest=self.name, default=bool(self.default),
                                        action="store_false" if self.default else "store_true", help=self.help_text())
        else:
            action = group.add_argument(*self.flags, dest=self.name, type=self.type, default=self.default,
                                        choices=self.choices, help=self.help_text())
        if self.later:
            action.omit_at_default = True  # read by bench.prepare.later_options
        return action

    def convert(self, value: Any, owner: str, kind: str = "domain") -> Any:
        """A given value as this option's type, checked against ``choices`` and ``valid``."""
        if value is None:
            return None
        try:
            value = bool(value) if self.type is bool else self.type(value)
        except (TypeError, ValueError):
            raise UserError(f"{self.flags[0]} takes {getattr(self.type, '__name__', 'a value')} values, got {value!r} "
                            f"({owner}).") from None
        if self.choices is not None and value not in self.choices:
            raise UserError(f"{self.flags[0]} must be one of {', '.join(map(str, self.choices))}, got {value!r} "
                            f"({owner}).")
        if self.valid is not None and not self.valid(value):
            shown = f"{value:g}" if isinstance(value, float) else repr(value)
            raise UserError(f"{self.flags[0]} must be in {self.valid_text}, got {shown}; "
                            f"see `python -m bench run --{kind} {owner} --help`.")
        return value


def unique(options: Iterable[Option]) -> dict[str, Option]:
    """Name -> option; the first declaration of a name wins (shared flags such as ``--dataset hf``'s
    ``--label`` keep the domain's own meaning when the domain declares them itself)."""
    found: dict[str, Option] = {}
    for option in options:
        found.setdefault(option.name, option)
    return found


def fill(options: dict[str, Option], given: dict[str, Any], owner: str, kind: str = "domain") -> dict[str, Any]:
    """Every declared option, at its default unless given (None counts as not given); an unknown name is
    refused with the valid ones."""
    unknown = sorted(set(given) - set(options))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(options), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UserError(f"the {owner} {kind} has no option {', '.join(map(repr, unknown))}.{hint} Its options: "
                        f"{', '.join(options) or 'none'} (`python -m bench run --{kind} {owner} --help`).")
    values = {name: option.default for name, option in options.items()}
    values.update({name: option.convert(given[name], owner, kind) for name, option in options.items()
                   if given.get(name) is not None})
    return values
