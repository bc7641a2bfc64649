"""One self-contained HTML page of a set of results: tables, paired tests, figures, provenance.

Nothing is computed here that the table and plot commands do not already compute: the
tables are the rows of ``bench.results.tables`` (the same cells `bench table` prints), the paired
tests are the same ``Comparison`` objects, and the figures are the PNG files `bench plot`
writes, embedded as base64 at their printed size (96 CSS pixels an inch, so their text reads as
it would on paper), each under the caption `bench plot` writes beside it. The page needs no
network and no files beside it, so it can be mailed or attached to a paper's supplement. A
section with nothing to show is left out, with its link.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import struct
import tempfile
from pathlib import Path
from typing import Any, Sequence

from bench import __version__
from bench.results.figure_captions import read_captions
from bench.results.figure_files import DPI
from bench.results.labels import method_order
from bench.results.paired import Comparison, comparisons
from bench.results.report_html import BOLD, STYLE, legend, section, table
from bench.results.report_html import escape as _e
from bench.results.report_runs import run_sort_key, short_commit, run_details  # noqa: F401 (run_details re-exported)
from bench.results.tables import legend as table_legend
from bench.results.tables import wide_rows

METRIC_NAMES = {"probe": "Linear probe", "knn": "kNN (k = 200)"}
CSS_PIXELS_PER_INCH = 96


def comparison_section(items: list[Comparison], metric: str) -> str:
    """The wide table of `bench table` (same rows, same cells), as HTML; empty without comparisons."""
    if not items:
        return ""
    headers, rows = wide_rows(items, BOLD, "±")
    return table(headers, rows, f"comparison {metric}") + legend(table_legend(metric))


def _seed_values(arm, seeds: list[int]) -> str:
    return ", ".join(f"{arm.by_seed[s]:.2f}" for s in seeds)


def _ci(c: Comparison) -> str:
    low, high = c.ci
    return "-" if math.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"


def _paired_row(c: Comparison) -> list[str]:
    seeds, p = c.paired_seeds, c.p_value
    return [c.row_label, c.method, c.mix or "-", ", ".join(map(str, seeds)), _seed_values(c.baseline, seeds),
            _seed_values(c.imix, seeds),
            ", ".join(f"{c.imix.by_seed[s] - c.baseline.by_seed[s]:+.2f}" for s in seeds),
            "-" if c.baseline.n == 0 or c.imix.n == 0 else f"{c.gain:+.2f}", _ci(c),
            c.test_note or (f"{p:.3f}" if p >= 0.001 else "<0.001")]


def paired_section(items: list[Comparison]) -> str:
    """Per comparison with both arms at a common seed: each arm per seed and the test's result."""
    methods = method_order(c.method for c in items)
    ordered = sorted(items, key=lambda c: (c.row_label, methods.index(c.method)))
    rows = [_paired_row(c) for c in ordered if c.paired_seeds]
    if not rows:
        return ""
    unpaired = len(items) - len(rows)
    left_out = (f" {unpaired} comparison(s) without both arms at a common seed are left out (the tables show "
                "their one arm).") if unpaired else ""
    return (table(["dataset", "method", "mix", "paired seeds", "baseline per seed (%)", "i-Mix per seed (%)",
                   "difference per seed", "gain (means)", "95% CI of the gain", "p"], rows, "paired", text_columns=3)
            + legend("Two-sided paired t-test over the seeds both arms have (seed s of the baseline against seed s "
                     "of i-Mix: same initial weights and data order); p is given from three pairs on. The gain "
                     "compares the arms' means over all their seeds, as in the table." + left_out))


def png_width(data: bytes) -> int:
    """The pixel width in a PNG's header (IHDR, bytes 16-20)."""
    return struct.unpack(">I", data[16:20])[0]


