"""The registry of domain adapters.

Built-in domains are named here and imported only when used, so a slow or optional
dependency of one domain never slows down another.
"""

from __future__ import annotations

import importlib

from bench.errors import unknown_choice

from .base import DataRequest, Domain, DomainData, Split

BUILTIN: dict[str, str] = {
    "tabular": "domains.tabular:TabularDomain",
    "speech": "domains.speech:SpeechDomain",
}


def load_class(path: str) -> type[Domain]:
    module_name, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def domain_class(name: str) -> type[Domain]:
    if name not in BUILTIN:
        raise unknown_choice("domain", name, list(BUILTIN))
    return load_class(BUILTIN[name])


__all__ = ["BUILTIN", "DataRequest", "Domain", "DomainData", "Split", "domain_class"]
