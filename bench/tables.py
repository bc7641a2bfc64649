"""Paper-style tables: baseline versus i-Mix per dataset (rows) and method (columns).

A comparison only means something when the two arms differ in nothing but the i-Mix switch
(and the seed), so records are checked for that before any number is printed. Seeds pair
the arms: baseline seed 0 against i-Mix seed 0 share initial weights and data order, which
is what makes a paired test over seeds the right test.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from scipy import stats
from tabulate import tabulate

from .config import BOOKKEEPING_FIELDS, RunConfig, config_key
from .errors import UserError

METRICS = {"probe": ("probe", "accuracy"), "knn": ("knn", "accuracy")}
FORMATS = ("markdown", "latex", "csv")
# Allowed to differ between the arms of one comparison: the treatment, its settings, the seed,
# and settings that only change what is reported along the way.
# moco_negatives is in because the official arms differ in it ((1+K) baseline, (N+K) i-Mix);
# method_column keeps baselines of the two forms apart.
TREATMENT_FIELDS = frozenset({"imix", "mix", "alpha", "seed", "eval_every", "moco_negatives"})
NK_BASELINE = "moco (N+K)"  # the column of MoCo baselines with in-batch negatives (the ablation)


def moco_negatives(record: dict[str, Any]) -> str | None:
    """The MoCo form a record ran; records made before the setting existed all ran (N+K)."""
    if record["method"] != "moco":
        return None
    return record.get("config", {}).get("moco_negatives") or "batch+queue"


def method_column(record: dict[str, Any]) -> str:
    """The method's column; a MoCo baseline with in-batch negatives is not the official (1+K)
    baseline, so it gets its own column (NK_BASELINE) instead of pooling with it."""
    if record["method"] == "moco" and not record["imix"] and moco_negatives(record) == "batch+queue":
        return NK_BASELINE
    return record["method"]


def metric_value(record: dict[str, Any], metric: str) -> float:
    section, key = METRICS[metric]
    return 100.0 * record[section][key]


@dataclass
class Arm:
    """One side of a comparison: accuracy (in %) by seed."""

    by_seed: dict[int, float] = field(default_factory=dict)

    @property
    def values(self) -> list[float]:
        return list(self.by_seed.values())

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values) if self.by_seed else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds; 0 for one seed."""
        return statistics.stdev(self.values) if len(self.by_seed) > 1 else 0.0

    @property
    def n(self) -> int:
        return len(self.by_seed)


@dataclass
class Comparison:
    domain: str
    dataset: str
    method: str
    mix: str  # the i-Mix variant of the treated arm ("" when there is none yet)
    baseline: Arm
    imix: Arm
    data_ratio: float = 1.0  # the fraction of the training split pretrained on

    @property
    def row_label(self) -> str:
        label = f"{self.domain}/{self.dataset}"
        if self.data_ratio != 1.0:
            label += f" @ {self.data_ratio:g} data"
        return label + (f" ({self.mix})" if self.mix not in ("", "mixup") else "")

    @property
    def gain(self) -> float:
        return self.imix.mean - self.baseline.mean

    @property
    def paired_seeds(self) -> list[int]:
        return sorted(set(self.baseline.by_seed) & set(self.imix.by_seed))

    @property
    def p_value(self) -> float:
        """Two-sided paired t-test over seeds present in both arms; NaN below two pairs."""
        seeds = self.paired_seeds
        if len(seeds) < 2:
            return math.nan
        differences = [self.imix.by_seed[s] - self.baseline.by_seed[s] for s in seeds]
        if statistics.pstdev(differences) == 0:  # identical gains: the t statistic is undefined
            return 0.0 if differences[0] != 0 else 1.0
        return float(stats.ttest_rel([self.imix.by_seed[s] for s in seeds],
                                     [self.baseline.by_seed[s] for s in seeds]).pvalue)


