"""Corrections for testing many columns at once: adjusted p-values.

Reject a hypothesis when its adjusted p-value is at most ``alpha``.

- ``bonferroni``: ``m * p``. Controls the family-wise error rate (FWER) under any dependence.
- ``holm``: Holm's step-down version of Bonferroni. Same guarantee, never less powerful.
- ``benjamini_hochberg``: controls the false discovery rate for independent or positively
  dependent tests; under the global null (nothing shifted) FDR equals FWER, so the dataset
  verdict "any column flagged" still has false-alarm rate at most ``alpha``.
- ``none``: the p-values unchanged (no family-wise guarantee).
"""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import InvalidParameterError
from shiftwatch.stats._checks import FloatArray

Correction = Callable[[npt.ArrayLike], FloatArray]


def _p_values(p_values: npt.ArrayLike) -> FloatArray:
    array = np.asarray(p_values, dtype=np.float64)
    if array.ndim != 1 or np.isnan(array).any() or (array < 0).any() or (array > 1).any():
        raise InvalidParameterError(
            f"p-values must be a 1-D array of numbers in [0, 1]. Got {array!r}."
        )
    return array


def bonferroni(p_values: npt.ArrayLike) -> FloatArray:
    """Bonferroni-adjusted p-values.

    >>> bonferroni([0.01, 0.02, 0.5]).tolist()
    [0.03, 0.06, 1.0]
    """
    p = _p_values(p_values)
    return np.minimum(p * p.size, 1.0)


def holm(p_values: npt.ArrayLike) -> FloatArray:
    """Holm step-down adjusted p-values.

    >>> holm([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    p = _p_values(p_values)
    order = np.argsort(p, kind="stable")
    steps = p[order] * np.arange(p.size, 0, -1)
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.maximum.accumulate(steps), 1.0)
    return adjusted


def benjamini_hochberg(p_values: npt.ArrayLike) -> FloatArray:
    """Benjamini–Hochberg adjusted p-values (q-values).

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.005]).tolist()
    [0.02, 0.04, 0.04, 0.02]
    """
    p = _p_values(p_values)
    order = np.argsort(p, kind="stable")
    steps = p[order] / (np.arange(1, p.size + 1) / p.size)  # as statsmodels: never below p
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(np.minimum.accumulate(steps[::-1])[::-1], 1.0)
    return adjusted


def no_correction(p_values: npt.ArrayLike) -> FloatArray:
    """The p-values as they are.

    >>> no_correction([0.01, 0.5]).tolist()
    [0.01, 0.5]
    """
    return _p_values(p_values).copy()


CORRECTIONS: dict[str, Correction] = {
    "holm": holm,
    "bonferroni": bonferroni,
    "benjamini_hochberg": benjamini_hochberg,
    "none": no_correction,
}
