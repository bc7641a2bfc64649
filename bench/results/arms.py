"""Which records are one arm, and which arms are one comparison.

An arm is the runs of one setting over seeds: records equal in every measured setting except
the seed (``arm_key``). A comparison is a baseline arm and an i-Mix arm that differ in nothing
but the treatment (TREATMENT_FIELDS); two treatments (MixUp or CutMix, alpha 1 or alpha 2) are
two arms and two rows, never one, and records that differ in anything else are refused rather
than pooled. The table, the figures and the report all take their groups from here, and
their names from ``bench/results/labels.py``.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from bench.core.config import (BOOKKEEPING_FIELDS, IMIX_ONLY_FIELDS, INPUTMIX_FIELDS, LATER_FIELDS, NOT_ARM_FIELDS,
                               STRATEGY_ONLY_FIELDS, TREATMENT_FIELDS, RunConfig, config_key)
from bench.core.errors import UserError
from bench.results.labels import (DEFAULT_ALPHA, DEFAULT_MIX, NK_BASELINE, SAME_DATA, STRATEGY_LABELS, alpha_of, arm_label,
                                  data_ratio, dataset_name, epochs_of, method_column, mix_of, moco_negatives, record_kind,
                                  setting_label, strategy_name, tell_data_apart, treated, variant_label, variant_of)

def with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """A record's config with settings added since it was written filled in at the value it ran with.

    Without this, a record made before a setting existed (say ``probe``) would never compare
    with one made after, though both ran with the same value. A setting in LATER_FIELDS gets the
    value records ran with before it existed (the rounded CutMix box, the averaged symmetric loss),
    which may differ from today's default; any other, its default.
    """
    defaults = {**RunConfig().to_dict(), **copy.deepcopy(LATER_FIELDS)}  # what a record from before a setting ran with
    return {**{k: v for k, v in defaults.items() if k not in config}, **config}


def arm_key(record: dict[str, Any]) -> str:
    """The arm a record belongs to: a digest of every measured setting but the seed (and eval_every).

    A baseline's mix and alpha are left out (they do nothing without --imix); MoCo's negatives
    form is the one the record ran, so records from before the setting join their arm.
    """
    config = {**with_defaults(record.get("config", {})), "imix": bool(record["imix"])}
    config["moco_negatives"] = moco_negatives(record)
    if record["imix"]:
        config["mix"] = mix_of(record)
        config["alpha"] = alpha_of(record)
    ignore = NOT_ARM_FIELDS | (frozenset() if record["imix"] else IMIX_ONLY_FIELDS)
    used = STRATEGY_LABELS.get(strategy_name(record) or "", (None, None))[1]
    ignore |= STRATEGY_ONLY_FIELDS - {used}
    return config_key({**config, "domain": record["domain"], "dataset": dataset_name(record)}, ignore)


def group_arms(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Records by arm (``arm_key``), in the order each arm first appears."""
    arms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        arms[arm_key(record)].append(record)
    return dict(arms)


def shows_mix(records: Iterable[dict[str, Any]]) -> bool:
    """Whether the i-Mix arms of these records ran more than one mix (then labels name it)."""
    return len({variant_of(r) for r in records if treated(r)}) > 1


def labelled_arms(records: Iterable[dict[str, Any]], with_mix: bool) -> dict[str, list[dict[str, Any]]]:
    """Checked records (check_comparable) by arm, keyed by the arm's label (``arm_label``)."""
    labelled: dict[str, list[dict[str, Any]]] = {}
    for arm in group_arms(records).values():
        label = arm_label(arm[0], with_mix)
        if label in labelled:  # two arms, one name: only a setting check_comparable allows differs
            raise UserError(f"two arms would both be labelled {label!r}; narrow the records with --where.")
        labelled[label] = arm
    return labelled


# ---------------------------------------------------------------- comparisons


def _differences(configs: list[dict[str, Any]], allowed: frozenset[str]) -> dict[str, list[str]]:
    fields = sorted({k for c in configs for k in c} - allowed - BOOKKEEPING_FIELDS)
    differing = {}
    for name in fields:
        values = sorted({repr(c.get(name)) for c in configs})
        if len(values) > 1:
            differing[name] = values
    return differing


def check_comparable(label: str, records: list[dict[str, Any]], inputmix_arm: bool = False) -> None:
    """Refuse arms whose configs differ in anything but the i-Mix switch and the seed (and InputMix, where it is an arm)."""
    allowed = TREATMENT_FIELDS | (INPUTMIX_FIELDS if inputmix_arm else frozenset())
    configs = [with_defaults(r["config"]) for r in records if "config" in r]
    if len({config_key(c, allowed) for c in configs}) <= 1:
        return
    differing = _differences(configs, allowed)
    detail = "; ".join(f"{name}: {', '.join(values)}" for name, values in differing.items())
    example = next(iter(differing), "epochs")
    raise UserError(
        f"cannot compare {label}: its records differ in more than the i-Mix switch and the seed ({detail}). "
        f"Keep one setting with --where, e.g. --where {example}=VALUE, or put the runs in separate "
        "--results files.")


