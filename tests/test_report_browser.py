"""The HTML report in a real browser: headless Chromium lays the page out, a measuring script reads
the computed styles and boxes back (--dump-dom), and a screenshot shows it is drawn.

CI installs Chromium when it is missing (.ci/run: Debian's `chromium` package); where no browser
can be installed these tests skip, saying so.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bench.cli import main
from test_report import _records, _write

WINDOW = (1440, 2400)  # a laptop screen's CSS width
MEASURE = """<script>
const q = s => Array.from(document.querySelectorAll(s)), style = e => getComputedStyle(e);
const out = {viewport: document.documentElement.clientWidth};
const lineCount = td => {  // the lines the cell's text takes (not the row's height)
  const range = document.createRange(); range.selectNodeContents(td);
  return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; };
out.cells = q('table.comparison td, table.paired td').map(td => ({
  kind: td.className, table: td.closest('table').className, size: parseFloat(style(td).fontSize), align: style(td).textAlign,
  bold: td.querySelector('strong') !== null, background: style(td).backgroundColor,
  lines: lineCount(td)}));
out.unbroken = q('td .nw').map(span => span.getClientRects().length);
out.tables = q('table.comparison, table.paired').map(t => t.getBoundingClientRect().right);
out.figures = q('figure img').map(i => ({shown: i.getBoundingClientRect().width, printed: +i.getAttribute('width'),
  room: i.closest('.figures').getBoundingClientRect().width}));
out.captions = q('figcaption').map(c => parseFloat(style(c).fontSize));
document.body.insertAdjacentHTML('beforeend', '<pre id="measured">' + JSON.stringify(out) + '</pre>');
</script>"""


def _browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
                 if (path := shutil.which(name))), None)


needs_browser = pytest.mark.skipif(
    _browser() is None, reason="no Chromium or Chrome to render the report in: apt-get install chromium "
                               "(.ci/run installs it where apt works)")


def _chromium(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--window-size={WINDOW[0]},{WINDOW[1]}", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    results = _write(folder / "runs.jsonl", _records())
    assert main(["report", "--results", str(results), "--out", str(folder / "report.html")]) == 0
    return folder / "report.html"


def _bold_cells(capsys, results: Path) -> int:
    """How many cells `bench table` marks bold, probe and kNN together."""
    count = 0
    for metric in ("probe", "knn"):
        assert main(["table", "--results", str(results), "--metric", metric]) == 0
        count += capsys.readouterr().out.count("**") // 2
    return count


@needs_browser
def test_tables_and_figures_are_laid_out_readably(report, capsys):
    measured_page = report.with_name("measured.html")
    measured_page.write_text(report.read_text().replace("</body>", MEASURE + "</body>"))
    dom = _chromium("--virtual-time-budget=10000", "--dump-dom", measured_page.as_uri()).stdout
    found = re.findall(r'<pre id="measured">(\{.*?)</pre>', dom, flags=re.S)  # the script's output, not its text
    assert found, dom[-2000:]
    measured = json.loads(html.unescape(found[-1]))
    cells = measured["cells"]
    assert cells and min(c["size"] for c in cells) >= 14  # 14 px table text
    assert {c["align"] for c in cells if "num" in c["kind"].split()} == {"right"}  # numbers right-aligned
    assert {c["align"] for c in cells if c["kind"] == "text"} == {"left"}
    assert measured["unbroken"] and set(measured["unbroken"]) == {1}  # no number is ever broken over two lines
    comparison = [c for c in cells if c["table"].startswith("comparison")]
    assert max(c["lines"] for c in comparison if "gain" not in c["kind"]) == 1  # mean ± std (n) on one line
    assert max(c["lines"] for c in cells if "gain" in c["kind"]) <= 2  # a gain at most: interval / p
    bold = [c for c in cells if c["bold"]]
    assert len(bold) == _bold_cells(capsys, report.with_name("runs.jsonl"))  # the better arm, as in Markdown
    plain = {c["background"] for c in cells if not c["bold"]}
    assert {c["background"] for c in bold}.isdisjoint(plain)  # and on a tinted cell
    assert max(measured["tables"]) <= measured["viewport"]  # no table runs off the page
    for figure in measured["figures"]:  # at its printed size, or the page's width when that is less
        assert figure["shown"] == pytest.approx(min(figure["printed"], figure["room"]), abs=1.5)
        assert figure["shown"] >= 500
    assert len(measured["captions"]) == len(measured["figures"]) and min(measured["captions"]) >= 14


@needs_browser
def test_the_page_is_drawn_with_its_figures(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    _chromium(f"--screenshot={shot}", report.as_uri())
    assert shot.is_file()
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    # not blank: many colours (figures, text) and a good share of non-white pixels
    pixels = np.asarray(image.resize((320, 600)), dtype=int).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 100
    assert (pixels != 255).any(axis=1).mean() > 0.05
    # the figures are drawn: their blue i-Mix bars (Okabe-Ito #0072B2) appear on the page
    assert (np.abs(pixels - [0x00, 0x72, 0xB2]) < 30).all(axis=1).sum() > 100
