"""One self-contained HTML page of a set of results: tables, paired tests, figures, provenance.

Nothing is computed here that the table and plot commands do not already compute: the
tables are the rows of ``bench.results.tables`` (the same cells `bench table` prints), the paired
tests are the same ``Comparison`` objects, and the figures are the PNG files `bench plot`
writes, embedded as base64. The page needs no network and no files beside it, so it can be
mailed or attached to a paper's supplement. Every string from a record goes through
``html.escape``: data set names and paths come from users.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import json
import math
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

from bench import __version__
from bench.results.labels import arm_label, method_order
from bench.results.paired import Comparison, comparisons
from bench.results.tables import legend, wide_rows

METRIC_NAMES = {"probe": "Linear probe", "knn": "kNN (k = 200)"}
FIGURE_CAPTIONS = {
    "bars": "Baseline vs i-Mix per method and data set (mean ± std over seeds; each data set at its largest data ratio)",
    "loss_curves": "Pretraining loss per epoch (mean ± std over seeds), with the kNN monitor where runs had --eval-every",
    "data_ratio": "Accuracy against the fraction of the training data used for pretraining",
}
# Bold markers that cannot occur in a table cell: the cells are escaped, then the markers become tags.
BOLD = ("\x00b\x00", "\x00/b\x00")

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 20px;
       padding: 0 8px; color: #1d1d1f; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; margin: 0 0 12px; } .meta code { background: #f3f3f3; padding: 0 3px; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; margin: 6px 0 4px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d5d5d5; padding: 2px 6px; text-align: right; }
table.comparison { font-size: 12.5px; } table.comparison th { font-weight: 600; }
th { background: #f2f4f7; } td:first-child, th:first-child { text-align: left; }
tbody tr:nth-child(even) { background: #fafafa; }
td strong { color: #0b5394; }
.legend { color: #555; font-size: 13px; margin: 2px 0 14px; max-width: 1100px; }
.scroll { overflow-x: auto; }
.figures { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: flex-start; }
figure { margin: 6px 0 14px; flex: 0 1 auto; max-width: 100%; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 13px; margin-top: 4px; }
.skipped { color: #777; font-size: 13px; }
details { border: 1px solid #e0e0e0; border-radius: 4px; margin: 4px 0; padding: 3px 8px; }
details > summary { cursor: pointer; font-variant-numeric: tabular-nums; }
details table { font-size: 12px; } details td { text-align: left; white-space: normal; word-break: break-all; }
.kv td:first-child { color: #555; white-space: nowrap; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell_html(text: str) -> str:
    """Escaped, with the bold markers as tags; a cell may wrap only before a parenthesis ("(3)", "(p=...)")."""
    text = _e(text).replace(_e(BOLD[0]), "<strong>").replace(_e(BOLD[1]), "</strong>")
    return text.replace(" ± ", "&nbsp;±&nbsp;")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell_html(c)}</td>" for c in row) + "</tr>\n" for row in rows)
    return f'<div class="scroll"><table class="{_e(css)}"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody></table></div>'


def comparison_section(items: list[Comparison], metric: str) -> str:
    """The wide table of `bench table` (same rows, same cells), as HTML."""
    if not items:
        return '<p class="skipped">No comparisons in these records.</p>'
    headers, rows = wide_rows(items, BOLD, "±")
    return _table(headers, rows, f"comparison {metric}") + f'<p class="legend">{_e(legend(metric))}</p>'


def _seed_values(arm, seeds: list[int]) -> str:
    return ", ".join(f"{arm.by_seed[s]:.2f}" for s in seeds)


def _ci(c: Comparison) -> str:
    low, high = c.ci
    return "-" if math.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"


def paired_section(items: list[Comparison]) -> str:
    """Per comparison: the seeds both arms have, each arm's accuracy per seed, and the test's result."""
    rows, unpaired = [], 0
    methods = method_order(c.method for c in items)
    for c in sorted(items, key=lambda c: (c.row_label, methods.index(c.method))):
        seeds = c.paired_seeds
        if not seeds:
            unpaired += 1
            continue
        p = c.p_value
        rows.append([c.row_label, c.method, c.mix or "-", ", ".join(map(str, seeds)) or "-",
                     _seed_values(c.baseline, seeds) or "-", _seed_values(c.imix, seeds) or "-",
                     ", ".join(f"{c.imix.by_seed[s] - c.baseline.by_seed[s]:+.2f}" for s in seeds) or "-",
                     "-" if c.baseline.n == 0 or c.imix.n == 0 else f"{c.gain:+.2f}",
                     _ci(c), c.test_note or (f"{p:.3f}" if p >= 0.001 else "<0.001")])
    if not rows:
        return '<p class="skipped">No comparison has both arms at a common seed.</p>'
    left_out = (f" {unpaired} comparison(s) without both arms at a common seed are left out (the tables show "
                "their one arm).") if unpaired else ""
    return (_table(["dataset", "method", "mix", "paired seeds", "baseline per seed (%)", "i-Mix per seed (%)",
                    "difference per seed", "gain (means)", "95% CI of the gain", "p"], rows, "paired") +
            '<p class="legend">Two-sided paired t-test over the seeds both arms have (seed s of the baseline '
            "against seed s of i-Mix: same initial weights and data order); p is empty below two pairs. "
            "The gain compares the arms' means over all their seeds, as in the table." + _e(left_out) + "</p>")


def _figure_files(records: list[dict[str, Any]], metrics: Sequence[str],
                  folder: Path) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """(metric, figure name, PNG bytes) for every figure `bench plot` draws, each distinct image once,
    and the plot command's lines for figures it skipped."""
    from bench.results.plots import FIGURES, make_figures

    order = [Path(name).stem for name in FIGURES]
    figures, skipped, seen = [], [], set()
    for metric in metrics:
        out = folder / metric
        lines = make_figures(records, out, metric)
        skipped += [line for line in lines if line.startswith("skipped") and line not in skipped]
        for path in sorted(out.glob("*.png"), key=lambda p: (order.index(p.stem) if p.stem in order else len(order), p.stem)):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if digest not in seen:  # the loss curves do not depend on the metric
                seen.add(digest)
                figures.append((metric, path.stem, data))
    return figures, skipped