@dataclass
class Pairing:
    """The records of one comparison: a baseline arm and one i-Mix arm (either may be empty)."""

    domain: str
    dataset: str  # the row's data set name (dataset_name)
    method: str  # the column (method_column)
    mix: str  # the i-Mix arm's variant ("" when there is no i-Mix arm)
    alpha: float
    data_ratio: float
    epochs: int | None
    show_epochs: bool  # the data set was run at several epoch counts: its rows say which
    baseline: list[dict[str, Any]] = field(default_factory=list)
    imix: list[dict[str, Any]] = field(default_factory=list)
    kind: str = SAME_DATA  # or TRANSFER: a backbone probed on other data than it was pretrained on

    @property
    def row_label(self) -> str:
        return (f"{self.domain}/{self.dataset}{setting_label(self.data_ratio, self.epochs, self.show_epochs)}"
                f"{variant_label(self.mix, self.alpha, bool(self.imix))}")


def pairings(records: Iterable[dict[str, Any]], inputmix_arm: bool = False) -> list[Pairing]:
    """One pairing per (domain, data set, data ratio, epochs, method, i-Mix arm), each checked.

    MixUp and CutMix are different treatments, and so are two mixing coefficients (alpha), so
    each i-Mix arm gets its own pairing with the shared baseline. The data ratio and the number
    of pretraining epochs are the axes of the regime study, so each value gets its own row; any
    other difference is refused (check_comparable). MoCo's i-Mix arm pairs with the (1+K)
    baseline and, where there is one, also with the (N+K) baseline (NK_BASELINE).
    """
    records = tell_data_apart(records)  # different data under one name: two rows
    baselines: dict[tuple, list[dict]] = defaultdict(list)
    variants: dict[tuple, dict[tuple[str, float], list[dict]]] = defaultdict(lambda: defaultdict(list))
    epochs_seen: dict[tuple[str, str], set] = defaultdict(set)
    for record in records:
        name = dataset_name(record)
        epochs = record.get("config", {}).get("epochs")
        epochs_seen[(record["domain"], name)].add(epochs)
        key = (record["domain"], name, data_ratio(record), -1 if epochs is None else int(epochs), method_column(record))
        if treated(record, inputmix_arm):
            variants[key][(variant_of(record, inputmix_arm), alpha_of(record) if record["imix"] else DEFAULT_ALPHA)
                          ].append(record)
        else:
            baselines[key].append(record)
    for key in [k for k in baselines if k[4] == NK_BASELINE and (*k[:4], "moco") in variants]:
        # the (N+K) ablation compares arms of the same (N+K) form: i-Mix and e-Mix, not DACL's or Gaussian's (1+K)
        variants[key] = {v: arm for v, arm in variants[(*key[:4], "moco")].items()
                         if all(moco_negatives(r) == "batch+queue" for r in arm)}
    result = []
    for key in sorted(set(baselines) | set(variants)):
        domain, dataset, ratio, epochs, method = key
        arms = variants.get(key) or {("", DEFAULT_ALPHA): []}
        for (mix, alpha), mixed in sorted(arms.items(), key=lambda kv: (kv[0][0] not in ("", DEFAULT_MIX), kv[0])):
            pairing = Pairing(domain, dataset, method, mix, alpha, ratio, None if epochs == -1 else epochs,
                              len(epochs_seen[(domain, dataset)]) > 1, baselines[key], mixed,
                              record_kind((baselines[key] + mixed)[0]))
            check_comparable(f"{pairing.row_label} {method}", baselines[key] + mixed, inputmix_arm)
            result.append(pairing)
    return result


# ---------------------------------------------------------------- figure selections


def dataset_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["domain"], dataset_name(record)


def epoch_counts(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str], set[int]]:
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for record in records:
        seen[dataset_key(record)].add(epochs_of(record))
    return seen


def largest_ratio(records: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[tuple[str, str], float]]:
    """The records at each data set's largest data ratio, and that ratio per data set."""
    records = list(records)
    ratios: dict[tuple[str, str], float] = {}
    for record in records:
        key = dataset_key(record)
        ratios[key] = max(ratios.get(key, 0.0), data_ratio(record))
    return [r for r in records if data_ratio(r) == ratios[dataset_key(r)]], ratios


def last_per_seed(records: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """One record per seed; a seed recorded twice keeps its last record (a rerun replaces)."""
    return {r["seed"]: r for r in records}
