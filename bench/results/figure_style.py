"""How figures look: the screen and paper styles, their widths, fonts and the colour palette.

``paper`` is sized for a two-column article (ICML, CVPR, IEEE: a 3.25-inch column, 6.75 inches
across the page; a one-panel figure takes a column, any other the page, unless --width says): text at 8 pt in STIX, the Times-like face that matplotlib ships, so labels
match a Times body text at the size of a caption, and fonts embedded as TrueType (PDF) or kept
as text (SVG) so they stay editable. ``screen`` is larger text in DejaVu Sans for reading on a
monitor and in the HTML report. Colours are Okabe and Ito's colour-blind-safe palette, the
baseline grey, and each arm keeps its colour across every panel of a figure.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Iterable, Iterator

from bench.core.errors import UserError

COLUMN_INCHES = 3.25  # one column of a two-column article
PAGE_INCHES = 6.75  # both columns
WIDTHS = {"column": COLUMN_INCHES, "page": PAGE_INCHES}

BASELINE_COLOUR = "#7f7f7f"
# Okabe-Ito without its yellow (too light on white) and black (the error bars)
IMIX_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")


@dataclass(frozen=True)
class Style:
    """A figure style: sizes in inches and points."""

    name: str
    font: str  # the matplotlib font family
    size: float  # axis labels and titles
    small: float  # ticks and legends
    tiny: float  # annotations (gains, n)
    panel_width: float  # a panel's width when no --width is given
    panel_height: float
    min_panel_width: float  # a row holds as many panels as fit at this width
    legend_height: float  # room under the panels for the legend
    line: float  # line width
    marker: float  # marker size
    default_width: float | None  # None: panel_width x columns
    single_width: float | None = None  # the width of a one-panel figure, when the style fixes one

    def width_for(self, columns: int) -> float | None:
        """The figure width when none is asked for: one column for a single panel, else the default."""
        return self.single_width if columns == 1 and self.single_width else self.default_width

    def rc(self) -> dict[str, object]:
        """The matplotlib settings of this style, applied while a figure is drawn and saved."""
        return {
            "font.family": self.font, "mathtext.fontset": "stix" if self.font == "STIXGeneral" else "dejavusans",
            "font.size": self.size, "axes.titlesize": self.size, "axes.labelsize": self.size,
            "xtick.labelsize": self.small, "ytick.labelsize": self.small, "legend.fontsize": self.small,
            "figure.titlesize": self.size, "lines.linewidth": self.line, "lines.markersize": self.marker,
            "axes.linewidth": 0.6 if self.name == "paper" else 0.8, "axes.spines.top": False,
            "axes.spines.right": False, "pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none",
            "axes.titlepad": 3.0 if self.name == "paper" else 6.0,
        }


STYLES = {
    "screen": Style("screen", "DejaVu Sans", 10, 9, 7.5, 4.3, 3.2, 3.0, 0.45, 1.5, 4.0, None),
    "paper": Style("paper", "STIXGeneral", 8, 7, 6, 2.2, 1.55, 1.55, 0.3, 1.0, 2.8, PAGE_INCHES, COLUMN_INCHES),
}


def get_style(name: str) -> Style:
    if name not in STYLES:
        raise UserError(f"--style {name!r}: valid choices are {', '.join(STYLES)}.")
    return STYLES[name]


def parse_width(text: str | float | None) -> float | None:
    """``column`` (3.25 in), ``page`` (6.75 in) or a width in inches; None: the style's choice."""
    if text is None or isinstance(text, (int, float)):
        width = text
    elif str(text).strip().lower() in WIDTHS:
        width = WIDTHS[str(text).strip().lower()]
    else:
        try:
            width = float(text)
        except ValueError:
            width = math.nan
    if width is not None and not 1 <= width <= 40:
        raise UserError(f"--width {text!r}: give column ({COLUMN_INCHES} in), page ({PAGE_INCHES} in) or a width "
                        "in inches between 1 and 40, e.g. --width 5.5 for a one-column article.")
    return width


@contextlib.contextmanager
def styled(style: Style) -> Iterator[None]:
    """Draw and save under the style's settings, leaving matplotlib's global settings as they were."""
    import matplotlib

    with matplotlib.rc_context(style.rc()):
        yield


def arm_order(label_lists: Iterable[Iterable[str]]) -> list[str]:
    """Every arm label that appears, the baseline first: an arm's colour is its place here."""
    labels = {label for labels in label_lists for label in labels}
    return sorted(labels, key=lambda a: (a != "baseline", a))


def colour(label: str, order: list[str]) -> str:
    """The baseline grey; the i-Mix arms in the palette's order."""
    if label == "baseline":
        return BASELINE_COLOUR
    treated = [name for name in order if name != "baseline"]
    return IMIX_COLOURS[treated.index(label) % len(IMIX_COLOURS)] if label in treated else IMIX_COLOURS[0]
