"""Paper-style tables: baseline versus i-Mix per dataset (rows) and method (columns).

A comparison only means something when the two arms differ in nothing but the i-Mix switch
(and the seed), so records are checked for that before any number is printed. Seeds pair
the arms: baseline seed 0 against i-Mix seed 0 share initial weights and data order, which
is what makes a paired test over seeds the right test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

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


# A paired t-test over fewer seeds has too few degrees of freedom to mean anything (with two seeds
# the 95% interval is the mean gain ± 12.7 standard errors); below this, no p-value is printed.
MIN_PAIRED_SEEDS = 3
SIGNIFICANCE = 0.05
# Loaders whose dataset name says only how the data was read (a folder, a CSV file, arrays, the Hub):
# their rows are named by the data itself, from its path and size.
GENERIC_DATASETS = frozenset({"imagefolder", "csv", "arrays", "hf", "npz", "folder"})


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


def format_cell(values: Sequence[float], pm: str = "±") -> str:
    """``mean ± sample std (n)``; one value has no spread to show, so it prints ``mean (1)``."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f} (1)"
    return f"{statistics.fmean(values):.2f} {pm} {statistics.stdev(values):.2f} ({len(values)})"


@dataclass
class Comparison:
    domain: str
    dataset: str  # the row's data set name (see dataset_name)
    method: str
    mix: str  # the i-Mix variant of the treated arm ("" when there is none yet)
    baseline: Arm
    imix: Arm
    data_ratio: float = 1.0  # the fraction of the training split pretrained on
    epochs: int | None = None  # pretraining epochs
    alpha: float = 1.0  # the treated arm's mixing coefficient
    show_epochs: bool = False  # the data set was run at several epoch counts: say which in the label
    p_adjusted: float | None = None  # set by apply_holm: the Holm-adjusted p-value

    @property
    def setting_label(self) -> str:
        """What sets this row apart from other rows of its data set: data ratio and epochs."""
        label = f" @ {self.data_ratio:g} data" if self.data_ratio != 1.0 else ""
        return label + (f" @ {self.epochs} epochs" if self.show_epochs and self.epochs is not None else "")

    @property
    def variant_label(self) -> str:
        parts = [self.mix] if self.mix not in ("", "mixup") else []
        parts += [f"alpha {self.alpha:g}"] if self.alpha != 1.0 and self.imix.n else []
        return f" ({', '.join(parts)})" if parts else ""

    @property
    def row_label(self) -> str:
        return f"{self.domain}/{self.dataset}{self.setting_label}{self.variant_label}"

    @property
    def gain(self) -> float:
        return self.imix.mean - self.baseline.mean

    @property
    def paired_seeds(self) -> list[int]:
        return sorted(set(self.baseline.by_seed) & set(self.imix.by_seed))

    @property
    def differences(self) -> list[float]:
        """i-Mix minus baseline, seed by seed, over the seeds both arms have."""
        return [self.imix.by_seed[s] - self.baseline.by_seed[s] for s in self.paired_seeds]

    @property
    def test_note(self) -> str:
        """Why there is no p-value ("" when there is one): too few pairs, or no spread in the gains."""
        differences = self.differences
        if len(differences) < MIN_PAIRED_SEEDS:
            return f"n<{MIN_PAIRED_SEEDS}"
        if statistics.pstdev(differences) == 0:  # the t statistic is 0/0 or x/0: undefined
            return "identical gains"
        return ""

    @property
    def p_value(self) -> float:
        """Two-sided paired t-test over the seeds both arms have; NaN when test_note says why not."""
        if self.test_note:
            return math.nan
        return float(stats.ttest_rel([self.imix.by_seed[s] for s in self.paired_seeds],
                                     [self.baseline.by_seed[s] for s in self.paired_seeds]).pvalue)

    @property
    def ci(self) -> tuple[float, float]:
        """The t-based 95% confidence interval of the mean paired gain; NaNs where p_value is NaN."""
        if self.test_note:
            return math.nan, math.nan
        differences = self.differences
        n = len(differences)
        mean = statistics.fmean(differences)
        half = stats.t.ppf(1 - SIGNIFICANCE / 2, n - 1) * statistics.stdev(differences) / math.sqrt(n)
        return mean - half, mean + half

    @property
    def reported_p(self) -> float:
        """The Holm-adjusted p-value after apply_holm, else the raw one."""
        return self.p_value if self.p_adjusted is None else self.p_adjusted


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (family-wise error): NaNs are not tested and stay NaN.

    Sorted ascending, the i-th smallest of m p-values becomes (m - i + 1) x p, made
    non-decreasing and capped at 1; a cell passes at 5% when its adjusted p is below 0.05.
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(tested)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def apply_holm(items: Sequence[Comparison]) -> None:
    """Set each comparison's p_adjusted, the family being every tested cell in ``items``."""
    for c, p in zip(items, holm([c.p_value for c in items])):
        c.p_adjusted = p


