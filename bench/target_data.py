"""The data a saved backbone is evaluated on: its own (``bench features``) or another of its domain
(``bench transfer``), read through the domain adapter and checked against the backbone's input shape.

Both commands go through here, so a data set is chosen, loaded and refused the same way in both.
"""

from __future__ import annotations

from typing import Any

from domains.base import DataRequest, Domain, DomainData

from bench.adapters import adapter_class
from bench.core.config import default_data_root
from bench.core.errors import UserError, unknown_choice
from bench.prepare import domain_options, later_options


def source_domain(saved: dict[str, Any]) -> str:
    """The domain a backbone file was pretrained in (the run's ``--domain``, an import path included)."""
    return (saved.get("config") or {}).get("domain") or saved["domain"]


def build_adapter(cls: type[Domain], dataset: str | None, options: dict[str, Any],
                  inherited: dict[str, Any] | None = None) -> Domain:
    """The adapter with its defaults, the dataset's own defaults for unset flags, then ``inherited`` and
    ``options`` over them; a setting the domain does not have is refused with the valid ones."""
    chosen = domain_options(cls)
    unknown = sorted(set(options) - set(chosen))
    if unknown:
        raise UserError(f"unknown setting {', '.join(unknown)} for the {cls.name} domain; its settings: "
                        f"{', '.join(sorted(chosen)) or 'none'}.")
    chosen.update(cls.option_defaults(dataset or next(iter(cls.datasets))))  # as `bench run` fills unset flags
    chosen.update({k: v for k, v in (inherited or {}).items() if k in chosen})
    chosen.update({k: v for k, v in options.items() if v is not None})
    return cls(**chosen)


def recorded_options(adapter: Domain) -> dict[str, Any]:
    """The adapter's settings as a record stores them: flags added later are left out at their defaults,
    as `bench run` leaves them out, so the digests of records made before them do not change."""
    later = later_options(type(adapter))
    return {k: v for k, v in adapter.options.items() if not (k in later and v == later[k])}


def load_target(adapter: Domain, dataset: str | None, data: str | None, data_root: str | None, seed: int) -> DomainData:
    """The adapter's data set (its default when None); an unknown name lists the valid ones."""
    dataset = dataset or adapter.default_dataset
    if dataset not in adapter.datasets:
        raise unknown_choice(f"{adapter.name} dataset", dataset, list(adapter.datasets))
    return adapter.load(DataRequest(dataset=dataset, path=data, root=data_root or default_data_root(), seed=seed))


def check_input_shape(saved: dict[str, Any], adapter: Domain, loaded: DomainData, advice: str) -> None:
    """Refuse data the backbone cannot take: name both shapes, the data each came from and what to do."""
    wanted, given = tuple(saved["input_shape"]), tuple(loaded.input_shape)
    if wanted != given:
        raise UserError(f"the backbone takes inputs shaped {wanted} (trained on {saved['domain']}/{saved['dataset']}), "
                        f"but {adapter.name}/{loaded.dataset} gives {given}. {advice}")


def fitting_flags(saved: dict[str, Any], adapter: Domain, dataset: str | None, data: str | None,
                  data_root: str | None, seed: int, given: dict[str, Any]) -> dict[str, Any]:
    """The backbone run's domain settings that, given for the target too, make its inputs fit the backbone
    (a run at --image-size 64, say); empty when there are none or the target still does not fit with them.

    Only called on a mismatch, so the second load costs nothing on the way of a transfer that works.
    """
    ran = (saved.get("config") or {}).get("domain_options") or {}
    differing = {k: v for k, v in ran.items()
                 if v is not None and given.get(k) is None and k in adapter.options and adapter.options[k] != v}
    if not differing:
        return {}
    try:
        retry = build_adapter(type(adapter), dataset, {**given, **differing})
        fits = tuple(load_target(retry, dataset, data, data_root, seed).input_shape) == tuple(saved["input_shape"])
    except UserError:  # the run's settings do not apply to this data (a label column it lacks)
        return {}
    return differing if fits else {}


def target_class(saved: dict[str, Any], domain: str | type | None) -> type[Domain]:
    return adapter_class(domain or source_domain(saved))
