"""What each figure shows, as a caption kept outside the figure.

A paper's caption replaces a figure's title, so the figures carry none by default; these texts
say what the marks mean and go to ``captions.md`` beside the figures (one section per figure
file stem, merged with the sections of figures drawn earlier into the same folder), to the HTML
report under each image, and, with ``--title``, their first sentence over the figure.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.results.paired import tested_note
from bench.results.plot_data import (
    METRIC_LABELS,
    BarPanel,
    CurvePanel,
    GainPanel,
    RatioPanel,
)

HEADER = ("# Figure captions\n\nWritten by `bench plot` beside the figures: what each one shows and what its marks "
          "mean, to adapt into a caption.\n")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _seeds(n: int | None, what: str) -> str:
    return f" ({n} {what})" if n else ""


def bars_caption(metric: str, panels: list[BarPanel], holm: bool, n: int | None) -> str:
    items = [c for p in panels for c in p.items]
    holm_text = ", Holm-adjusted over the figure" if holm else ""
    return (f"Baseline vs i-Mix, {METRIC_LABELS[metric]}. Bars: the mean over seeds, from zero; error bars: ± one "
            f"standard deviation; dots: the seeds{_seeds(n, 'per bar')}. Above each pair: the i-Mix gain in points, "
            f"* where p < 0.05 (two-sided paired t-test over seeds, 3+ seeds{holm_text}). "
            f"{_sentence(tested_note(items, holm))}.")


def strategies_caption(metric: str, items: list, holm: bool, n: int | None) -> str:
    holm_text = ", Holm-adjusted over the figure" if holm else ""
    return (f"Each strategy's gain over the same baseline, {METRIC_LABELS[metric]}. Rows: data set and method; "
            f"columns: the arms, as `bench table --by strategy` lays them out. Colour and number: the arm's mean minus "
            f"the baseline's, in points{_seeds(n, 'paired seeds per cell')}; * where p < 0.05 (two-sided paired "
            f"t-test over seeds, 3+ seeds{holm_text}); grey: not run. {_sentence(tested_note(items, holm))}.")


def curves_caption(panels: list[CurvePanel], test_monitors: int) -> str:
    monitored = any(p.has_monitor for p in panels)
    text = (f"Pretraining loss{' and validation kNN accuracy' if monitored else ''} per epoch. Loss: the mean over "
            "seeds with a ± one standard deviation band, from zero")
    if monitored:
        text += ("; below each, the kNN accuracy every --eval-every epochs of a held-out tenth of the training rows "
                 "against the rest (never the test split), from chance (1 / classes): line, the mean; dots, the seeds")
    text += (". i-Mix's loss is on mixed virtual labels, so it runs higher than the baseline's by design; compare "
             "the shapes, not the levels.")
    if test_monitors:
        text += (f" The monitor of {test_monitors} record(s) scored the test split (made before the validation "
                 "monitor) and is not drawn.")
    return text


def ratios_caption(metric: str, panels: list[RatioPanel]) -> str:
    return (f"Data efficiency, {METRIC_LABELS[metric]}. Accuracy against the share of the training data used for "
            "pretraining (log scale); the evaluation fits on the whole training split. Line: the mean over seeds "
            "with ± one standard deviation; dots: the seeds; the axis starts at chance (1 / classes) where the "
            "classes are known.")


def gains_caption(axis: str, metric: str, panels: list[GainPanel], holm: bool, n: int | None) -> str:
    against = "pretraining epochs" if axis == "epochs" else "the training data used for pretraining"
    items = [c for p in panels for c in p.items]
    holm_text = ", Holm-adjusted over the figure" if holm else ""
    other = "data ratio" if axis == "epochs" else "epoch count"
    return (f"i-Mix gain against {against}, {METRIC_LABELS[metric]}. Line: the mean paired gain (i-Mix minus "
            f"baseline, seed by seed{_seeds(n, 'pairs per point')}); band: its 95% t-interval; dots: each seed's "
            f"gain; filled marker: p < 0.05 (two-sided paired t-test{holm_text}); a dashed line of the same colour: "
            f"the same method at a smaller {other}. {_sentence(tested_note(items, holm))}.")


def headline(caption: str) -> str:
    """The caption's first sentence, without its full stop: the title --title draws."""
    return re.split(r"(?<=[^.])\. ", caption, maxsplit=1)[0].rstrip(".")


def read_captions(path: Path) -> dict[str, str]:
    """The sections of a captions file: figure file stem (``bars``, ``bars_knn``) -> caption."""
    if not path.is_file():
        return {}
    sections = re.split(r"^## (.+)$", path.read_text(encoding="utf-8"), flags=re.M)
    return {name.strip(): text.strip() for name, text in zip(sections[1::2], sections[2::2])}


def write_captions(folder: Path, captions: dict[str, str]) -> Path:
    """Merge ``captions`` into ``folder/captions.md``: a figure drawn again gets its new caption."""
    path = folder / "captions.md"
    merged = {**read_captions(path), **captions}
    body = "".join(f"\n## {name}\n\n{text}\n" for name, text in sorted(merged.items()))
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path
