"""From settings to a resolved RunConfig and a constructed adapter: the one path that `bench run`,
`bench suite` and the Python API share (``bench.api.prepare``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bench.adapters import adapter_class
from bench.core.config import FIELD_NAMES, RunConfig, field_default
from bench.core.errors import UserError
from bench.core.log import logger
from bench.core.options import Option
from bench.flags import ENCODER_FLAGS, Parser
from bench.training.resolve import resolve
from domains.base import TRAINING_SETTINGS

# Settings that are encoder options rather than RunConfig fields: the run command's encoder flags.
ENCODER_SETTINGS = ENCODER_FLAGS
# RunConfig fields that are not settings a caller gives, but the dictionaries their owners fill.
_NOT_SETTINGS = {f.name for f in dataclasses.fields(RunConfig) if not f.metadata["flag"]}


def owned_settings(settings: dict[str, Any], method: str, mix: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The settings among ``settings`` that the method declares and those the mixer declares (given ones only;
    resolve fills in the rest). Unknown method or mixer names are left to resolve, which lists the valid ones."""
    from bench.training.methods import METHODS, aliases
    from bench.training.mixing import MIXERS

    def given(options: tuple[Option, ...]) -> dict[str, Any]:
        return {o.name: settings[o.name] for o in options if settings.get(o.name) is not None}

    cls = METHODS.get(aliases().get(method, method))
    spec = MIXERS.get(mix or field_default("mix"))
    return given(getattr(cls, "options", ())), given(getattr(spec, "params", ()))


def domain_options(domain: str | type) -> dict[str, Any]:
    """The domain's own settings (its ``bench run --domain NAME --help`` flags) with their defaults."""
    return _option_defaults(adapter_class(domain))


def later_options(domain: str | type) -> dict[str, Any]:
    """Domain flags added after records existed (the --dataset hf flags), with their defaults: the
    recorded config leaves them out at those defaults, so earlier records keep their config keys."""
    return _later_options(adapter_class(domain))


def _option_actions(cls: type) -> tuple[Parser, list[Any]]:
    """The flags a checked adapter class adds (``add_arguments``), on a parser of their own."""
    parser = Parser(prog="bench run", add_help=False)
    group = parser.add_argument_group()
    cls.add_arguments(group)
    return parser, group._group_actions


def _option_defaults(cls: type) -> dict[str, Any]:
    parser, actions = _option_actions(cls)
    defaults = vars(parser.parse_args([]))
    return {action.dest: defaults[action.dest] for action in actions}


def _later_options(cls: type) -> dict[str, Any]:
    return {a.dest: a.default for a in _option_actions(cls)[1] if getattr(a, "omit_at_default", False)}


def prepare(domain: str | type = "tabular", method: str = "simclr", imix: bool | None = None,
            **settings: Any) -> tuple[RunConfig, Any]:
    """The resolved config and the domain adapter of a run, without running it."""
    return prepare_with(adapter_class(domain), domain, method, imix, **settings)


def prepare_with(cls: type, domain: str | type, method: str = "simclr", imix: bool | None = None,
                 **settings: Any) -> tuple[RunConfig, Any]:
    """``prepare`` for an adapter class already imported and checked (the suite checks it once per grid)."""
    options = _option_defaults(cls)
    run_fields = FIELD_NAMES - _NOT_SETTINGS
    owned = owned_settings(settings, method, settings.get("mix"))
    unknown = sorted(set(settings) - run_fields - set(ENCODER_SETTINGS) - set(options) - {n for d in owned for n in d})
    if unknown:
        raise UserError(f"unknown setting {', '.join(unknown)} for the {cls.name} domain; settings are the "
                        f"`bench run` flags with underscores: {', '.join(sorted(run_fields | set(ENCODER_SETTINGS)))}; "
                        f"and this domain's: {', '.join(sorted(options)) or 'none'}.")
    dataset = settings.get("dataset") or next(iter(cls.datasets))
    for name, value in cls.option_defaults(dataset).items():  # the dataset's own value for an unset flag
        if settings.get(name) is None:
            options[name] = value
    options.update({k: v for k, v in settings.items() if k in options and v is not None})
    adapter = cls(**options)
    overrides = {k: v for k, v in settings.items() if k in run_fields}
    overrides["method_options"], overrides["mix_options"] = owned
    overrides.update(domain=domain if isinstance(domain, str) else f"{cls.__module__}:{cls.__qualname__}",
                     method=method, imix=imix)
    encoder_options = {k: settings[k] for k in ENCODER_SETTINGS if settings.get(k) is not None}
    overrides["encoder_options"] = encoder_options or None  # None: the domain's default options apply
    later = _later_options(cls)
    overrides["domain_options"] = {k: v for k, v in options.items() if not (k in later and v == later[k])}
    dataset = settings.get("dataset") or adapter.default_dataset
    defaults = checked_defaults(adapter, dataset)
    cfg = resolve(overrides, defaults)
    note_inherited(adapter, dataset, cfg, defaults, overrides)
    return cfg, adapter


def inherited_training_settings(defaults: dict[str, Any], given: dict[str, Any]) -> list[str]:
    """The training settings that neither the domain's defaults nor the caller chose."""
    return [k for k in TRAINING_SETTINGS if k not in defaults and given.get(k) is None]


def note_inherited(adapter: Any, dataset: str, cfg: RunConfig, defaults: dict[str, Any],
                   given: dict[str, Any]) -> None:
    """Say which training settings a run takes from the bench because its domain declares none of them:
    a new adapter would otherwise train with SGD at lr 0.125 without anyone having chosen it."""
    inherited = inherited_training_settings(defaults, given)
    if not inherited or any(k in defaults for k in TRAINING_SETTINGS):
        return  # the domain chose its training settings; what it left out is a choice too
    values = ", ".join(f"{k} {getattr(cfg, k):g}" if isinstance(getattr(cfg, k), float) else f"{k} {getattr(cfg, k)}"
                       for k in inherited)
    logger.info("the %s domain declares no training defaults for %s, so this run takes the bench's: %s (lr at "
                "batch 256, scaled with the batch). Set them in its defaults(dataset) or give them as flags "
                "(docs/adding-a-domain.md: Training defaults).", adapter.name, dataset, values)


def checked_defaults(adapter: Any, dataset: str) -> dict[str, Any]:
    """The adapter's ``defaults(dataset)``, refused with the adapter's name when a key is not a run setting."""
    defaults = adapter.defaults(dataset)
    unknown = sorted(set(defaults) - FIELD_NAMES)
    if unknown:
        raise UserError(f"the {adapter.name} domain's defaults({dataset!r}) returns {', '.join(unknown)}, which "
                        f"{'is not a run setting' if len(unknown) == 1 else 'are not run settings'}; the keys it may "
                        f"return are the RunConfig fields: {', '.join(sorted(FIELD_NAMES))}. Fix the adapter's "
                        "defaults() (docs/adding-a-domain.md).")
    return defaults