def _differences(configs: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields = sorted({k for c in configs for k in c} - TREATMENT_FIELDS - BOOKKEEPING_FIELDS)
    differing = {}
    for name in fields:
        values = sorted({repr(c.get(name)) for c in configs})
        if len(values) > 1:
            differing[name] = values
    return differing


def _with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """A record's config with settings added since it was written filled in at their defaults.

    Without this, a record made before a setting existed (say ``probe``) would never compare
    with one made after, though both ran with the same value.
    """
    defaults = RunConfig().to_dict()
    return {**{k: v for k, v in defaults.items() if k not in config}, **config}


def check_comparable(label: str, records: list[dict[str, Any]]) -> None:
    """Refuse arms whose configs differ in anything but the i-Mix switch and the seed."""
    configs = [_with_defaults(r["config"]) for r in records if "config" in r]
    if len({config_key(c, TREATMENT_FIELDS) for c in configs}) <= 1:
        return
    differing = _differences(configs)
    detail = "; ".join(f"{name}: {', '.join(values)}" for name, values in differing.items())
    example = next(iter(differing), "epochs")
    raise UserError(
        f"cannot compare {label}: its records differ in more than the i-Mix switch and the seed ({detail}). "
        f"Keep one setting with --where, e.g. --where {example}=VALUE, or put the runs in separate "
        "--results files.")


def select(records: Iterable[dict[str, Any]], where: list[str]) -> list[dict[str, Any]]:
    """Records whose field (a record key, or a config key) equals the given value."""
    conditions = []
    for clause in where:
        name, sep, value = clause.partition("=")
        if not sep or not name:
            raise UserError(f"--where {clause!r}: expected FIELD=VALUE, e.g. --where epochs=10.")
        conditions.append((name.strip(), value.strip()))
    chosen = []
    for record in records:
        def field_text(name: str) -> str:
            value = record.get(name, record.get("config", {}).get(name))
            return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        if all(field_text(name) == value or _same_number(field_text(name), value) for name, value in conditions):
            chosen.append(record)
    return chosen


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def comparisons(records: Iterable[dict[str, Any]], metric: str = "probe") -> list[Comparison]:
    """One comparison per (domain, dataset, data ratio, method, i-Mix variant), each checked.

    MixUp and CutMix are different treatments, so each gets its own comparison against the
    shared baseline. MoCo's i-Mix arm is compared with the (1+K) baseline and, where there is
    one, also with the (N+K) baseline (NK_BASELINE): the gain of the mixing alone. The data ratio is a grid axis of `bench suite` (the paper's data-efficiency
    ablation), so each ratio gets its own row rather than a refusal. A seed recorded twice keeps
    its last record (a rerun replaces).
    """
    baselines: dict[tuple, list[dict]] = defaultdict(list)
    treated: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        key = (record["domain"], record["dataset"], data_ratio(record), method_column(record))
        if record["imix"]:
            treated[key][record.get("mix") or "mixup"].append(record)
        else:
            baselines[key].append(record)
    for key in [k for k in baselines if k[3] == NK_BASELINE and (*k[:3], "moco") in treated]:
        treated[key] = treated[(*key[:3], "moco")]
    result = []
    for key in sorted(set(baselines) | set(treated)):
        domain, dataset, ratio, method = key
        variants = treated.get(key) or {"": []}
        for mix, mixed in sorted(variants.items(), key=lambda kv: (kv[0] not in ("", "mixup"), kv[0])):
            label = (f"{domain}/{dataset}" + (f" @ {ratio:g} data" if ratio != 1.0 else "") + f" {method}"
                     + (f" ({mix})" if mix else ""))
            check_comparable(label, baselines[key] + mixed)
            arms = [Arm({r["seed"]: metric_value(r, metric) for r in group}) for group in (baselines[key], mixed)]
            result.append(Comparison(domain, dataset, method, mix, *arms, data_ratio=ratio))
    return result


def data_ratio(record: dict[str, Any]) -> float:
    """The fraction of the training split a run pretrained on (records before the setting: 1)."""
    return float(record.get("config", {}).get("data_ratio", 1.0))


def method_order(methods: Iterable[str]) -> list[str]:
    """The paper's order: SimCLR (N-pair), MoCo, BYOL, then any others by name."""
    from .methods import METHODS

    order = list(METHODS)
    order.insert(order.index("moco") + 1, NK_BASELINE)
    return sorted(set(methods), key=lambda m: (order.index(m) if m in order else len(order), m))


def _cell(arm: Arm, better: bool, bold: tuple[str, str], pm: str) -> str:
    if arm.n == 0:
        return "-"
    text = f"{arm.mean:.2f} {pm} {arm.std:.2f} ({arm.n})"
    return f"{bold[0]}{text}{bold[1]}" if better else text


def _gain(c: Comparison) -> str:
    if c.baseline.n == 0 or c.imix.n == 0:
        return "-"
    p = c.p_value
    return f"{c.gain:+.2f}" + ("" if math.isnan(p) else f" (p={p:.3f})" if p >= 0.001 else " (p<0.001)")


def wide_rows(items: list[Comparison], bold: tuple[str, str], pm: str) -> tuple[list[str], list[list[str]]]:
    methods = method_order(c.method for c in items)
    headers = ["dataset"]
    for method in methods:
        headers += [method, f"{method} + i-Mix", "gain (p)"]
    rows: dict[str, dict[str, Comparison]] = defaultdict(dict)
    for c in items:
        rows[c.row_label][c.method] = c
    body = []
    for label, by_method in rows.items():
        row = [label]
        for method in methods:
            c = by_method.get(method)
            if c is None:
                row += ["-", "-", "-"]
                continue
            both = c.baseline.n and c.imix.n
            row += [_cell(c.baseline, bool(both) and c.gain < 0, bold, pm),
                    _cell(c.imix, bool(both) and c.gain > 0, bold, pm), _gain(c)]
        body.append(row)
    return headers, body


def _latex_escape(text: str) -> str:
    for char in "\\&%$#_{}":
        text = text.replace(char, "\\" + char)
    return text


def render(items: list[Comparison], fmt: str = "markdown", metric: str = "probe") -> str:
    """The table in one of FORMATS; the better arm of each pair is marked (bold)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["domain", "dataset", "data_ratio", "method", "mix", "metric", "baseline_mean", "baseline_std", "baseline_n",
                         "imix_mean", "imix_std", "imix_n", "gain", "paired_seeds", "p_value"])
        for c in items:
            writer.writerow([c.domain, c.dataset, c.data_ratio, c.method, c.mix, metric,
                             *(f"{v:.4f}" if isinstance(v, float) else v for v in
                               (c.baseline.mean, c.baseline.std, c.baseline.n, c.imix.mean, c.imix.std, c.imix.n,
                                c.gain, len(c.paired_seeds), c.p_value))])
        return out.getvalue().replace("nan", "")
    if fmt == "latex":
        headers, body = wide_rows(items, (r"\textbf{", "}"), r"$\pm$")
        # latex_raw keeps our \textbf and $\pm$; only the names need escaping.
        body = [[_latex_escape(row[0]), *row[1:]] for row in body]
        return tabulate(body, headers=[_latex_escape(h) for h in headers], tablefmt="latex_raw",
                        disable_numparse=True)
    if fmt != "markdown":
        raise UserError(f"unknown table format {fmt!r}; valid choices: {', '.join(FORMATS)}.")
    headers, body = wide_rows(items, ("**", "**"), "±")
    return tabulate(body, headers=headers, tablefmt="github", disable_numparse=True)


def legend(metric: str) -> str:
    what = "linear-probe" if metric == "probe" else "kNN (k=200)"
    return (f"Test {what} accuracy (%): mean ± sample std over seeds (number of seeds); the better of each "
            "pair in bold; gain = i-Mix minus baseline, p = two-sided paired t-test over matching seeds.")


def comparison_table(records: Iterable[dict[str, Any]], metric: str = "probe", fmt: str = "markdown") -> str:
    return render(comparisons(records, metric), fmt, metric)