def figures_section(records: list[dict[str, Any]], metrics: Sequence[str]) -> tuple[str, int]:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        figures, skipped = _figure_files(records, metrics, Path(folder))
    parts = []
    for metric, name, data in sorted(figures, key=lambda f: (f[1] == "loss_curves", f[1] != "bars", f[1])):  # pairs side by side, the tall one last
        caption = FIGURE_CAPTIONS.get(name, name)
        if name != "loss_curves":
            caption += f" ({METRIC_NAMES.get(metric, metric)})"
        encoded = base64.b64encode(data).decode("ascii")
        wide = ' class="wide"' if name == "loss_curves" else ""
        parts.append(f'<figure id="figure-{_e(name)}-{_e(metric)}"{wide}><img src="data:image/png;base64,{encoded}" '
                     f'alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>')
    notes = "".join(f'<p class="skipped">{_e(line)}</p>' for line in skipped)
    return f'<div class="figures">{"".join(parts)}</div>{notes}', len(figures)


def _flat(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts as dotted keys; lists and scalars as JSON text."""
    if isinstance(value, dict):
        pairs = []
        for key in sorted(value):
            pairs += _flat(value[key], f"{prefix}{key}.")
        return pairs
    return [(prefix.rstrip("."), value if isinstance(value, str) else json.dumps(value))]


def _kv(title: str, mapping: Any) -> str:
    if not mapping:
        return ""
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in _flat(mapping))
    return f"<h3>{_e(title)}</h3><table class=\"kv\"><tbody>{rows}</tbody></table>"


def _percent(section: Any) -> str:
    accuracy = section.get("accuracy") if isinstance(section, dict) else None
    return "-" if accuracy is None else f"{100 * accuracy:.2f}%"


def _short_commit(commit: str | None) -> str:
    """The first 12 hex digits, keeping the '+dirty' mark (the code had uncommitted changes)."""
    if not commit:
        return "-"
    return commit[:12] + ("+dirty" if commit.endswith("+dirty") else "")


def _run_sort_key(record: dict[str, Any]) -> tuple:
    return (str(record.get("domain")), str(record.get("dataset")), float(record.get("config", {}).get("data_ratio", 1)),
            str(record.get("method")), bool(record.get("imix")), str(record.get("mix") or ""), record.get("seed", 0))


def run_details(record: dict[str, Any]) -> str:
    """One collapsible block: what ran, its numbers, where and from which commit, and its full config."""
    config = record.get("config", {})
    arm = arm_label(record, with_mix=True)
    ratio = config.get("data_ratio", 1)
    environment = record.get("environment") or {}
    commit = environment.get("git_commit")
    wall = record.get("wall_seconds")
    summary = (f"{record.get('domain')}/{record.get('dataset')}{f' @ {ratio:g} data' if ratio != 1 else ''} · "
               f"{record.get('method')} · {arm} · seed {record.get('seed')} · probe {_percent(record.get('probe'))} · "
               f"kNN {_percent(record.get('knn'))} · "
               f"{'-' if wall is None else f'{wall:.1f} s'} · commit {_short_commit(commit)}")
    run = {k: record.get(k) for k in ("id", "finished_at", "encoder", "wall_seconds", "train_seconds",
                                      "samples_per_second", "record_version") if record.get(k) is not None}
    losses = record.get("loss_curve") or []
    if losses:
        run["loss (first, last epoch)"] = f"{losses[0]:.4f}, {losses[-1]:.4f} ({len(losses)} epochs)"
    results = {k: record.get(k) for k in ("probe", "knn", "raw_probe", "monitor") if record.get(k)}
    return (f"<details><summary>{_e(summary)}</summary>" + _kv("run", run) + _kv("results", results) +
            _kv("data", record.get("data")) + _kv("environment", environment) + _kv("config", config) +
            "</details>")


def render_report(records: list[dict[str, Any]], metrics: Sequence[str] = ("probe", "knn"),
                  sources: Sequence[str] = (), where: Sequence[str] = ()) -> tuple[str, dict[str, int]]:
    """The page, and counts of what is on it (tables, comparisons, figures, runs)."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    by_metric = {metric: comparisons(records, metric) for metric in metrics}
    figures, n_figures = figures_section(records, metrics)
    commits = sorted({_short_commit((r.get("environment") or {}).get("git_commit")) for r in records})
    body = ["<h1>imix-bench report</h1>",
            f'<p class="meta">{len(records)} runs from {", ".join(f"<code>{_e(s)}</code>" for s in sources) or "-"}'
            + (f"; only records with {' and '.join(f'<code>{_e(w)}</code>' for w in where)}" if where else "")
            + f". Made {_e(now)} by imix-bench {_e(__version__)}; code commits of the runs: "
            + ", ".join(f"<code>{_e(c)}</code>" for c in commits) + ".</p>",
            '<nav><a href="#tables">Tables</a><a href="#figures">Figures</a><a href="#paired">Paired tests</a>'
            '<a href="#runs">Runs</a></nav>',
            '<h2 id="tables">Baseline vs i-Mix</h2>']
    for metric, items in by_metric.items():
        body += [f"<h3>{_e(METRIC_NAMES.get(metric, metric))}</h3>", comparison_section(items, metric)]
    body += ['<h2 id="figures">Figures</h2>', figures]
    body.append('<h2 id="paired">Paired tests over seeds</h2>')
    for metric, items in by_metric.items():
        body += [f"<h3>{_e(METRIC_NAMES.get(metric, metric))}</h3>", paired_section(items)]
    body += ['<h2 id="runs">Runs</h2>',
             '<p class="legend">One line per run; open it for its results, data, environment and full config.</p>']
    body += [run_details(r) for r in sorted(records, key=_run_sort_key)]
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>imix-bench report</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    counts = {"runs": len(records), "metrics": len(by_metric),
              "comparisons": max((len(v) for v in by_metric.values()), default=0), "figures": n_figures}
    return page, counts


def write_report(records: list[dict[str, Any]], out: str | Path, metrics: Sequence[str] = ("probe", "knn"),
                 sources: Sequence[str] = (), where: Sequence[str] = ()) -> str:
    """Write the page to ``out``; the line the command prints."""
    page, counts = render_report(records, metrics, sources, where)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return (f"wrote {out} ({counts['runs']} runs, {counts['comparisons']} comparisons x {counts['metrics']} metric(s), "
            f"{counts['figures']} figures, {len(page) / 1e6:.1f} MB)")
