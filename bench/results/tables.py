"""Paper-style tables: baseline versus i-Mix per dataset (rows) and method (columns).

This file only renders (markdown, LaTeX, CSV). Which records are compared, and the checks that
the two arms differ in nothing but the i-Mix switch and the seed, are ``bench/results/arms.py``, the
row and column names ``bench/results/labels.py``; the
means, the paired test and Holm's correction are ``bench/results/paired.py``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

from tabulate import tabulate

from bench.evaluation.probe import KNN_K
from bench.results.labels import TRANSFER, display_name, method_order
from bench.core.errors import UserError
from bench.results.paired import Arm, Comparison, apply_holm, chance_note, comparisons, format_cell

FORMATS = ("markdown", "latex", "csv")


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
    return f"{display_name(c.domain, c.dataset, names)}{c.setting_label}{c.variant_label}"


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
    return text.replace("→", "$\\rightarrow$")  # a transfer row's arrow


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
                         "epochs", "alpha", "ci_low", "ci_high", "p_note", "p_holm", "knn_k", "kind"])
        for c in items:
            writer.writerow([c.domain, c.dataset, c.data_ratio, c.method, c.mix, metric,
                             *map(_number, (c.baseline.mean, c.baseline.std, c.baseline.n, c.imix.mean, c.imix.std,
                                            c.imix.n, c.gain, len(c.paired_seeds), c.p_value)),
                             _number(c.epochs), c.alpha, *map(_number, c.ci), c.test_note, _number(c.p_adjusted),
                             "/".join(map(str, c.knn_k)), c.kind])
        return out.getvalue()
    if fmt == "latex":
        return render_latex(items, names)
    if fmt != "markdown":
        raise UserError(f"unknown table format {fmt!r}; valid choices: {', '.join(FORMATS)}.")
    headers, body = wide_rows(items, ("**", "**"), "±", names)
    return tabulate(body, headers=headers, tablefmt="github", disable_numparse=True)


def knn_name(items: Sequence[Comparison] | None) -> str:
    """kNN (k=200), or with the rows whose training split was smaller and the k they used."""
    smaller = {c.row_label: c.knn_k for c in items or () if c.knn_k and c.knn_k != (KNN_K,)}
    if not smaller:
        return f"kNN (k={KNN_K})"
    shown = "; ".join(f"{row}: k={'/'.join(map(str, ks))}" for row, ks in smaller.items())
    return f"kNN (k={KNN_K}, or every training sample where there are fewer: {shown})"


TRANSFER_CAPTION = ("Transfer: backbones pretrained on the data left of the arrow, frozen, and probed on the data "
                    "right of it (`bench transfer`); seeds are the pretraining seeds, which pair the arms.")


def render_kinds(items: list[Comparison], fmt: str = "markdown", metric: str = "probe",
                 names: dict[str, str] | None = None) -> str:
    """Same-data rows, then transfer rows under their own caption, never in one table (CSV: one file, a kind column)."""
    moved = [c for c in items if c.kind == TRANSFER]
    if fmt == "csv" or not moved:
        return render(items, fmt, metric, names)
    same = [c for c in items if c.kind != TRANSFER]
    caption = f"% {TRANSFER_CAPTION}" if fmt == "latex" else TRANSFER_CAPTION
    parts = ([render(same, fmt, metric, names)] if same else []) + [caption, render(moved, fmt, metric, names)]
    return "\n\n".join(parts)


def legend(metric: str, items: Sequence[Comparison] | None = None) -> str:
    what = "linear-probe" if metric == "probe" else knn_name(items)
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
    text = render_kinds(items, fmt, metric, names)
    if with_legend and fmt == "markdown":
        text += "\n\n" + legend(metric, items)
    elif with_legend and fmt == "latex":
        text += "\n% " + chance_note(items)
    return text
