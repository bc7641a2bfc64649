"""The HTML pieces of the report: its style sheet, escaping, tables and sections.

Tables are for reading numbers: 14 px text in a tabular-figure face, the label columns left and
every number right-aligned so decimal points line up, the better arm of each pair in bold on a
tinted cell (the bold of `bench table`'s Markdown), numbers never wrapped (a gain cell may put
its p-value on a second line and a list of per-seed values wrap between values, so a table of
three methods fits a laptop's screen). Every
string from a record goes through ``html.escape``: data set names and paths come from users.
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Sequence

# Bold markers that cannot occur in a table cell: the cells are escaped, then the markers become tags.
BOLD = ("\x00b\x00", "\x00/b\x00")

STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 24px auto;
       padding: 0 20px; max-width: 1500px; color: #1d1d1f; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 3px; border-bottom: 1px solid #ddd; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: #555; margin: 0 0 12px; } .meta code { background: #f3f3f3; padding: 0 3px; }
nav a { margin-right: 16px; }
table { border-collapse: collapse; margin: 6px 0 6px; font-variant-numeric: tabular-nums lining-nums; }
th, td { border: 1px solid #d5d5d5; padding: 4px 8px; }
table.comparison, table.paired { font-size: 14px; }
th { background: #eef1f5; font-weight: 600; text-align: center; vertical-align: bottom; min-width: 6.5em; }
td.text { text-align: left; white-space: nowrap; }
td.num { text-align: right; } .nw { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
td strong { color: #0b4f8a; font-weight: 700; }
td:has(strong) { background: #e8f1fa; }
.legend { color: #444; font-size: 14px; margin: 4px 0 16px; max-width: 1100px; }
.scroll { overflow-x: auto; }
.figures { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: flex-start; }
figure { margin: 6px 0 14px; max-width: 100%; }
figure img { display: block; width: 100%; height: auto; }
figcaption { color: #333; font-size: 14px; margin-top: 6px; }
details { border: 1px solid #e0e0e0; border-radius: 4px; margin: 4px 0; padding: 3px 8px; }
details > summary { cursor: pointer; font-variant-numeric: tabular-nums; }
details table { font-size: 13px; } details td { text-align: left; white-space: normal; word-break: break-all; }
.kv td:first-child { color: #555; white-space: nowrap; }
"""


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _unbroken(text: str) -> str:
    return f'<span class="nw">{text}</span>'


def cell_html(text: str, kind: str = "text") -> str:
    """Escaped, with the bold markers as tags. A number never breaks: a gain cell may break only
    before its last parenthesis (its p, or why there is none), a list of per-seed values only
    between values."""
    html_text = escape(text).replace(escape(BOLD[0]), "<strong>").replace(escape(BOLD[1]), "</strong>")
    if kind == "text":
        return html_text
    if kind == "num gain" and " (" in html_text:
        gain, rest = html_text.rsplit(" (", 1)
        return f"{_unbroken(gain)} {_unbroken('(' + rest)}"
    return ", ".join(_unbroken(part) for part in html_text.split(", "))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "", text_columns: int = 1) -> str:
    """A table whose first ``text_columns`` columns are labels (left) and the rest numbers (right);
    the gain columns (headers starting "gain") may wrap before their p-value."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    kinds = ["text" if i < text_columns else "num gain" if h.startswith("gain ") else "num"
             for i, h in enumerate(headers)]
    body = "".join(
        "<tr>" + "".join(f'<td class="{kind}">{cell_html(c, kind)}</td>'
                         for kind, c in zip(kinds, row)) + "</tr>\n" for row in rows)
    return (f'<div class="scroll"><table class="{escape(css)}"><thead><tr>{head}</tr></thead>\n<tbody>\n{body}'
            "</tbody></table></div>")


def legend(text: str) -> str:
    return f'<p class="legend">{escape(text)}</p>'


def section(anchor: str, title: str, parts: Sequence[str]) -> list[str]:
    """A titled section, or nothing at all when it has nothing to show."""
    body = [part for part in parts if part]
    return [f'<h2 id="{escape(anchor)}">{escape(title)}</h2>', *body] if body else []
