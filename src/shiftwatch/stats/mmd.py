"""Maximum mean discrepancy (MMD) with an RBF kernel, and its permutation test.

The statistic is the unbiased estimate of MMD² (Gretton et al. 2012, eq. 3) with the kernel
``k(x, y) = exp(-|x - y|² / (2 σ²))``. The bandwidth follows the median heuristic on the
pooled sample: ``σ²`` is the median of the squared Euclidean distances between distinct
pooled rows. Columns on very different scales should be standardised first (``compare``
does): one bandwidth serves every column.

The p-value comes from a permutation test that counts the observed split among the
permutations: ``(1 + #{permuted >= observed}) / (1 + n_permutations)``, never 0 (the
``k / n`` form can be, alibi-detect#960). Every data-dependent choice (the bandwidth, the
standardisation ``compare`` applies) is a symmetric function of the pooled rows, so under no
shift the labels stay exchangeable and the p-value has its level exactly, at any sample size.

Vectorised: the pooled kernel matrix is computed once; each permutation is an index vector
of the rows it calls "current", turned into a 0/1 membership row, and one matrix product per
batch of permutations gives every within-current kernel sum. Each side is first subsampled
(with the seed) to at most ``max_rows`` rows, so memory stays bounded: the kernel matrix
takes ``8 (2 max_rows)²`` bytes (128 MB at the default), and its upper triangle, copied
for the median, about 80 MB more for a moment (210 MB measured at the peak).
"""

import math

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import (
    check_alpha,
    check_count,
    check_parameter,
    check_threshold,
    is_count,
)
from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.stats._checks import FloatArray, IntArray
from shiftwatch.stats.result import TestResult

DEFAULT_PERMUTATIONS = 500
DEFAULT_MAX_ROWS = 2_000
DEFAULT_THRESHOLD = 0.05
EFFECT_UNIT = "MMD (RBF kernel, median-heuristic bandwidth; 0 = same distribution)"
BATCH = 64  # permutations per matrix product
TIE_TOLERANCE = 1e-12  # permuted statistics this close to the observed one count as ties


