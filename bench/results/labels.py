"""What each record ran, and what rows, columns and arms are called in tables, figures and the report.

One place for every name a reader sees: a row (data set, data ratio, epochs, i-Mix variant), a
method's column (the (N+K) MoCo baseline has its own), a figure's arm (baseline, i-Mix,
i-Mix (cutmix, alpha 2)) and a panel's title. Two arms that ran different settings get
different names: the mix and alpha are in the label whenever they set an arm apart.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from bench.core.config import RunConfig

# The declared defaults: what a record without the field ran, and what a label leaves unsaid.
DEFAULT_MIX, DEFAULT_ALPHA = RunConfig.mix, RunConfig.alpha
NK_BASELINE = "moco (N+K)"  # the column of MoCo baselines with in-batch negatives (the ablation)
# Loaders whose dataset name says only how the data was read (a folder, a CSV file, arrays, the Hub):
# their rows are named by the data itself, from its path and size.
GENERIC_DATASETS = frozenset({"imagefolder", "csv", "arrays", "hf", "npz", "folder"})
# A record's kind (bench/transfer.py): pretrained and probed on one data set, or probed on another.
SAME_DATA, TRANSFER = "same-data", "transfer"
TRANSFER_ARROW = "→"


def moco_negatives(record: dict[str, Any]) -> str | None:
    """The MoCo form a record ran; records made before the setting existed all ran (N+K)."""
    if record["method"] != "moco":
        return None
    return record.get("config", {}).get("moco_negatives") or "batch+queue"


def mix_of(record: dict[str, Any]) -> str:
    """The i-Mix variant a record ran (the record's field, else its config's, else MixUp)."""
    return record.get("mix") or record.get("config", {}).get("mix") or DEFAULT_MIX


# How a strategy module's arm is named (bench/training/strategies/), with the setting that sets its arms apart.
STRATEGY_LABELS = {"emix": ("e-Mix", None), "dacl": ("DACL", "dacl_alpha"), "gaussian": ("Gaussian", "sigma")}
SETTING_WORDS = {"dacl_alpha": "alpha", "sigma": "sigma"}


def strategy_name(record: dict[str, Any]) -> str | None:
    """The strategy module a record ran (emix, dacl, gaussian); None for i-Mix, InputMix and baselines."""
    return (record.get("config") or {}).get("strategy")


INPUTMIX = "InputMix"


def _inputmix(record: dict[str, Any]) -> bool:
    return bool((record.get("config") or {}).get("inputmix"))


def treated(record: dict[str, Any], inputmix_arm: bool = False) -> bool:
    """Whether a record is a treated arm (i-Mix or a strategy; InputMix too with ``inputmix_arm``) or a baseline."""
    return bool(record["imix"]) or strategy_name(record) is not None or (inputmix_arm and _inputmix(record))


def variant_of(record: dict[str, Any], inputmix_arm: bool = False) -> str:
    """A treated arm's variant, as tables and figures name it: the mix (i-Mix; with the layer when it mixed
    inside the encoder), or the strategy with its setting ("e-Mix", "DACL, alpha 0.9", "Gaussian, sigma 0.1");
    with ``inputmix_arm``, InputMix ("InputMix" alone, "mixup + InputMix" with i-Mix)."""
    if inputmix_arm and _inputmix(record):
        return INPUTMIX if not treated(record) else f"{variant_of(record)} + {INPUTMIX}"
    config = record.get("config") or {}
    layer = str(config.get("mix_layer", "0"))
    name = strategy_name(record)
    if name is None:
        return mix_of(record) + (f", layer {layer}" if layer != "0" else "")
    label, setting = STRATEGY_LABELS[name]
    if setting is not None:
        return f"{label}, {SETTING_WORDS[setting]} {float(config.get(setting, getattr(RunConfig, setting))):g}"
    return label + (f", layer {layer}" if layer != "1" else "")


def is_strategy_variant(variant: str) -> bool:
    """Whether a variant names a strategy of its own (e-Mix, DACL, Gaussian, InputMix) rather than an i-Mix mix."""
    return variant.split(",")[0].split(" + ")[0] in {INPUTMIX, *(label for label, _ in STRATEGY_LABELS.values())}


def alpha_of(record: dict[str, Any]) -> float:
    return float(record.get("config", {}).get("alpha", DEFAULT_ALPHA))


def data_ratio(record: dict[str, Any]) -> float:
    """The fraction of the training split a run pretrained on (records before the setting: 1)."""
    return float(record.get("config", {}).get("data_ratio", RunConfig.data_ratio))


def epochs_of(record: dict[str, Any]) -> int:
    return int(record.get("config", {}).get("epochs") or 0)


def method_column(record: dict[str, Any]) -> str:
    """The method's column; a MoCo baseline with in-batch negatives is not the official (1+K)
    baseline, so it gets its own column (NK_BASELINE) instead of pooling with it."""
    if record["method"] == "moco" and not record["imix"] and moco_negatives(record) == "batch+queue":
        return NK_BASELINE
    return record["method"]


def method_order(methods: Iterable[str]) -> list[str]:
    """The paper's order: SimCLR (N-pair), MoCo, BYOL, then any others by name."""
    from bench.training.methods import METHODS

    order = list(METHODS)
    order.insert(order.index("moco") + 1, NK_BASELINE)
    return sorted(set(methods), key=lambda m: (order.index(m) if m in order else len(order), m))


