"""Domain adapters as this bench takes them: the contract checks of ``domains/`` plus the bench's own
rules (the mixers it implements, the run flags an adapter must not take as its own).

``domains/`` cannot know those rules without importing the bench, so the bench hands them over here.
"""

from __future__ import annotations

from typing import Any

from domains import registry
from domains.base import Domain
from domains.checks import check_adapter_class as check_contract

from bench.core.errors import UserError
from bench.flags import add_run_arguments
from bench.training.mixing import MIXERS


def check_adapter_class(cls: Any, label: str) -> None:
    """Raise UserError, naming ``label``, unless ``cls`` fulfils the contract with this bench's rules."""
    check_contract(cls, label, mixers=tuple(MIXERS), run_arguments=add_run_arguments)


def domain_class(spec: str) -> type[Domain]:
    """The checked adapter class for a ``--domain`` value."""
    return registry.domain_class(spec, check_adapter_class)


def adapter_class(domain: str | type) -> type[Domain]:
    """The checked adapter class for a name, an import path, or a class (the Python API's ``domain=``)."""
    if isinstance(domain, type):
        if not issubclass(domain, Domain):
            raise UserError(f"domain={domain.__name__} is not a domains.Domain subclass.")
        check_adapter_class(domain, f"domain adapter {domain.__name__}")
        return domain
    return domain_class(domain)


def register(name: str, cls: type[Domain]) -> None:
    """Make an adapter class known by name in this process, checked with this bench's rules."""
    registry.register(name, cls, check_adapter_class)
