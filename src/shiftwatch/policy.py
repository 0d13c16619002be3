"""Which test each column gets: the one table of defaults, and the tests a column can take.

| column kind | default test | p-value                                             | effect (units)                                  | materiality threshold |
|-------------|--------------|-----------------------------------------------------|-------------------------------------------------|-----------------------|
| numeric     | ``ks``       | exact if both sets have <= 10,000 values, else asymptotic | Wasserstein-1 / reference std ("reference std") | 0.1                   |
| categorical | ``chi2``     | chi-squared, levels with expected count < 5 pooled  | total variation distance ("share of rows")      | 0.05                  |
| boolean     | ``chi2``     | as categorical                                      | as categorical                                  | 0.05                  |
| datetime    | ``ks``       | as numeric, on the timestamps (UTC microseconds)    | as numeric                                      | 0.1                   |
| text        | ``length`` (``welch``) | Welch t-test of the mean string length, from moments | difference of mean lengths in reference std | 0.1 |
| datetime    | ``outside_range`` | exact permutation bound (:mod:`~shiftwatch.stats.outside_range`) | share of current values outside the reference's range | 0.01 |
| every kind  | ``missing``  | chi-squared 2 x 2, Fisher's exact if an expected count < 5 | absolute difference in missing share      | 0.01                  |
| numeric (raw values) | ``scale`` | Brown–Forsythe F-test (:mod:`~shiftwatch.stats.scale`) | absolute log ratio of mean absolute deviations from the median ("log scale ratio") | 0.1 |
| categorical, boolean | ``new_levels`` | exact permutation bound (:mod:`~shiftwatch.stats.new_levels`) | share of current rows in levels the reference never saw | 0.01 |
| every kind  | ``invalid``  | as ``missing``                                      | absolute difference in invalid share            | 0.01                  |

The scale check runs on every numeric column compared from raw values (KS is a poor test of a
change of spread), in the same correction as every other check. The missing-rate check runs
when either set has a missing value (null, NaN, or an infinity in
a numeric column); the new-level check when the current data has a level the reference
never saw (chi-squared may pool a sparse new level with others; this check never does); the
invalid-value check when either set has a value that cannot be read
as the column's kind (see :mod:`shiftwatch.reconcile`), which is left out of the others.
Datetime columns are tested as timestamps, plus the share of current values outside the
reference's range; text columns on the mean length of their strings (from moments, which a
profile keeps too). Empty and unsupported columns get the missing-rate check only. Every default can be overridden per column: ``tests={"age": "cvm"}``,
``thresholds={"age": 0.2}``; ``TESTS`` lists the names. Tests without a p-value (the
distances) decide by their threshold alone and stand outside the false-alarm guarantee; the
report says so.
"""  # noqa: E501

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch.columns import ColumnKind
from shiftwatch.errors import IncompatibleError, InvalidParameterError
from shiftwatch.sketch import Histogram
from shiftwatch.stats import (
    binned_counts,
    chi2,
    cvm_sorted,
    g_test,
    hellinger,
    jensen_shannon,
    ks_sorted,
    psi,
    total_variation,
    wasserstein,
)
from shiftwatch.stats._checks import FloatArray, IntArray, WeightedSample
from shiftwatch.stats.binning import weighted_quantile_edges
from shiftwatch.stats.hellinger_distance import DEFAULT_THRESHOLD as HELLINGER_THRESHOLD
from shiftwatch.stats.jensen_shannon_distance import DEFAULT_THRESHOLD as JENSEN_SHANNON_THRESHOLD
from shiftwatch.stats.kolmogorov_smirnov import ks_weighted
from shiftwatch.stats.population_stability import DEFAULT_THRESHOLD as PSI_THRESHOLD
from shiftwatch.stats.proportion_test import DEFAULT_THRESHOLD as PROPORTION_THRESHOLD
from shiftwatch.stats.result import TestResult, distance_result
from shiftwatch.stats.total_variation_distance import DEFAULT_THRESHOLD as CATEGORICAL_THRESHOLD
from shiftwatch.stats.wasserstein_distance import DEFAULT_THRESHOLD as NUMERIC_THRESHOLD
from shiftwatch.stats.wasserstein_distance import EFFECT_UNIT as WASSERSTEIN_UNIT
from shiftwatch.stats.wasserstein_distance import wasserstein_weighted