def finite_rows(owner: str, role: str, values: npt.ArrayLike, minimum: int = 1) -> FloatArray:
    """``values`` as a 2-D float64 array of finite numbers, one row per observation.

    A 1-D sample is one column. Refuses empty, NaN and infinite input, and fewer than
    ``minimum`` rows.

    >>> finite_rows("mmd", "reference", [1.0, 2.0]).shape
    (2, 1)
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must hold numbers: {error}."
        ) from None
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must be a 2-D array (rows x columns). "
            f"Got shape {array.shape}."
        )
    if array.size == 0:
        raise NoDataError(f"The {role!r} sample of {owner} is empty.")
    if array.shape[0] < minimum:
        raise NoDataError(
            f"The {role!r} sample of {owner} needs at least {minimum} rows. Got {array.shape[0]}."
        )
    if not np.isfinite(array).all():
        row, column = (int(i[0]) for i in np.nonzero(~np.isfinite(array)))
        raise InvalidParameterError(
            f"The {role!r} sample of {owner} must hold finite numbers; position "
            f"({row}, {column}) is {array[row, column]!r}. Drop missing and infinite values first."
        )
    return array


def paired_rows(
    owner: str, reference: npt.ArrayLike, current: npt.ArrayLike, minimum: int = 1
) -> tuple[FloatArray, FloatArray]:
    """Both samples checked by :func:`finite_rows`, with the same number of columns.

    >>> [side.shape for side in paired_rows("mmd", [[0.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]])]
    [(1, 2), (2, 2)]
    """
    ref = finite_rows(owner, "reference", reference, minimum)
    cur = finite_rows(owner, "current", current, minimum)
    if ref.shape[1] != cur.shape[1]:
        raise InvalidParameterError(
            f"The reference and current samples of {owner} must have the same columns; "
            f"got {ref.shape[1]} and {cur.shape[1]}."
        )
    return ref, cur


def subsample_rows(rows: FloatArray, max_rows: int, rng: np.random.Generator) -> FloatArray:
    """At most ``max_rows`` rows, drawn without replacement (in their original order).

    >>> subsample_rows(np.arange(10.0)[:, None], 3, np.random.default_rng(0)).shape
    (3, 1)
    """
    if rows.shape[0] <= max_rows:
        return rows
    return rows[np.sort(rng.choice(rows.shape[0], size=max_rows, replace=False))]


def squared_distances(pooled: FloatArray) -> FloatArray:
    """The matrix of squared Euclidean distances between rows (exact zeros on the diagonal).

    >>> squared_distances(np.array([[0.0, 0.0], [3.0, 4.0]])).tolist()
    [[0.0, 25.0], [25.0, 0.0]]
    """
    norms = np.einsum("ij,ij->i", pooled, pooled)
    distances = pooled @ pooled.T
    distances *= -2.0
    distances += norms[:, np.newaxis]
    distances += norms[np.newaxis, :]
    np.maximum(distances, 0.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return distances


def median_heuristic(distances: FloatArray) -> float:
    """The median of the squared distances between distinct rows: the kernel's ``σ²``.

    Falls back to the mean of the positive distances when most pairs coincide, and to 1 when
    every row is the same.

    >>> median_heuristic(squared_distances(np.array([[0.0], [1.0], [3.0]])))
    4.0
    """
    upper = distances[np.triu(np.ones(distances.shape, dtype=bool), k=1)]
    median = float(np.median(upper, overwrite_input=True))
    if median > 0:
        return median
    positive = upper[upper > 0]
    return float(positive.mean()) if positive.size else 1.0


def permutation_indices(n_total: int, n_current: int, n_permutations: int, seed: int) -> IntArray:
    """The rows each permutation calls "current": one row of indices per permutation.

    :func:`mmd` draws exactly these (from its own stream of ``seed``), so a test can
    recompute its permutation statistics.

    >>> permutation_indices(5, 2, 3, seed=0).shape
    (3, 2)
    """
    rng = np.random.default_rng([seed, 1])
    order = np.tile(np.arange(n_total), (n_permutations, 1))
    return rng.permuted(order, axis=1)[:, :n_current]


def permutation_p_value(observed: float, permuted: npt.ArrayLike) -> float:
    """``(1 + #{permuted >= observed}) / (1 + len(permuted))``: the observed split counts.

    Permuted values within ``TIE_TOLERANCE`` of the observed one count as ties (rounding
    must not make the test less conservative).

    >>> permutation_p_value(0.5, [0.1, 0.7, 0.2])
    0.5
    >>> permutation_p_value(9.0, [0.1, 0.7, 0.2])  # never 0
    0.25
    """
    null = np.asarray(permuted, dtype=np.float64)
    exceed = int(np.count_nonzero(null >= observed - TIE_TOLERANCE * max(1.0, abs(observed))))
    return (1 + exceed) / (1 + null.size)


def _split_statistics(kernel: FloatArray, members: IntArray, n_current: int) -> FloatArray:
    """Unbiased MMD² for each row of ``members`` (the indices called "current")."""
    n_total = kernel.shape[0]
    n_reference = n_total - n_current
    row_sums = kernel.sum(axis=1)
    total = float(row_sums.sum())
    statistics = np.empty(members.shape[0])
    for start in range(0, members.shape[0], BATCH):
        block = members[start : start + BATCH]
        weights = np.zeros((block.shape[0], n_total))
        np.put_along_axis(weights, block, 1.0, axis=1)
        within_current = np.einsum("pn,pn->p", weights @ kernel, weights)  # w' K w
        to_current = weights @ row_sums  # w' K 1
        cross = to_current - within_current
        within_reference = total - 2.0 * to_current + within_current
        statistics[start : start + BATCH] = (
            (within_reference - n_reference) / (n_reference * (n_reference - 1))
            + (within_current - n_current) / (n_current * (n_current - 1))
            - 2.0 * cross / (n_reference * n_current)
        )
    return statistics


def mmd(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
    n_permutations: int = DEFAULT_PERMUTATIONS,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> TestResult:
    """MMD permutation test of two multivariate samples (rows are observations).

    ``statistic`` is the unbiased MMD² and ``effect`` the MMD, ``sqrt(max(MMD², 0))``, on a
    scale from 0 (same distribution) to √2 (disjoint). The default ``threshold`` of 0.05 is
    about the MMD of a 0.1-std mean shift of one standardised column. Each side keeps at
    most ``max_rows`` rows (drawn with ``seed``); ``n_reference`` and ``n_current`` count
    the rows tested. At least 2 rows a side.

    >>> rng = np.random.default_rng(0)
    >>> same = mmd(rng.normal(size=(200, 3)), rng.normal(size=(200, 3)), n_permutations=200)
    >>> same.drifted, same.p_value > 0.05
    (False, True)
    >>> moved = mmd(rng.normal(size=(200, 3)), rng.normal(0.5, 1.0, size=(200, 3)))
    >>> moved.drifted, moved.p_value, round(moved.effect, 2)
    (True, 0.001996007984031936, 0.23)
    """
    check_alpha("mmd", alpha)
    check_threshold("mmd", threshold)
    check_count("mmd", "n_permutations", n_permutations)
    check_count("mmd", "max_rows", max_rows, minimum=2)
    check_parameter("mmd", "seed", seed, lambda s: is_count(s) and s >= 0, "an int >= 0")
    ref, cur = paired_rows("mmd", reference, current, minimum=2)
    rng = np.random.default_rng([seed, 0])
    capped = max(ref.shape[0], cur.shape[0]) > max_rows
    ref, cur = subsample_rows(ref, max_rows, rng), subsample_rows(cur, max_rows, rng)
    n_ref, n_cur = ref.shape[0], cur.shape[0]
    kernel = squared_distances(np.concatenate((ref, cur)))
    bandwidth = median_heuristic(kernel)
    kernel *= -1.0 / (2.0 * bandwidth)
    np.exp(kernel, out=kernel)
    observed_split = np.arange(n_ref, n_ref + n_cur)[np.newaxis, :]
    observed = float(_split_statistics(kernel, observed_split, n_cur)[0])
    permuted = _split_statistics(
        kernel, permutation_indices(n_ref + n_cur, n_cur, n_permutations, seed), n_cur
    )
    return TestResult(
        test="mmd",
        statistic=observed,
        p_value=permutation_p_value(observed, permuted),
        effect=math.sqrt(max(observed, 0.0)),
        effect_unit=EFFECT_UNIT,
        threshold=threshold,
        alpha=alpha,
        n_reference=n_ref,
        n_current=n_cur,
        method=(
            f"permutation test, {n_permutations:,} permutations (seed {seed}); RBF kernel, "
            f"median-heuristic bandwidth σ = {math.sqrt(bandwidth):.3g} on "
            f"{ref.shape[1]} column(s)"
            + (f"; subsampled to at most {max_rows:,} rows a side" if capped else "")
        ),
    )
