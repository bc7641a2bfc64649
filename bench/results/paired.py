"""The statistics of a comparison: arm means over seeds, the paired t-test, its 95% interval,
Holm's correction and the count of cells that would pass by chance.

Seeds pair the arms: baseline seed 0 against i-Mix seed 0 share initial weights and data order,
which is what makes a paired test over seeds the right test. Which records form the arms is
``bench/results/arms.py``; this file only computes.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from scipy import stats

from bench.evaluation.probe import KNN_K
from bench.results.arms import Pairing, last_per_seed, pairings
from bench.results.labels import SAME_DATA, setting_label, variant_label

METRICS = {"probe": ("probe", "accuracy"), "knn": ("knn", "accuracy")}
# A paired t-test over fewer seeds has too few degrees of freedom to mean anything (with two seeds
# the 95% interval is the mean gain ± 12.7 standard errors); below this, no p-value is printed.
MIN_PAIRED_SEEDS = 3
SIGNIFICANCE = 0.05


def metric_value(record: dict[str, Any], metric: str) -> float:
    section, key = METRICS[metric]
    return 100.0 * record[section][key]


def knn_k_of(record: dict[str, Any]) -> int:
    """The k a record's kNN used: stored since records had it; before, 200 lowered to the training size."""
    stored = (record.get("knn") or {}).get("k")
    n_train = (record.get("data") or {}).get("n_train")
    return int(stored) if stored else min(KNN_K, int(n_train)) if n_train else KNN_K


def mean_std(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for one value, NaN for none)."""
    if not values:
        return math.nan, math.nan
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


@dataclass
class Arm:
    """One side of a comparison: accuracy (in %) by seed."""

    by_seed: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]], metric: str) -> "Arm":
        """The arm's accuracy per seed; a seed recorded twice keeps its last record."""
        return cls({seed: metric_value(r, metric) for seed, r in last_per_seed(records).items()})

    @property
    def values(self) -> list[float]:
        return list(self.by_seed.values())

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values) if self.by_seed else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds; 0 for one seed."""
        return statistics.stdev(self.values) if len(self.by_seed) > 1 else 0.0

    @property
    def n(self) -> int:
        return len(self.by_seed)


def format_cell(values: Sequence[float], pm: str = "±") -> str:
    """``mean ± sample std (n)``; one value has no spread to show, so it prints ``mean (1)``."""
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.2f} (1)"
    return f"{statistics.fmean(values):.2f} {pm} {statistics.stdev(values):.2f} ({len(values)})"


@dataclass
class Comparison:
    domain: str
    dataset: str  # the row's data set name (labels.dataset_name)
    method: str
    mix: str  # the i-Mix variant of the treated arm ("" when there is none yet)
    baseline: Arm
    imix: Arm
    data_ratio: float = 1.0  # the fraction of the training split pretrained on
    epochs: int | None = None  # pretraining epochs
    alpha: float = 1.0  # the treated arm's mixing coefficient
    show_epochs: bool = False  # the data set was run at several epoch counts: say which in the label
    p_adjusted: float | None = None  # set by apply_holm: the Holm-adjusted p-value
    knn_k: tuple[int, ...] = ()  # the k (or ks) the records' kNN evaluation used
    kind: str = SAME_DATA  # TRANSFER: backbones probed on other data than they were pretrained on

    @classmethod
    def of(cls, pairing: Pairing, metric: str) -> "Comparison":
        ks = tuple(sorted({knn_k_of(r) for r in pairing.baseline + pairing.imix}))
        return cls(pairing.domain, pairing.dataset, pairing.method, pairing.mix, Arm.of(pairing.baseline, metric),
                   Arm.of(pairing.imix, metric), pairing.data_ratio, pairing.epochs, pairing.alpha, pairing.show_epochs,
                   knn_k=ks,
                   kind=pairing.kind)

    @property
    def setting_label(self) -> str:
        return setting_label(self.data_ratio, self.epochs, self.show_epochs)

    @property
    def variant_label(self) -> str:
        return variant_label(self.mix, self.alpha, bool(self.imix.n))

    @property
    def row_label(self) -> str:
        return f"{self.domain}/{self.dataset}{self.setting_label}{self.variant_label}"

    @property
    def gain(self) -> float:
        return self.imix.mean - self.baseline.mean

    @property
    def paired_seeds(self) -> list[int]:
        return sorted(set(self.baseline.by_seed) & set(self.imix.by_seed))

    @property
    def differences(self) -> list[float]:
        """i-Mix minus baseline, seed by seed, over the seeds both arms have."""
        return [self.imix.by_seed[s] - self.baseline.by_seed[s] for s in self.paired_seeds]

    @property
    def test_note(self) -> str:
        """Why there is no p-value ("" when there is one): too few pairs, or no spread in the gains."""
        differences = self.differences
        if len(differences) < MIN_PAIRED_SEEDS:
            return f"n<{MIN_PAIRED_SEEDS}"
        if statistics.pstdev(differences) == 0:  # the t statistic is 0/0 or x/0: undefined
            return "identical gains"
        return ""

    @property
    def p_value(self) -> float:
        """Two-sided paired t-test over the seeds both arms have; NaN when test_note says why not."""
        if self.test_note:
            return math.nan
        return float(stats.ttest_rel([self.imix.by_seed[s] for s in self.paired_seeds],
                                     [self.baseline.by_seed[s] for s in self.paired_seeds]).pvalue)

    @property
    def ci(self) -> tuple[float, float]:
        """The t-based 95% confidence interval of the mean paired gain; NaNs where p_value is NaN."""
        if self.test_note:
            return math.nan, math.nan
        return mean_interval(self.differences)

    @property
    def reported_p(self) -> float:
        """The Holm-adjusted p-value after apply_holm, else the raw one."""
        return self.p_value if self.p_adjusted is None else self.p_adjusted


def mean_interval(values: Sequence[float]) -> tuple[float, float]:
    """The t-based 95% confidence interval of the mean of ``values`` (two or more)."""
    n = len(values)
    mean = statistics.fmean(values)
    half = stats.t.ppf(1 - SIGNIFICANCE / 2, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean - half, mean + half


def comparisons(records: Iterable[dict[str, Any]], metric: str = "probe", inputmix_arm: bool = False) -> list[Comparison]:
    """One comparison per pairing of arms (``arms.pairings``: same grouping and checks everywhere)."""
    return [Comparison.of(pairing, metric) for pairing in pairings(records, inputmix_arm)]


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (family-wise error): NaNs are not tested and stay NaN.

    Sorted ascending, the i-th smallest of m p-values becomes (m - i + 1) x p, made
    non-decreasing and capped at 1; a cell passes at 5% when its adjusted p is below 0.05.
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    m = len(tested)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def apply_holm(items: Sequence[Comparison]) -> None:
    """Set each comparison's p_adjusted, the family being every tested cell in ``items``."""
    for c, p in zip(items, holm([c.p_value for c in items])):
        c.p_adjusted = p