@dataclass(frozen=True)
class NumericPair:
    """Sorted finite values of one numeric column in both sets."""

    reference: FloatArray
    current: FloatArray

    def sizes(self) -> tuple[int, int]:
        """How many values each side holds."""
        return self.reference.size, self.current.size

    def counts(self) -> tuple[IntArray, IntArray]:
        """Counts on bins cut at the reference deciles."""
        return binned_counts(self.reference, self.current)


@dataclass(frozen=True)
class SketchPair:
    """Summaries of one numeric column: weighted values whose ranks are uncertain.

    ``rank_error`` bounds the error of both sides' ranks together (see
    :func:`shiftwatch.stats.kolmogorov_smirnov.ks_weighted`).
    """

    reference: WeightedSample
    current: WeightedSample
    rank_error: float
    reference_std: float
    current_std: float

    def sizes(self) -> tuple[int, int]:
        """How many values each side summarises."""
        return int(self.reference[1].sum()), int(self.current[1].sum())

    def counts(self) -> tuple[IntArray, IntArray]:
        """Counts on bins cut at the reference deciles (approximate beyond exact sketches)."""
        edges = weighted_quantile_edges(*self.reference)
        counts = []
        for values, weights in (self.reference, self.current):
            histogram = Histogram(edges)
            histogram.update(values, weights)
            counts.append(histogram.counts)
        return counts[0], counts[1]

    def effect(self) -> float:
        """Wasserstein-1 distance in reference standard deviations (else current ones)."""
        distance = wasserstein_weighted(self.reference, self.current)
        scale = self.reference_std if self.reference_std > 0 else self.current_std
        if scale > 0:
            return distance / scale
        return 0.0 if distance == 0 else math.inf


@dataclass(frozen=True)
class CategoricalPair:
    """Counts of one categorical column in both sets, aligned over the union of categories.

    ``grouped`` pairs hold counts of hashed groups of categories (from profiles with too many
    categories to count each), not of categories themselves.
    """

    categories: tuple[Any, ...]
    reference: IntArray
    current: IntArray
    grouped: bool = False

    def sizes(self) -> tuple[int, int]:
        """How many values each side holds."""
        return int(self.reference.sum()), int(self.current.sum())

    def counts(self) -> tuple[IntArray, IntArray]:
        """The aligned counts."""
        return self.reference, self.current

    @cached_property
    def _unseen(self) -> npt.NDArray[np.bool_]:
        """Categories seen in the current set and never in the reference."""
        unseen: npt.NDArray[np.bool_] = (
            (self.reference == 0) & (self.current > 0) & (not self.grouped)
        )
        return unseen

    @property
    def new_categories(self) -> tuple[Any, ...]:
        """Categories seen in the current set and never in the reference."""
        return tuple(c for c, new in zip(self.categories, self._unseen, strict=True) if new)

    @property
    def new_category_share(self) -> float:
        """Share of current rows that fall in categories the reference never saw."""
        return float(self.current[self._unseen].sum() / max(self.current.sum(), 1))


Pair = NumericPair | SketchPair | CategoricalPair
Runner = Callable[[Any, float, float], TestResult]


@dataclass(frozen=True)
class ColumnTest:
    """A test as ``compare`` runs it on a column pair."""

    name: str
    kinds: frozenset[ColumnKind]
    default_threshold: float
    run: Runner
    on_sketches: Runner | None = None

    def apply(self, column: str, pair: Pair, alpha: float, threshold: float) -> TestResult:
        """Run the test on ``pair``; on sketches only if it can account for their error."""
        if not isinstance(pair, SketchPair):
            return self.run(pair, alpha, threshold)
        if self.on_sketches is None:
            usable = sorted(t.name for t in _ALL_TESTS if t.on_sketches and t.kinds & self.kinds)
            raise IncompatibleError(
                f"Test {self.name!r} needs every value of column {column!r}, which comes from "
                f"a quantile sketch here; tests that work on sketches: {usable}."
            )
        return self.on_sketches(pair, alpha, threshold)


_NUMERIC = frozenset({ColumnKind.NUMERIC, ColumnKind.DATETIME})
_ANY = frozenset({ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})


def _on_counts(function: Callable[..., TestResult], with_alpha: bool) -> Runner:
    def run(pair: Pair, alpha: float, threshold: float) -> TestResult:
        reference, current = pair.counts()
        if with_alpha:
            return function(reference, current, alpha=alpha, threshold=threshold)
        return function(reference, current, threshold=threshold)

    return run