def chance_note(items: Sequence[Comparison]) -> str:
    """How many tested cells pass p < 0.05, and how many would by chance if i-Mix changed nothing."""
    p_values = [c.p_value for c in items if not math.isnan(c.p_value)]
    m = len(p_values)
    if m == 0:
        return "No cell has a p-value (each needs 3 or more paired seeds whose gains are not all identical)."
    passed = sum(p < SIGNIFICANCE for p in p_values)
    text = (f"{m} cell(s) tested: {passed} with p < 0.05, where about {SIGNIFICANCE * m:.2g} (0.05 x {m}) "
            "would pass by chance alone if i-Mix changed nothing.")
    if any(c.p_adjusted is not None for c in items):
        held = sum(c.p_adjusted < SIGNIFICANCE for c in items if c.p_adjusted is not None and not math.isnan(c.p_adjusted))
        text += f" After Holm's correction over the {m}: {held} with p_holm < 0.05."
    elif m > 1:
        text += " (`--holm` adjusts the p-values for the number of cells.)"
    return text


def dataset_name(record: dict[str, Any]) -> str:
    """The row name of a record's data: the loader's name, or for a generic loader (an image folder,
    a CSV file, arrays, a Hub data set) the data's own name and training-set size, e.g. cifar10 (5k)."""
    dataset = record["dataset"]
    base = dataset.split(":", 1)[1] if dataset.startswith("csv:") else None
    if base is None and dataset not in GENERIC_DATASETS:
        return dataset
    if base is None:
        path = (record.get("config") or {}).get("data")
        base = Path(str(path).rstrip("/\\")).name.split(".")[0] if path else dataset
    n_train = (record.get("data") or {}).get("n_train")
    return f"{base} ({_count(int(n_train))})" if n_train else base


def _count(n: int) -> str:
    """5000 -> 5k, 2700 -> 2.7k, 26048 -> 26k, 1347 -> 1.3k, 600 -> 600."""
    if n < 1000:
        return str(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2g}M"
    return f"{n / 1000:.2g}k" if n < 100_000 else f"{round(n / 1000)}k"


def read_names(path: str | Path | None) -> dict[str, str]:
    """A display-name map (JSON, TOML or YAML: label -> name) for rows and methods."""
    if path is None:
        return {}
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise UserError(f"--names {path}: cannot read it ({error.strerror}). Give a JSON, TOML or YAML file "
                        "mapping row or method labels to display names.") from error
    try:
        if path.suffix == ".toml":
            names = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):
            import yaml

            names = yaml.safe_load(text) or {}
        else:
            names = json.loads(text)
    except Exception as error:  # noqa: BLE001 - any parse error is the user's file
        raise UserError(f"--names {path}: not valid {path.suffix.lstrip('.') or 'JSON'} ({error}).") from error
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise UserError(f"--names {path}: expected a flat mapping of label to display name, e.g. "
                        '{"images/cifar10 (5k)": "CIFAR-10 (5k)", "simclr": "SimCLR"}.')
    return {str(k): v for k, v in names.items()}


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
        def matches(name: str, value: str) -> bool:
            text = field_text(name)
            # a row's name (cifar10 (5k)) selects its records as well as the loader's name does
            return text == value or _same_number(text, value) or (name == "dataset" and dataset_name(record) == value)
        if all(matches(name, value) for name, value in conditions):
            chosen.append(record)
    return chosen


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def comparisons(records: Iterable[dict[str, Any]], metric: str = "probe") -> list[Comparison]:
    """One comparison per (domain, data set, data ratio, epochs, method, i-Mix variant), each checked.

    MixUp and CutMix are different treatments, and so are two mixing coefficients (alpha), so
    each gets its own comparison against the shared baseline. The data ratio and the number of
    pretraining epochs are the axes of the regime study (`bench suite --data-ratios`, `--epochs`),
    so each value gets its own row rather than a refusal; any other difference is refused. A seed
    recorded twice keeps its last record (a rerun replaces).
    MoCo's i-Mix arm is compared with the (1+K) baseline and, where there is one, also with
    the (N+K) baseline (NK_BASELINE): the gain of the mixing alone.
    """
    baselines: dict[tuple, list[dict]] = defaultdict(list)
    treated: dict[tuple, dict[tuple[str, float], list[dict]]] = defaultdict(lambda: defaultdict(list))
    epochs_seen: dict[tuple[str, str], set] = defaultdict(set)
    for record in records:
        name = dataset_name(record)
        epochs = record.get("config", {}).get("epochs")
        epochs_seen[(record["domain"], name)].add(epochs)
        key = (record["domain"], name, data_ratio(record), _sortable(epochs), method_column(record))
        if record["imix"]:
            variant = (record.get("mix") or "mixup", float(record.get("config", {}).get("alpha", 1.0)))
            treated[key][variant].append(record)
        else:
            baselines[key].append(record)
    for key in [k for k in baselines if k[4] == NK_BASELINE and (*k[:4], "moco") in treated]:
        treated[key] = treated[(*key[:4], "moco")]
    result = []
    for key in sorted(set(baselines) | set(treated)):
        domain, dataset, ratio, epochs, method = key
        epochs = None if epochs == -1 else epochs
        variants = treated.get(key) or {("", 1.0): []}
        for (mix, alpha), mixed in sorted(variants.items(), key=lambda kv: (kv[0][0] not in ("", "mixup"), kv[0])):
            c = Comparison(domain, dataset, method, mix, Arm(), Arm(), data_ratio=ratio, epochs=epochs, alpha=alpha,
                           show_epochs=len(epochs_seen[(domain, dataset)]) > 1)
            check_comparable(f"{c.row_label} {method}", baselines[key] + mixed)
            c.baseline, c.imix = [Arm({r["seed"]: metric_value(r, metric) for r in group})
                                  for group in (baselines[key], mixed)]
            result.append(c)
    return result


