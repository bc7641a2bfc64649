"""The strategy comparison: one row per data set and method, one column per treated arm (i-Mix at each
layer, InputMix, e-Mix, DACL, Gaussian noise...), each cell that arm's gain over the same baseline, paired by seed.
InputMix is an arm of its own here (in the method table it is a setting of both arms, as in the paper's Table 3).

`bench table --by strategy`. The arms, their checks and the statistics are the method table's
(arms.py, paired.py): only the layout differs, so a strategy's gain here is the same number as in
the row that `bench table` shows for it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from tabulate import tabulate

from bench.results.labels import (DEFAULT_MIX, INPUTMIX, STRATEGY_LABELS, display_name, imix_label, is_strategy_variant,
                                  method_label, method_order)
from bench.results.paired import Comparison, apply_holm, chance_note, comparisons, format_cell
from bench.results.tables import _gain, _gain_header  # the method table's gain cell, so both layouts print one number one way


def arm_name(c: Comparison) -> str:
    """The column of a comparison's treated arm: i-Mix, i-Mix (mixup, layer 2), e-Mix, DACL, alpha 0.9."""
    return imix_label(c.mix, c.alpha, with_mix=c.mix not in ("", DEFAULT_MIX))


def column_order(arm: str) -> tuple:
    """i-Mix first (the input, then other mixes and layers), then the strategies in the registry's order."""
    if not is_strategy_variant(arm):
        return (0, arm != "i-Mix", arm)
    strategies = [INPUTMIX, *(label for label, _ in STRATEGY_LABELS.values())]
    return (1, strategies.index(arm.split(",")[0].split(" + ")[0]), arm)


Row = tuple[tuple[str, str], dict[str, Comparison]]  # ((data set label, method), arm -> comparison; "" the baseline's)


def strategy_cells(items: list[Comparison], names: dict[str, str]) -> tuple[list[str], list[Row]]:
    """The arms in column order and the rows in table order: what the table and the heat map both show."""
    arms = sorted({arm_name(c) for c in items if c.mix}, key=column_order)
    rows: dict[tuple[str, str], dict[str, Comparison]] = defaultdict(dict)
    for c in items:
        label = f"{display_name(c.domain, c.dataset, names)}{c.setting_label}"
        rows[(label, c.method)][arm_name(c) if c.mix else ""] = c
    order = {m: i for i, m in enumerate(method_order(m for _, m in rows))}
    return arms, sorted(rows.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))


def strategy_rows(items: list[Comparison], names: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: data set, method, the baseline (mean ± std (n)), then one gain column per arm."""
    arms, rows = strategy_cells(items, names)
    body = []
    for (label, method), by_arm in rows:
        baseline = next(iter(by_arm.values())).baseline
        body.append([label, method_label(method, names), format_cell(baseline.values)]
                    + [_gain(by_arm[a]) if a in by_arm else "-" for a in arms])
    return ["dataset", "method", "baseline"] + [f"{a}: {_gain_header(items)}" for a in arms], body


def strategy_table(records: Iterable[dict[str, Any]], metric: str = "probe", holm_correction: bool = False,
                   names: dict[str, str] | None = None) -> str:
    """The markdown table and its legend."""
    items = comparisons(records, metric, inputmix_arm=True)
    if holm_correction:
        apply_holm(items)
    headers, body = strategy_rows(items, names or {})
    what = "linear-probe" if metric == "probe" else "kNN (k=200)"
    legend = (f"Test {what} accuracy (%): the baseline's mean ± sample std over seeds (number of seeds); each arm's "
              "gain over that baseline with the t-based 95% confidence interval of the mean paired gain and the "
              "two-sided paired t-test over matching seeds (3 or more pairs). " + chance_note(items))
    return tabulate(body, headers=headers, tablefmt="github", disable_numparse=True) + "\n\n" + legend
