"""The paper's Table 3 shape: no augmentation, InputMix, i-Mix, and both, side by side.

`bench table` pairs one baseline arm with its i-Mix arm. Table 3's questions cross that pair
(does InputMix help? does i-Mix beat it? does either add to the other?), so this prints the four
arms of each data set in one row, then the paired contrasts between them, seed by seed, with the
95% interval of the mean difference and the p-value of `bench.results.paired`, Holm-adjusted over every
contrast printed (they are tested together). Only records made with `--no-aug` are read.

    python results/repro/table3.py [--results results/repro/table3.jsonl] [--metric probe|knn]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.results.arms import group_arms  # noqa: E402
from bench.results.labels import dataset_name  # noqa: E402
from bench.results.paired import Arm, Comparison, apply_holm, format_cell  # noqa: E402
from bench.results.records import read_records  # noqa: E402

# (inputmix, imix) -> the column's name, in the paper's order
ARMS = {(False, False): "no aug", (True, False): "InputMix", (False, True): "i-Mix", (True, True): "InputMix + i-Mix"}
# (treated, reference): what each mixing adds to no augmentation, i-Mix against InputMix, and
# whether combining them adds to either one alone
CONTRASTS = [("InputMix", "no aug"), ("i-Mix", "no aug"), ("InputMix + i-Mix", "no aug"),
             ("i-Mix", "InputMix"), ("InputMix + i-Mix", "i-Mix"), ("InputMix + i-Mix", "InputMix")]


class TableError(ValueError):
    """The records do not form Table 3's arms."""


def row_name(record: dict[str, Any]) -> str:
    return f"{record['domain']}/{dataset_name(record)} {record['method']}, {record['config']['epochs']} epochs"


def arms_of(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The records of one row by column name; records that differ in more than the two mixings
    and the seed would be pooled into one column, so they are refused."""
    columns: dict[str, list[dict[str, Any]]] = {}
    for arm in group_arms(records).values():
        column = ARMS[(bool(arm[0]["config"].get("inputmix")), bool(arm[0]["imix"]))]
        if column in columns:
            raise TableError(f"{row_name(arm[0])}: two sets of {column!r} records differ in a setting other than "
                             "the seed (the batch size, say), so one column would pool them; put each setting's "
                             "records in a file of its own and pass that file with --results.")
        columns[column] = arm
    return columns


def table(records: list[dict[str, Any]], metric: str) -> list[tuple[str, dict[str, Arm], list[Comparison]]]:
    """(row name, arms by column, contrasts) per data set, with Holm over every contrast of the table."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record.get("config", {}).get("no_aug"):
            rows[row_name(record)].append(record)
    out = []
    for name, group in sorted(rows.items()):
        arms = {column: Arm.of(arm, metric) for column, arm in arms_of(group).items()}
        # bench.results.paired's Comparison does the paired statistics: the reference stands in its
        # baseline slot, the treated arm in its i-Mix slot, and the contrast's name in `method`
        contrasts = [Comparison(group[0]["domain"], dataset_name(group[0]), f"{treated} vs {reference}", "",
                                arms[reference], arms[treated])
                     for treated, reference in CONTRASTS if treated in arms and reference in arms]
        out.append((name, arms, contrasts))
    apply_holm([c for _, _, contrasts in out for c in contrasts])
    return out


def p_text(p: float | None) -> str:
    return "-" if p is None or math.isnan(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def render(rows: list[tuple[str, dict[str, Arm], list[Comparison]]]) -> str:
    lines = ["| data set | " + " | ".join(ARMS.values()) + " |", "|---" * (len(ARMS) + 1) + "|"]
    for name, arms, _ in rows:
        cells = [format_cell(arms[column].values) if column in arms else "-" for column in ARMS.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| data set | contrast | seeds | difference [95% CI] | p (paired t) | p (Holm) |",
              "|---|---|---|---|---|---|"]
    for name, _, contrasts in rows:
        for c in contrasts:
            low, high = c.ci
            interval = f" [{low:+.2f}, {high:+.2f}]" if not math.isnan(low) else f" ({c.test_note})"
            lines.append(f"| {name} | {c.method} | {len(c.paired_seeds)} | {c.gain:+.2f}{interval} | "
                         f"{p_text(c.p_value)} | {p_text(c.p_adjusted)} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="results/repro/table3.jsonl")
    parser.add_argument("--metric", choices=("probe", "knn"), default="probe")
    args = parser.parse_args()
    records = [r for r in read_records(args.results, missing_ok=True) if "config" in r]
    try:
        rows = table(records, args.metric)
    except TableError as error:
        print(f"table3.py: {error}", file=sys.stderr)
        return 2
    print(f"{args.metric} accuracy (%), mean ± sample std (seeds), from {args.results}\n")
    print(render(rows) if rows else "No --no-aug records yet.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
