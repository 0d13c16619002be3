"""Input checks shared by the tests: one place for the messages."""

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import InvalidParameterError, NoDataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
WeightedSample = tuple[FloatArray, IntArray]  # sorted distinct values, their counts


def finite_sample(owner: str, role: str, values: npt.ArrayLike) -> FloatArray:
    """Return ``values`` as a 1-D float64 array, refusing empty, NaN and infinite input."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must hold numbers: {error}."
        ) from None
    if array.ndim != 1:
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must be one-dimensional. Got shape {array.shape}."
        )
    if array.size == 0:
        raise NoDataError(f"The {role!r} sample of {owner} is empty.")
    if not np.isfinite(array).all():
        bad = int(np.flatnonzero(~np.isfinite(array))[0])
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must hold finite numbers; "
            f"position {bad} is {array[bad]!r}. Drop missing and infinite values first."
        )
    return array


def count_vector(owner: str, role: str, counts: npt.ArrayLike) -> IntArray:
    """Return ``counts`` as a 1-D int64 array of non-negative counts with a positive total."""
    array = np.asarray(counts)
    if array.ndim != 1:
        raise InvalidParameterError(
            f"The {role!r} counts of {owner} must be a 1-D array. Got shape {array.shape}."
        )
    if array.size == 0:
        raise NoDataError(f"The {role!r} counts of {owner} are empty.")
    if (
        not np.issubdtype(array.dtype, np.number)
        or not np.isfinite(array).all()
        or (array < 0).any()
        or (array != np.round(array)).any()
    ):
        raise InvalidParameterError(
            f"The {role!r} counts of {owner} must be non-negative whole numbers (counts, "
            f"not shares). Got {array!r}."
        )
    if array.sum() <= 0:
        raise NoDataError(f"The {role!r} counts of {owner} add up to zero.")
    return array.astype(np.int64)


def aligned_counts(
    owner: str, reference: npt.ArrayLike, current: npt.ArrayLike
) -> tuple[IntArray, IntArray]:
    """Check two count vectors over the same categories, in the same order."""
    ref = count_vector(owner, "reference", reference)
    cur = count_vector(owner, "current", current)
    if ref.shape != cur.shape:
        raise InvalidParameterError(
            f"The reference and current counts of {owner} must cover the same categories; "
            f"got {ref.size} and {cur.size} entries."
        )
    return ref, cur


def sorted_samples(
    owner: str, reference: npt.ArrayLike, current: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Both samples checked by :func:`finite_sample`, then sorted (copies: inputs untouched)."""
    return (
        np.sort(finite_sample(owner, "reference", reference)),
        np.sort(finite_sample(owner, "current", current)),
    )


def weighted_cdfs(
    reference_values: FloatArray,
    reference_weights: IntArray,
    current_values: FloatArray,
    current_weights: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Both empirical CDFs of two weighted samples (sorted distinct values) on their union.

    Returns the union grid and each CDF evaluated at it (right-continuous).

    >>> grid, ref, cur = weighted_cdfs(np.array([0.0, 1.0]), np.array([1, 3]),
    ...                                np.array([1.0]), np.array([2]))
    >>> grid.tolist(), ref.tolist(), cur.tolist()
    ([0.0, 1.0], [0.25, 1.0], [0.0, 1.0])
    """
    # Both inputs are sorted: a stable sort of the two runs is one merge (timsort), cheaper
    # than searching the union in each.
    values = np.concatenate((reference_values, current_values))
    order = np.argsort(values, kind="stable")
    merged = values[order]
    no_weight = np.zeros(1, dtype=np.int64)
    reference_steps = np.concatenate(
        (reference_weights, np.broadcast_to(no_weight, current_values.shape))
    )[order]
    current_steps = np.concatenate(
        (np.broadcast_to(no_weight, reference_values.shape), current_weights)
    )[order]
    last = np.flatnonzero(np.append(merged[1:] != merged[:-1], True))  # of each distinct value
    reference_cumulative = np.cumsum(reference_steps)[last]
    current_cumulative = np.cumsum(current_steps)[last]
    return (
        merged[last],
        reference_cumulative / reference_cumulative[-1],
        current_cumulative / current_cumulative[-1],
    )
