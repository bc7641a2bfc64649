"""Where domain adapters come from: built in, announced by installed packages, or an import path.

``--domain`` takes a name (a built-in domain, or one that an installed distribution
announces in the ``imix_bench.domains`` entry-point group) or an import path
``package.module:ClassName``. Every adapter is imported only when used and checked on
import, so a broken one fails with a message that names it rather than deep in training.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Callable

from bench.core.errors import UserError, unknown_choice
from bench.core.log import logger

from .base import Domain
from .checks import check_adapter_class

# The built-in domains, imported only when used.
BUILTIN: dict[str, str] = {
    "tabular": "domains.tabular:TabularDomain",
    "images": "domains.images:ImageDomain",
    "speech": "domains.speech:SpeechDomain",
    "signals": "domains.signals:SignalsDomain",
    "text": "domains.text:TextDomain",
}
ENTRY_POINT_GROUP = "imix_bench.domains"
GUIDE = "docs/adding-a-domain.md"
# Checks an adapter class, raising UserError naming it; the bench passes one that adds its own rules.
Check = Callable[[type, str], None]
REGISTERED_ORIGIN = "registered in this process"
_REGISTERED: dict[str, type[Domain]] = {}  # bench.api.register_domain: adapters defined in a notebook or script

@dataclass(frozen=True)
class DomainSource:
    """One adapter the user can name: what ``--domain`` takes, what it imports, where it came from."""

    name: str
    target: str  # "package.module:ClassName"
    origin: str  # "builtin", "entry point from distribution X 1.0", "import path"

    @property
    def label(self) -> str:
        where = self.origin if self.target == self.name else f"{self.target}, {self.origin}"
        return f"domain adapter {self.name!r} ({where})"


def entry_point_sources() -> list[DomainSource]:
    """Adapters that installed distributions announce in the ``imix_bench.domains`` group."""
    sources = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(point, "dist", None)
        origin = f"entry point from distribution {dist.name} {dist.version}" if dist else "entry point"
        sources.append(DomainSource(point.name, point.value, origin))
    return sources


def available_sources() -> dict[str, DomainSource]:
    """Every adapter known by name; built-in names win over announced ones."""
    sources = {name: DomainSource(name, target, "builtin") for name, target in BUILTIN.items()}
    for name, cls in _REGISTERED.items():
        sources[name] = DomainSource(name, f"{cls.__module__}:{cls.__qualname__}", REGISTERED_ORIGIN)
    for source in entry_point_sources():
        if source.name in sources:
            logger.warning("%s is shadowed by %s; reach it with --domain %s",
                           source.label, sources[source.name].label, source.target)
            continue
        sources[source.name] = source
    return sources


def find_source(spec: str) -> DomainSource:
    """The adapter that ``--domain spec`` means."""
    if ":" in spec:
        return DomainSource(spec, spec, "import path")
    sources = available_sources()
    if spec not in sources:
        raise unknown_choice("domain", spec, list(sources),
                             f"An adapter of your own: --domain package.module:ClassName (see {GUIDE}).")
    return sources[spec]


def import_source(source: DomainSource, check: Check = check_adapter_class) -> type[Domain]:
    """Import and check the adapter class; every failure is a UserError naming the adapter."""
    if source.origin == REGISTERED_ORIGIN:
        return _REGISTERED[source.name]
    module_name, _, attribute = source.target.partition(":")
    if not module_name or not attribute:
        raise UserError(f"{source.label}: {source.target!r} is not an import path; "
                        "write it as package.module:ClassName.")
    if source.origin == "import path":
        _search_current_directory()
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the adapter's own import failed: report it, not a traceback
        raise UserError(f"{source.label}: importing module {module_name!r} failed with "
                        f"{type(error).__name__}: {error}. {_import_hint(error, module_name)}") from None
    try:
        cls = functools.reduce(getattr, attribute.split("."), module)
    except AttributeError:
        found = sorted(n for n, v in vars(module).items()
                       if isinstance(v, type) and issubclass(v, Domain) and v is not Domain)
        raise UserError(f"{source.label}: module {module_name!r} has no attribute {attribute!r}; "
                        f"the Domain subclasses it defines: {', '.join(found) or 'none'}.") from None
    check(cls, source.label)
    return cls


def _search_current_directory() -> None:
    """Let an import path find a module in the current directory, as ``python -m bench`` does,
    also when the suite runs as the ``imix-bench`` script (which does not search it)."""
    here = os.getcwd()
    if here not in {os.path.abspath(p) for p in sys.path}:
        sys.path.insert(0, here)


def _import_hint(error: Exception, module_name: str) -> str:
    missing = getattr(error, "name", None) if isinstance(error, ModuleNotFoundError) else None
    if missing and (module_name == missing or module_name.startswith(missing + ".")):
        return "Is its package installed, or its folder on PYTHONPATH (or the current directory)?"
    if missing:
        return f"The adapter needs the module {missing!r}: install the package that provides it."
    return "Fix the error in the adapter's module."


def domain_class(spec: str, check: Check = check_adapter_class) -> type[Domain]:
    """The checked adapter class for a ``--domain`` value (``check``: see ``bench.adapters``)."""
    return import_source(find_source(spec), check)


def register(name: str, cls: type[Domain], check: Check = check_adapter_class) -> None:
    """Make an adapter class known by name in this process (checked now, like any other adapter)."""
    if name in BUILTIN:
        raise UserError(f"{name!r} is a built-in domain; register your adapter under another name.")
    if not isinstance(cls, type) or not issubclass(cls, Domain):
        raise UserError(f"register_domain({name!r}, ...) takes a domains.Domain subclass, got {cls!r}.")
    check(cls, f"domain adapter {name!r} ({REGISTERED_ORIGIN})")
    _REGISTERED[name] = cls
