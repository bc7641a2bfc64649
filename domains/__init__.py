"""The registry of domain adapters.

Built-in domains are named here and imported only when used, so a slow or optional
dependency of one domain never slows down another. Adapters from outside the package
(an import path, or an installed package's entry point) are resolved in ``registry``.
"""

from __future__ import annotations

from .base import DataRequest, Domain, DomainData, Split

BUILTIN: dict[str, str] = {
    "tabular": "domains.tabular:TabularDomain",
    "images": "domains.images:ImageDomain",
    "speech": "domains.speech:SpeechDomain",
    "signals": "domains.signals:SignalsDomain",
}

from .registry import ENTRY_POINT_GROUP, DomainSource, available_sources, domain_class  # noqa: E402

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "DataRequest", "Domain", "DomainData", "DomainSource", "Split",
           "available_sources", "domain_class"]
