"""The HTML report: the table command's rows, one image per figure, nothing fetched, and a real browser."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from bench.cli import main
from bench.results.append import append_record
from test_plots import PNG_SIGNATURE, _record, fixture_records


class Page(HTMLParser):
    """The cell texts of every table by its class, the image sources and the <details> count."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.images: list[str] = []
        self.details = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append((attrs.get("class") or "", []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(attrs["src"])
        elif tag == "details":
            self.details += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append("".join(self._cell).replace("\xa0", " ").strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _records() -> list[dict]:
    records = fixture_records()
    # a user-made name with markup in it, and a record with full provenance
    records += [_record("simclr", imix, s, 0.6 + 0.1 * imix, dataset="<b>x&y</b>") for imix in (False, True)
                for s in (0, 1)]
    records[0].update(environment={"git_commit": "0123456789abcdef0123+dirty", "device": "cpu"}, wall_seconds=12.5,
                      data={"n_train": 100, "source": "a <file> & more"})
    return records


def _write(path: Path, records: list[dict]) -> Path:
    for record in records:
        append_record(path, record)
    return path


def _markdown_rows(capsys, args: list[str]) -> list[list[str]]:
    assert main(["table", *args]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    rows = [[cell.strip().replace("**", "") for cell in line.strip("|").split("|")] for line in lines]
    return [rows[0]] + rows[2:]  # without the |---| rule


def _page(html_text: str) -> Page:
    page = Page()
    page.feed(html_text)
    return page


def test_report_holds_every_table_row_an_image_per_figure_and_nothing_from_the_network(tmp_path, capsys):
    results = _write(tmp_path / "runs.jsonl", _records())
    out = tmp_path / "report.html"
    assert main(["report", "--results", str(results), "--out", str(out)]) == 0
    assert f"wrote {out} (18 runs, 5 comparisons x 2 metric(s), 7 figures" in capsys.readouterr().out
    text = out.read_text()
    page = _page(text)
    comparison = [rows for css, rows in page.tables if "comparison" in css]
    assert len(comparison) == 2  # probe and kNN
    for metric, rows in zip(("probe", "knn"), comparison):
        assert rows == _markdown_rows(capsys, ["--results", str(results), "--metric", metric])
    # bars, accuracy and gain against data ratio for each metric, the loss curves once (they do
    # not depend on the metric); one epoch count, so no gain-against-epochs figure
    assert len(page.images) == 7 and len(set(page.images)) == 7
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    assert not re.search(r"https?://", text) and "<script" not in text and "<link" not in text
    # one collapsible provenance block per run, with the commit, the wall time and the data
    assert page.details == 18
    assert "commit 0123456789ab+dirty" in text and "12.5 s" in text
    # names from records are escaped, never markup
    assert "&lt;b&gt;x&amp;y&lt;/b&gt;" in text and "<b>x" not in text
    assert "a &lt;file&gt; &amp; more" in text
    # the paired tests: toy simclr, seeds 0-2, +3 points each; the moco baseline alone is left out
    (paired, _) = [rows for css, rows in page.tables if css == "paired"]
    toy = [row for row in paired if row[0] == "tabular/toy" and row[1] == "simclr"]
    assert toy == [["tabular/toy", "simclr", "mixup", "0, 1, 2", "80.00, 82.00, 84.00", "83.00, 85.00, 87.00",
                    "+3.00, +3.00, +3.00", "+3.00", "-", "identical gains"]]
    assert not any(row[1] == "moco" for row in paired)


def test_report_where_and_metric(tmp_path, capsys):
    results = _write(tmp_path / "runs.jsonl", _records())
    out = tmp_path / "r.html"
    assert main(["report", "--results", str(results), "--out", str(out), "--where", "seed=0", "--metric", "knn"]) == 0
    page = _page(out.read_text())
    assert page.details == 9  # the seed-0 records
    (rows,) = [rows for css, rows in page.tables if "comparison" in css]
    assert rows == _markdown_rows(capsys, ["--results", str(results), "--metric", "knn", "--where", "seed=0"])
    assert "seed=0" in out.read_text()
    assert main(["report", "--results", str(results), "--out", str(out), "--where", "seed=9"]) == 2
    assert "no record matches --where seed=9" in capsys.readouterr().err


def _browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
                 if (path := shutil.which(name))), None)


@pytest.mark.skipif(_browser() is None, reason="no Chromium or Chrome installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(tmp_path):
    from PIL import Image

    results = _write(tmp_path / "runs.jsonl", _records())
    out = tmp_path / "report.html"
    assert main(["report", "--results", str(results), "--out", str(out)]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1280,2400", out.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file()
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    # not blank: many colours (figures, text) and a good share of non-white pixels
    pixels = np.asarray(image.resize((320, 600)), dtype=int).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 100
    assert (pixels != 255).any(axis=1).mean() > 0.05
    # the figures are drawn: their blue i-Mix bars (Okabe-Ito #0072B2) appear on the page
    assert (np.abs(pixels - [0x00, 0x72, 0xB2]) < 30).all(axis=1).sum() > 100