def _sortable(epochs: Any) -> int:
    return -1 if epochs is None else int(epochs)


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
    text = format_cell(arm.values, pm)
    return f"{bold[0]}{text}{bold[1]}" if better and arm.n else text


def _p_text(c: Comparison) -> str:
    p = c.reported_p
    name = "p" if c.p_adjusted is None else "p_holm"
    return f"{name}={p:.3f}" if p >= 0.001 else f"{name}<0.001"


def _gain(c: Comparison) -> str:
    """``+1.04 [+0.38, +1.70] (p=0.012)``, or the gain and why there is no test: ``+0.33 (n<3)``."""
    if c.baseline.n == 0 or c.imix.n == 0:
        return "-"
    if c.test_note:
        return f"{c.gain:+.2f} ({c.test_note})"
    low, high = c.ci
    return f"{c.gain:+.2f} [{low:+.2f}, {high:+.2f}] ({_p_text(c)})"


def display_label(c: Comparison, names: dict[str, str]) -> str:
    """The row label with the data set renamed by the --names map (by "domain/name" or "name")."""
    base = f"{c.domain}/{c.dataset}"
    base = names.get(base, names.get(c.dataset, base))
    return f"{base}{c.setting_label}{c.variant_label}"


def _rows(items: list[Comparison], names: dict[str, str]) -> tuple[list[str], dict[str, dict[str, Comparison]]]:
    methods = method_order(c.method for c in items)
    rows: dict[str, dict[str, Comparison]] = defaultdict(dict)
    for c in items:
        rows[display_label(c, names)][c.method] = c
    return methods, rows


def _gain_header(items: list[Comparison]) -> str:
    return "gain [95% CI] (p_holm)" if any(c.p_adjusted is not None for c in items) else "gain [95% CI] (p)"


