"""Writing a matplotlib figure to files: the formats offered, print resolution, no timestamps.

Kept apart from the files that draw (``bench/results/plot_*.py``) so they stay about drawing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from bench.core.errors import UserError

FORMATS = ("png", "pdf", "svg")
DEFAULT_FORMATS = ("png", "pdf")  # a PNG to look at and a vector file to put in a paper
DPI = 300  # print resolution for PNG; PDF and SVG are vector


def new_figure(width: float, height: float):
    """An empty figure of that size (inches), laid out by matplotlib's constrained layout."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - matplotlib is a dependency
        raise UserError("`bench plot` needs matplotlib: pip install matplotlib") from error
    return Figure(figsize=(width, height), layout="constrained")


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """``png,pdf`` -> ["png", "pdf"]; anything else is a UserError naming the choices."""
    formats = [f.strip().lower().lstrip(".") for f in (text.split(",") if isinstance(text, str) else text)]
    formats = [f for f in formats if f]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UserError(f"--format {','.join(unknown) or text!r}: valid choices are {', '.join(FORMATS)} "
                        "(comma-separated, e.g. --format png,pdf).")
    return list(dict.fromkeys(formats))


def save(fig, path: Path, formats: Iterable[str] = ("png",)) -> Path:
    """Write the figure once per format beside ``path`` (its suffix replaced); returns the first file."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        # no creation date or tool version inside: a rerun changes the files only where the figure changed
        metadata = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None},
                    "svg": {"Date": None}}[fmt]
        fig.savefig(target, dpi=DPI, metadata=metadata)
        written.append(target)
    return written[0]
