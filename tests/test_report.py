"""The HTML report: the table command's rows, one image per figure with its caption, nothing fetched,
no empty section (how a real browser draws it: tests/test_report_browser.py)."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

from bench.cli import main
from bench.results.append import append_record
from test_plots import PNG_SIGNATURE, _record, fixture_records


class Page(HTMLParser):
    """The cell texts of every table by its class, the image sources and the <details> count."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.images: list[str] = []
        self.captions: list[str] = []
        self.sections: list[str] = []  # the ids of the h2 headings
        self.links: list[str] = []  # the nav's anchors
        self.details = 0
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

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
        elif tag == "figcaption":
            self._caption = []
        elif tag == "h2":
            self.sections.append(attrs["id"])
        elif tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.captions.append("".join(self._caption))
            self._caption = None
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append("".join(self._cell).replace("\xa0", " ").strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


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
    assert len(page.images) == 7 and len(set(zip(page.images, page.captions))) == 7
    # each under the caption bench plot writes: the gain figure is drawn per metric (here the same image)
    assert sum(c.startswith("i-Mix gain against the training data") for c in page.captions) == 2
    assert sum("kNN test accuracy" in c for c in page.captions) == 3  # bars, data ratio and gain for kNN
    assert page.sections == page.links == ["tables", "figures", "paired", "runs"]
    assert 'class="skipped"' not in text and "skipped" not in text  # nothing to report: no note
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


def test_sections_with_nothing_to_show_are_left_out_with_their_links(tmp_path):
    results = _write(tmp_path / "runs.jsonl", [_record("simclr", False, 0, 0.8, loss=[])])  # one run, no curve
    out = tmp_path / "r.html"
    assert main(["report", "--results", str(results), "--out", str(out)]) == 0
    page = _page(out.read_text())
    # one baseline: a table row and its bars, but no paired test and no loss curve
    assert page.sections == page.links == ["tables", "figures", "runs"]
    assert len(page.images) == 2 and all(c.startswith("Baseline vs i-Mix") for c in page.captions)
    assert "No comparison has both arms" not in out.read_text()


def test_numbers_are_right_aligned_cells_and_labels_left(tmp_path):
    results = _write(tmp_path / "runs.jsonl", _records())
    out = tmp_path / "r.html"
    assert main(["report", "--results", str(results), "--out", str(out), "--metric", "probe"]) == 0
    text = out.read_text()
    row = re.search(r'<tr><td class="text">tabular/toy</td>(.*?)</tr>', text).group(1)
    assert re.findall(r'<td class="([\w ]+)">', row) == ["num", "num", "num gain"] * 3  # per method: arms, gain
    # the better arm in bold, as in Markdown, and never broken over two lines
    assert '<td class="num"><span class="nw"><strong>85.00 ± 2.00 (3)</strong></span></td>' in row
