"""The registry of domain adapters.

Built-in domains are named in ``registry`` and imported only when used, so a slow or optional
dependency of one domain never slows down another. Adapters from outside the package
(an import path, or an installed package's entry point) are resolved there too.
"""

from __future__ import annotations

from .base import DataRequest, Domain, DomainData, Split
from bench.core.options import Option
from .registry import BUILTIN, ENTRY_POINT_GROUP, DomainSource, available_sources, domain_class

__all__ = ["BUILTIN", "ENTRY_POINT_GROUP", "DataRequest", "Domain", "DomainData", "DomainSource", "Option", "Split",
           "available_sources", "domain_class"]