def _ks_on_sketches(pair: SketchPair, alpha: float, threshold: float) -> TestResult:
    return ks_weighted(
        pair.reference,
        pair.current,
        rank_error=pair.rank_error,
        effect=pair.effect(),
        alpha=alpha,
        threshold=threshold,
    )


def _wasserstein_on_sketches(pair: SketchPair, alpha: float, threshold: float) -> TestResult:
    n_reference, n_current = pair.sizes()
    return distance_result(
        "wasserstein",
        wasserstein_weighted(pair.reference, pair.current),
        WASSERSTEIN_UNIT,
        threshold,
        n_reference,
        n_current,
        effect=pair.effect(),
    )


def _distance_on_counts(
    name: str, threshold: float, function: Callable[..., TestResult]
) -> ColumnTest:
    """A distance on counts: it has no p-value, so it runs on sketches' counts as well."""
    run = _on_counts(function, with_alpha=False)
    return ColumnTest(name, _ANY, threshold, run, on_sketches=run)


_ALL_TESTS = (
    ColumnTest(
        "ks",
        _NUMERIC,
        NUMERIC_THRESHOLD,
        lambda p, a, t: ks_sorted(p.reference, p.current, alpha=a, threshold=t),
        _ks_on_sketches,
    ),
    ColumnTest(
        "cvm",
        _NUMERIC,
        NUMERIC_THRESHOLD,
        lambda p, a, t: cvm_sorted(p.reference, p.current, alpha=a, threshold=t),
    ),
    ColumnTest(
        "wasserstein",
        _NUMERIC,
        NUMERIC_THRESHOLD,
        lambda p, a, t: wasserstein(p.reference, p.current, threshold=t),
        _wasserstein_on_sketches,
    ),
    ColumnTest("chi2", _ANY, CATEGORICAL_THRESHOLD, _on_counts(chi2, True)),
    ColumnTest("g_test", _ANY, CATEGORICAL_THRESHOLD, _on_counts(g_test, True)),
    _distance_on_counts("psi", PSI_THRESHOLD, psi),
    _distance_on_counts("jensen_shannon", JENSEN_SHANNON_THRESHOLD, jensen_shannon),
    _distance_on_counts("hellinger", HELLINGER_THRESHOLD, hellinger),
    _distance_on_counts("total_variation", CATEGORICAL_THRESHOLD, total_variation),
)
TESTS: dict[str, ColumnTest] = {test.name: test for test in _ALL_TESTS}

DEFAULT_TESTS: dict[ColumnKind, str] = {
    ColumnKind.NUMERIC: "ks",
    ColumnKind.CATEGORICAL: "chi2",
    ColumnKind.BOOLEAN: "chi2",
    ColumnKind.DATETIME: "ks",
}
MISSING_THRESHOLD = PROPORTION_THRESHOLD


def choose_test(column: str, kind: ColumnKind, override: str | None) -> ColumnTest:
    """The test for a column: the override if given and applicable, else the kind's default.

    >>> choose_test("age", ColumnKind.NUMERIC, None).name
    'ks'
    >>> choose_test("city", ColumnKind.CATEGORICAL, "ks")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.InvalidParameterError: Test 'ks' applies to datetime, numeric columns; column 'city' is categorical.
    """  # noqa: E501
    name = DEFAULT_TESTS[kind] if override is None else override
    if name not in TESTS:
        raise InvalidParameterError(
            f"Unknown test {name!r} for column {column!r}: expected one of {sorted(TESTS)}."
        )
    test = TESTS[name]
    if kind not in test.kinds:
        allowed = ", ".join(sorted(k.value for k in test.kinds))
        raise InvalidParameterError(
            f"Test {name!r} applies to {allowed} columns; column {column!r} is {kind.value}."
        )
    return test


def align_counts(reference: dict[Any, int], current: dict[Any, int]) -> CategoricalPair:
    """Align two category tallies over the union of their categories (reference order first).

    >>> pair = align_counts({"a": 3, "b": 1}, {"b": 2, "c": 5})
    >>> pair.categories, pair.reference.tolist(), pair.current.tolist(), pair.new_categories
    (('a', 'b', 'c'), [3, 1, 0], [0, 2, 5], ('c',))
    """
    categories = tuple(reference) + tuple(c for c in current if c not in reference)
    return CategoricalPair(
        categories,
        np.array([reference.get(c, 0) for c in categories], dtype=np.int64),
        np.array([current.get(c, 0) for c in categories], dtype=np.int64),
    )
