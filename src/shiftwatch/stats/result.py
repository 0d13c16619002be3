"""The frozen result every two-sample test and distance returns."""

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy.typing as npt

from shiftwatch._validation import check_threshold
from shiftwatch.stats._checks import IntArray, aligned_counts


@dataclass(frozen=True)
class TestResult:
    """Outcome of one two-sample test or distance.

    ``p_value`` is ``None`` for a distance (no hypothesis test); such a result is decided by
    its effect alone. ``effect`` is in the units ``effect_unit`` names and is compared with
    ``threshold`` to decide whether a shift is large enough to matter.

    >>> result = TestResult(test="ks", statistic=0.3, p_value=0.001, effect=0.4,
    ...                     effect_unit="reference std", threshold=0.1, alpha=0.05,
    ...                     n_reference=100, n_current=100, method="exact")
    >>> result.significant, result.material, result.drifted
    (True, True, True)
    """

    __test__ = False  # a result class, not a pytest test class

    test: str
    statistic: float
    p_value: float | None
    effect: float
    effect_unit: str
    threshold: float
    alpha: float
    n_reference: int
    n_current: int
    method: str = ""

    @property
    def significant(self) -> bool:
        """Whether the p-value is at most ``alpha`` (always True for a distance)."""
        return self.p_value is None or bool(self.p_value <= self.alpha)

    @property
    def material(self) -> bool:
        """Whether the effect reaches the materiality threshold."""
        return not math.isnan(self.effect) and bool(self.effect >= self.threshold)

    @property
    def drifted(self) -> bool:
        """Significant and material: the verdict of this one test, uncorrected."""
        return self.significant and self.material

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, with the derived verdicts included."""
        return asdict(self) | {
            "significant": self.significant,
            "material": self.material,
            "drifted": self.drifted,
        }


def distance_result(
    test: str,
    distance: float,
    effect_unit: str,
    threshold: float,
    n_reference: int,
    n_current: int,
    *,
    effect: float | None = None,
) -> TestResult:
    """A :class:`TestResult` for a distance: no p-value, decided by ``effect >= threshold``.

    ``effect`` defaults to the distance itself.

    >>> distance_result("psi", 0.3, "PSI", 0.1, 100, 100).drifted
    True
    """
    return TestResult(
        test=test,
        statistic=distance,
        p_value=None,
        effect=distance if effect is None else effect,
        effect_unit=effect_unit,
        threshold=threshold,
        alpha=1.0,
        n_reference=n_reference,
        n_current=n_current,
        method="distance",
    )


def distance_on_counts(
    test: str,
    distance_of: Callable[[IntArray, IntArray], float],
    effect_unit: str,
    reference_counts: npt.ArrayLike,
    current_counts: npt.ArrayLike,
    threshold: float,
) -> TestResult:
    """Check two aligned count vectors and the threshold, and measure their distance.

    >>> distance_on_counts("max_gap", lambda r, c: 0.25, "share", [1, 3], [3, 1], 0.1).drifted
    True
    """
    check_threshold(test, threshold)
    ref, cur = aligned_counts(test, reference_counts, current_counts)
    return distance_result(
        test, distance_of(ref, cur), effect_unit, threshold, int(ref.sum()), int(cur.sum())
    )