def _figure_files(records: list[dict[str, Any]], metrics: Sequence[str], folder: Path) -> list[tuple[str, str, bytes]]:
    """(figure name, caption, PNG bytes) for every figure `bench plot` draws, each distinct one once
    (the loss curves do not depend on the metric)."""
    from bench.results.plots import FIGURES, FigureOptions, make_figures

    figures, seen = [], set()
    for metric in metrics:
        out = folder / metric
        make_figures(records, out, metric, FigureOptions(formats="png"))
        captions = read_captions(out / "captions.md")
        paths = sorted(out.glob("*.png"), key=lambda p: (FIGURES.index(p.stem.split("_knn")[0])
                                                         if p.stem.split("_knn")[0] in FIGURES else 99, p.stem))
        for path in paths:
            data, caption = path.read_bytes(), captions.get(path.stem, path.stem)
            digest = hashlib.sha256(data + caption.encode()).hexdigest()
            if digest not in seen:
                seen.add(digest)
                figures.append((path.stem, caption, data))
    return figures


def figures_section(records: list[dict[str, Any]], metrics: Sequence[str]) -> tuple[str, int]:
    """The figures at their printed size (at most the page's width), each with its caption."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        figures = _figure_files(records, metrics, Path(folder))
    parts = []
    for name, caption, data in figures:
        width = round(png_width(data) / DPI * CSS_PIXELS_PER_INCH)
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(f'<figure id="figure-{_e(name)}" style="width: {width}px"><img src="data:image/png;base64,'
                     f'{encoded}" alt="{_e(caption)}" width="{width}"><figcaption>{_e(caption)}</figcaption></figure>')
    return (f'<div class="figures">{"".join(parts)}</div>' if parts else ""), len(figures)


def _header(records: list[dict[str, Any]], sources: Sequence[str], where: Sequence[str]) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    commits = sorted({short_commit((r.get("environment") or {}).get("git_commit")) for r in records})
    return (f'<p class="meta">{len(records)} runs from {", ".join(f"<code>{_e(s)}</code>" for s in sources) or "-"}'
            + (f"; only records with {' and '.join(f'<code>{_e(w)}</code>' for w in where)}" if where else "")
            + f". Made {_e(now)} by imix-bench {_e(__version__)}; code commits of the runs: "
            + ", ".join(f"<code>{_e(c)}</code>" for c in commits) + ".</p>")


def _by_metric(parts: dict[str, str]) -> list[str]:
    """Each metric's part under its own heading; metrics with nothing are left out."""
    return [f"<h3>{_e(METRIC_NAMES.get(m, m))}</h3>{part}" for m, part in parts.items() if part]


def render_report(records: list[dict[str, Any]], metrics: Sequence[str] = ("probe", "knn"),
                  sources: Sequence[str] = (), where: Sequence[str] = ()) -> tuple[str, dict[str, int]]:
    """The page, and counts of what is on it (tables, comparisons, figures, runs)."""
    by_metric = {metric: comparisons(records, metric) for metric in metrics}
    figures, n_figures = figures_section(records, metrics)
    sections = {
        "tables": section("tables", "Baseline vs i-Mix",
                          _by_metric({m: comparison_section(items, m) for m, items in by_metric.items()})),
        "figures": section("figures", "Figures", [figures]),
        "paired": section("paired", "Paired tests over seeds",
                          _by_metric({m: paired_section(items) for m, items in by_metric.items()})),
        "runs": section("runs", "Runs", [legend("One line per run; open it for its results, data, environment and "
                                                "full config.")] + [run_details(r) for r in sorted(records, key=run_sort_key)]),
    }
    titles = {"tables": "Tables", "figures": "Figures", "paired": "Paired tests", "runs": "Runs"}
    nav = "".join(f'<a href="#{key}">{titles[key]}</a>' for key, parts in sections.items() if parts)
    body = ["<h1>imix-bench report</h1>", _header(records, sources, where), f"<nav>{nav}</nav>"]
    body += [part for parts in sections.values() for part in parts]
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