def dataset_name(record: dict[str, Any]) -> str:
    """The row name of a record's data: the loader's name, or for a generic loader (an image folder,
    a CSV file, arrays, a Hub data set) the data's own name and training-set size, e.g. cifar10 (5k);
    with the tag ``tell_data_apart`` gave it where other data shares that name: pendigits [data 3f2a1c0b]."""
    tag = record.get("data_tag")
    return f"{_dataset_name(record)} [{tag}]" if tag else _dataset_name(record)


def data_fingerprint(record: dict[str, Any]) -> str | None:
    """The record's data digest (domains/kit/fingerprint.py); None for records from before it."""
    return (record.get("data") or {}).get("data_fingerprint")


def tell_data_apart(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records, those whose row name other data shares (their fingerprints differ) tagged with theirs,
    so tables and figures keep them apart under names a reader can tell apart. Records from before
    fingerprints join the data of their name when it is one, else are tagged "data unrecorded"."""
    records = list(records)
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        if data_fingerprint(record):
            seen[(record["domain"], _dataset_name(record))].add(data_fingerprint(record))
    tagged = []
    for record in records:
        if len(seen[(record["domain"], _dataset_name(record))]) > 1:
            fingerprint = data_fingerprint(record)
            record = {**record, "data_tag": f"data {fingerprint[:8]}" if fingerprint else "data unrecorded"}
        tagged.append(record)
    return tagged


def _dataset_name(record: dict[str, Any]) -> str:
    """The row name without the data tag; for a transfer record, the pretraining data and the probed data:
    digits → other (1.3k)."""
    if record_kind(record) == TRANSFER:
        return transfer_name(record)
    dataset = record["dataset"]
    base = dataset.split(":", 1)[1] if dataset.startswith("csv:") else None
    if base is None and dataset not in GENERIC_DATASETS:
        return dataset
    if base is None:
        path = (record.get("config") or {}).get("data")
        base = Path(str(path).rstrip("/\\")).name.split(".")[0] if path else dataset
    n_train = (record.get("data") or {}).get("n_train")
    return f"{base} ({_count(int(n_train))})" if n_train else base


def record_kind(record: dict[str, Any]) -> str:
    """same-data (pretrained and probed on one data set) or transfer; records without the field are same-data."""
    return record.get("kind") or SAME_DATA


def transfer_name(record: dict[str, Any]) -> str:
    """A transfer row's data: the pretraining data's row name, an arrow, the probed data's row name
    (each as a same-data row would name it); the source's domain is named when it is not the target's."""
    source, config = record.get("source") or {}, record.get("config") or {}
    pretrained = dataset_name({"dataset": source.get("dataset", "?"), "config": {"data": config.get("data")},
                               "data": source.get("data") or {}})
    probed = dataset_name({"dataset": record["dataset"], "config": {"data": (config.get("transfer") or {}).get("data")},
                           "data": record.get("data") or {}})
    if source.get("domain", record["domain"]) != record["domain"]:
        pretrained = f"{source['domain']}/{pretrained}"
    return f"{pretrained} {TRANSFER_ARROW} {probed}"


def _count(n: int) -> str:
    """5000 -> 5k, 2700 -> 2.7k, 26048 -> 26k, 1347 -> 1.3k, 600 -> 600."""
    if n < 1000:
        return str(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2g}M"
    return f"{n / 1000:.2g}k" if n < 100_000 else f"{round(n / 1000)}k"


def setting_label(data_ratio: float, epochs: int | None, show_epochs: bool) -> str:
    """What sets a row apart from other rows of its data set: data ratio and epochs."""
    label = f" @ {data_ratio:g} data" if data_ratio != 1.0 else ""
    return label + (f" @ {epochs} epochs" if show_epochs and epochs is not None else "")


def variant_label(mix: str, alpha: float, treated: bool = True) -> str:
    """A table row's i-Mix variant: " (cutmix, alpha 2)"; the default mix and alpha add nothing."""
    parts = [mix] if mix not in ("", DEFAULT_MIX) else []
    parts += [f"alpha {alpha:g}"] if alpha != DEFAULT_ALPHA and treated else []
    return f" ({', '.join(parts)})" if parts else ""


def imix_label(mix: str, alpha: float, with_mix: bool) -> str:
    """A figure's treated arm: i-Mix, i-Mix (alpha 2), or i-Mix (cutmix) when mixes are shown; a strategy by its
    own name (e-Mix, DACL, alpha 0.9)."""
    alpha_part = [f"alpha {alpha:g}"] if alpha != DEFAULT_ALPHA else []
    if is_strategy_variant(mix):
        return ", ".join([mix, *alpha_part])
    parts = ([mix] if with_mix else []) + alpha_part
    return f"i-Mix ({', '.join(parts)})" if parts else "i-Mix"


def arm_label(record: dict[str, Any], with_mix: bool = False) -> str:
    """baseline, i-Mix, or i-Mix (cutmix, alpha 2): a different mix or alpha is a different arm."""
    if not treated(record):
        return "baseline"
    return imix_label(variant_of(record), alpha_of(record) if record["imix"] else DEFAULT_ALPHA, with_mix)


def display_name(domain: str, dataset: str, names: dict[str, str] | None = None) -> str:
    """domain/dataset, renamed by a --names map (by "domain/name" or "name")."""
    names = names or {}
    base = f"{domain}/{dataset}"
    return names.get(base, names.get(dataset, base))


def method_label(method: str, names: dict[str, str] | None = None) -> str:
    return (names or {}).get(method, method)


def line_label(method: str, mix: str, alpha: float, names: dict[str, str] | None = None) -> str:
    """A gain line's method and i-Mix variant: simclr, simclr (cutmix), simclr (alpha 2)."""
    if is_strategy_variant(mix):
        return f"{method_label(method, names)} ({imix_label(mix, alpha, True)})"
    return method_label(method, names) + imix_label(mix, alpha, mix != DEFAULT_MIX)[len("i-Mix"):]


def title(domain: str, dataset: str, ratio: float = 1.0, names: dict[str, str] | None = None,
          epochs: int | None = None) -> str:
    """A figure panel's title: the data set, its data ratio when below 1, its epochs when shown."""
    return (display_name(domain, dataset, names) + (f" (data ratio {ratio:g})" if ratio < 1 else "")
            + (f" @ {epochs} epochs" if epochs is not None else ""))


def panel_label(domain: str, dataset: str, method: str, names: dict[str, str] | None = None, ratio: float = 1.0,
                epochs: int | None = None) -> str:
    """A per-method panel's title: the data set's title and the method."""
    return f"{title(domain, dataset, ratio, names, epochs)} {method_label(method, names)}"
