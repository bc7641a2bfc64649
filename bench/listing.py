"""`bench list`'s domains: each known domain and its data sets, one line each; with ``--domain SPEC``
(repeatable) only those, adapters given by import path included, each with the training settings
it declares per data set and those it inherits from the bench."""

from __future__ import annotations

from typing import Sequence

from domains.base import TRAINING_SETTINGS

from bench.core.errors import UserError


def _domain_lines(name: str, origin: str) -> list[str]:
    from bench.adapters import domain_class

    try:
        cls = domain_class(name)
    except UserError as error:  # one broken announced adapter must not hide the others
        return [f"  {name:<10} [{origin}] BROKEN: {error}"]
    lines = [f"  {cls.name if ':' in name else name:<10} {cls.summary} [encoder {cls.default_encoder}; "
             f"mixing {', '.join(cls.mixers)}; {origin}]"]
    lines += [f"    {dataset:<12} {text}" for dataset, text in cls.datasets.items()]
    return lines


def training_defaults_lines(spec: str) -> list[str]:
    """Per data set: the training settings the adapter declares, and those it inherits."""
    from bench.api import prepare
    from bench.core.log import logger

    from bench.adapters import domain_class

    cls = domain_class(spec)
    lines = []
    level = logger.level
    logger.setLevel("WARNING")  # the run's note about inherited settings: shown here as a list instead
    try:
        for dataset in cls.datasets:
            try:
                cfg, adapter = prepare(domain=spec, dataset=dataset)
            except UserError as error:
                lines.append(f"    {dataset:<12} cannot be prepared without more settings: {error}")
                continue
            declared = adapter.defaults(dataset)
            chosen = ", ".join(f"{k} {getattr(cfg, k)}" for k in TRAINING_SETTINGS if k in declared)
            inherited = ", ".join(f"{k} {getattr(cfg, k)}" for k in TRAINING_SETTINGS if k not in declared)
            lines.append(f"    {dataset:<12} training: declares {chosen or 'nothing'}; "
                         f"inherits {inherited or 'nothing'}")
    finally:
        logger.setLevel(level)
    return lines


def domain_lines(specs: Sequence[str] = ()) -> list[str]:
    """Every known domain with its data sets; with ``specs``, only those (names or import paths), each
    followed by the training settings it declares and inherits per data set."""
    from domains import available_sources

    lines = ["domains and datasets (the first of each domain is its default; --domain package.module:Class "
             "for any other adapter; `bench list --domain SPEC` shows one, with its training defaults):"]
    sources = available_sources()
    for name, source in sources.items():
        if not specs or name in specs:
            lines += _domain_lines(name, source.origin)
    for spec in specs:
        if spec not in sources:
            lines += _domain_lines(spec, "import path" if ":" in spec else "unknown")
        lines += training_defaults_lines(spec)
    return lines