def wide_rows(items: list[Comparison], bold: tuple[str, str], pm: str,
              names: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    names = names or {}
    methods, rows = _rows(items, names)
    headers = ["dataset"]
    for method in methods:
        shown = names.get(method, method)
        headers += [shown, f"{shown} + i-Mix", _gain_header(items)]
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


def _latex_arm(arm: Arm, better: bool) -> list[str]:
    """Two cells, mean | ± std (n), so a r@{}l column pair lines the decimal points up."""
    if arm.n == 0:
        return ["--", ""]
    mean = f"{arm.mean:.2f}"
    rest = f"\\,({arm.n})" if arm.n == 1 else f"${{}}\\pm{{}}${arm.std:.2f}\\,({arm.n})"
    return [f"\\textbf{{{mean}}}", f"\\textbf{{{rest}}}"] if better else [mean, rest]


def _latex_gain(c: Comparison) -> list[str]:
    """Three cells: gain | [low, high] | p (or why there is none)."""
    if c.baseline.n == 0 or c.imix.n == 0:
        return ["--", "", ""]
    gain = f"${c.gain:+.2f}$"
    if c.test_note:
        return [gain, "", c.test_note.replace("<", "$<$")]
    low, high = c.ci
    p = c.reported_p
    return [gain, f"$[{low:+.2f}, {high:+.2f}]$", f"{p:.3f}" if p >= 0.001 else "$<$0.001"]


def render_latex(items: list[Comparison], names: dict[str, str] | None = None) -> str:
    """A booktabs table: per method, baseline and i-Mix (mean aligned on the point), gain, 95% CI, p."""
    names = names or {}
    methods, rows = _rows(items, names)
    spec = "l" + "r@{}lr@{}lrcr" * len(methods)
    p_name = "$p_\\mathrm{Holm}$" if any(c.p_adjusted is not None for c in items) else "$p$"
    top = ["dataset"] + [f"\\multicolumn{{7}}{{c}}{{{_latex_escape(names.get(m, m))}}}" for m in methods]
    rules = " ".join(f"\\cmidrule(lr){{{2 + 7 * i}-{8 + 7 * i}}}" for i in range(len(methods)))
    sub = [""] + ["\\multicolumn{2}{c}{baseline} & \\multicolumn{2}{c}{i-Mix} & gain & 95\\% CI & " + p_name] * len(methods)
    lines = ["% needs \\usepackage{booktabs}", f"\\begin{{tabular}}{{{spec}}}", "\\toprule",
             " & ".join(top) + " \\\\", rules, " & ".join(sub) + " \\\\", "\\midrule"]
    for label, by_method in rows.items():
        cells = [_latex_escape(label)]
        for method in methods:
            c = by_method.get(method)
            if c is None:
                cells += ["--", "", "--", "", "--", "", ""]
                continue
            both = bool(c.baseline.n and c.imix.n)
            cells += [*_latex_arm(c.baseline, both and c.gain < 0), *_latex_arm(c.imix, both and c.gain > 0),
                      *_latex_gain(c)]
        lines.append(" & ".join(cells) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines)


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    return "" if value is None else value


def render(items: list[Comparison], fmt: str = "markdown", metric: str = "probe",
           names: dict[str, str] | None = None) -> str:
    """The table in one of FORMATS; the better arm of each pair is marked (bold)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["domain", "dataset", "data_ratio", "method", "mix", "metric", "baseline_mean", "baseline_std",
                         "baseline_n", "imix_mean", "imix_std", "imix_n", "gain", "paired_seeds", "p_value",
                         "epochs", "alpha", "ci_low", "ci_high", "p_note", "p_holm"])
        for c in items:
            writer.writerow([c.domain, c.dataset, c.data_ratio, c.method, c.mix, metric,
                             *map(_number, (c.baseline.mean, c.baseline.std, c.baseline.n, c.imix.mean, c.imix.std,
                                            c.imix.n, c.gain, len(c.paired_seeds), c.p_value)),
                             _number(c.epochs), c.alpha, *map(_number, c.ci), c.test_note, _number(c.p_adjusted)])
        return out.getvalue()
    if fmt == "latex":
        return render_latex(items, names)
    if fmt != "markdown":
        raise UserError(f"unknown table format {fmt!r}; valid choices: {', '.join(FORMATS)}.")
    headers, body = wide_rows(items, ("**", "**"), "±", names)
    return tabulate(body, headers=headers, tablefmt="github", disable_numparse=True)


def legend(metric: str, items: Sequence[Comparison] | None = None) -> str:
    what = "linear-probe" if metric == "probe" else "kNN (k=200)"
    text = (f"Test {what} accuracy (%): mean ± sample std over seeds (number of seeds; one seed shows no spread); "
            "the better of each pair in bold; gain = i-Mix minus baseline with the t-based 95% confidence interval "
            "of the mean paired gain; p = two-sided paired t-test over matching seeds, given only from 3 or more "
            "pairs (n<3) whose gains are not all equal (identical gains).")
    if items and any(c.p_adjusted is not None for c in items):
        text += " p_holm: Holm-adjusted over every tested cell of the table."
    return text + (" " + chance_note(items) if items else "")


def comparison_table(records: Iterable[dict[str, Any]], metric: str = "probe", fmt: str = "markdown",
                     holm_correction: bool = False, names: dict[str, str] | None = None) -> str:
    return table_text(records, metric, fmt, holm_correction, names, with_legend=False)


def table_text(records: Iterable[dict[str, Any]], metric: str = "probe", fmt: str = "markdown",
               holm_correction: bool = False, names: dict[str, str] | None = None, with_legend: bool = True) -> str:
    """What `bench table` prints: the table, and under a markdown table its legend and test count."""
    items = comparisons(records, metric)
    if holm_correction:
        apply_holm(items)
    text = render(items, fmt, metric, names)
    if with_legend and fmt == "markdown":
        text += "\n\n" + legend(metric, items)
    elif with_legend and fmt == "latex":
        text += "\n% " + chance_note(items)
    return text