def chance_note(items: Sequence[Comparison]) -> str:
    """How many tested cells pass p < 0.05, and how many would by chance if i-Mix changed nothing."""
    p_values = [c.p_value for c in items if not math.isnan(c.p_value)]
    m = len(p_values)
    if m == 0:
        return "No cell has a p-value (each needs 3 or more paired seeds whose gains are not all identical)."
    passed = sum(p < SIGNIFICANCE for p in p_values)
    text = (f"{m} cell(s) tested: {passed} with p < 0.05, where about {SIGNIFICANCE * m:.2g} (0.05 x {m}) "
            "would pass by chance alone if i-Mix changed nothing.")
    if any(c.p_adjusted is not None for c in items):
        held = sum(c.p_adjusted < SIGNIFICANCE for c in items if c.p_adjusted is not None and not math.isnan(c.p_adjusted))
        text += f" After Holm's correction over the {m}: {held} with p_holm < 0.05."
    elif m > 1:
        text += " (`--holm` adjusts the p-values for the number of cells.)"
    return text


def tested_note(items: Iterable[Comparison], holm: bool) -> str:
    """A figure's count of tested cells (and which would pass by chance) in one short line."""
    items = list(items)
    tested = [c for c in items if not math.isnan(c.p_value)]
    if not tested:
        return "no p-values: each needs 3+ paired seeds whose gains are not all identical"
    passed = sum(c.p_value < SIGNIFICANCE for c in tested)
    text = f"{len(tested)} cells tested, {passed} at p < 0.05, ~{SIGNIFICANCE * len(tested):.2g} expected by chance"
    if holm:
        held = sum(c.p_adjusted is not None and c.p_adjusted < SIGNIFICANCE for c in tested)
        text += f"; Holm-adjusted: {held} at p < 0.05 (the marks use it)"
    return text
