"""One helper to check parameters, so every message has the same shape."""

import math
import numbers
from collections.abc import Callable
from typing import TypeVar

from shiftwatch.errors import InvalidParameterError

T = TypeVar("T")


def check_parameter(owner: str, name: str, value: T, ok: Callable[[T], bool], expected: str) -> T:
    """Return ``value`` if ``ok(value)``, else raise an error naming owner, rule and value.

    >>> check_parameter("ks", "alpha", 0.05, lambda a: 0 < a < 1, "a float in (0, 1)")
    0.05
    >>> check_parameter("ks", "alpha", 2.0, lambda a: 0 < a < 1, "a float in (0, 1)")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.InvalidParameterError: The 'alpha' parameter of ks must be a float in (0, 1). Got 2.0 instead.
    """  # noqa: E501
    try:
        accepted = ok(value)
    except (TypeError, ValueError):
        accepted = False
    if not accepted:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead."
        )
    return value


def is_real(value: object) -> bool:
    """A real number (numpy scalars included), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_count(value: object) -> bool:
    """An integer (numpy integers included), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_count(owner: str, name: str, value: int, minimum: int = 1) -> int:
    """Check a count: an int >= ``minimum``.

    >>> check_count("Monitor", "window", 0)
    Traceback (most recent call last):
    ...
    shiftwatch.errors.InvalidParameterError: The 'window' parameter of Monitor must be an int >= 1. Got 0 instead.
    """  # noqa: E501
    check_parameter(
        owner, name, value, lambda v: is_count(v) and v >= minimum, f"an int >= {minimum}"
    )
    return int(value)


def check_alpha(owner: str, alpha: float) -> float:
    """Check a significance level: a float strictly between 0 and 1."""
    return float(
        check_parameter(
            owner, "alpha", alpha, lambda a: is_real(a) and 0 < a < 1, "a float in (0, 1)"
        )
    )


def check_threshold(owner: str, threshold: float) -> float:
    """Check a materiality threshold: a finite float >= 0."""
    return float(
        check_parameter(
            owner,
            "threshold",
            threshold,
            lambda t: is_real(t) and math.isfinite(t) and t >= 0,
            "a finite float >= 0",
        )
    )
