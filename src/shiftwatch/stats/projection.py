"""Dimension reduction, then a KS test per component with Bonferroni: "Failing Loudly".

Rabanser, Günnemann and Lipton (NeurIPS 2019) found that reducing the data to a few
components and testing each with a univariate KS test, Bonferroni-corrected, is a strong and
cheap multivariate shift detector. Two reductions:

- ``"pca"``: the top ``dims`` principal components. They are fitted on the **pooled** rows
  (both samples, centred by the pooled mean), not on the reference alone. Fitting on the
  reference and then testing those same reference rows is not a valid test: in-sample, the
  top components carry more reference variance than they carry in new data (at 100 rows and
  20 columns the first one about twice as much), so the KS test fires on unshifted data. The
  paper avoids this by fitting on separate training data; pooling keeps every row for the
  test instead, and directions that are a symmetric function of the pooled rows leave the
  labels exchangeable under no shift, so each KS p-value keeps its level. A mean shift also
  adds pooled variance along its direction, which PCA then finds.
- ``"random"``: a Gaussian random projection (entries ``N(0, 1/dims)``, drawn with ``seed``).
- ``"split"``: all principal components (up to ``dims``) of a random half of the reference
  rows (drawn with ``seed``), then the other half is tested against the current rows. The
  directions depend on rows the test never sees, so each KS p-value keeps its level, and,
  unlike pooled PCA, the split sees a correlation that flips sign: with +0.8 in the reference
  and -0.8 in the current rows the pooled covariance is nearly spherical (no direction
  stands out), while the reference's own first component ``(x + y) / sqrt 2`` carries
  variance 1.8 there and 0.2 in the current rows. It halves the reference, so pooled PCA is
  stronger against mean shifts; ``compare``'s default multivariate check uses the split.

The p-value is ``min(1, dims * min p)`` over the components tested (Bonferroni, valid under
any dependence between them); ``statistic`` and ``effect`` are those of the component with
the smallest p-value (its KS distance and normalised Wasserstein distance). Principal
components with no variance are left out. Columns on very different scales should be
standardised first (``compare`` does).
"""

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import (
    check_alpha,
    check_parameter,
    check_threshold,
    is_count,
)
from shiftwatch.stats._checks import FloatArray
from shiftwatch.stats.kolmogorov_smirnov import ks
from shiftwatch.stats.mmd import paired_rows
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.wasserstein_distance import DEFAULT_THRESHOLD, EFFECT_UNIT

MAX_DIMS = 32
PROJECTIONS = ("pca", "random", "split")
MIN_SPLIT_ROWS = 20  # reference rows in each half, at least, to split
RELATIVE_RANK_TOLERANCE = 1e-10  # components with less variance than this share are dropped


def principal_directions(pooled: FloatArray, dims: int) -> FloatArray:
    """The top ``dims`` principal directions of ``pooled`` (columns), largest variance first.

    Directions along which the rows do not vary are dropped, so fewer may come back.

    >>> rows = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])  # on one line
    >>> directions = principal_directions(rows, 2)
    >>> directions.shape, np.abs(directions).round(3).ravel().tolist()
    ((2, 1), [0.707, 0.707])
    """
    centred = pooled - pooled.mean(axis=0)
    variances, vectors = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(variances)[::-1][:dims]
    keep = variances[order] > RELATIVE_RANK_TOLERANCE * max(float(variances.max()), 0.0)
    return vectors[:, order[keep]] if keep.any() else vectors[:, order[:1]]


def projection_ks(
    reference: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    dims: int | None = None,
    projection: str = "pca",
    alpha: float = 0.05,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
) -> TestResult:
    """Project both samples to ``dims`` components, KS-test each, Bonferroni across them.

    ``dims`` defaults to ``min(32, columns)``; ``projection`` is "pca" (fitted on the pooled
    rows), "split" (fitted on a random half of the reference, tested on the other half) or
    "random" (Gaussian, drawn with ``seed``). The effect is in the reference std of
    the most significant component.

    >>> rng = np.random.default_rng(0)
    >>> reference = rng.normal(size=(300, 10))
    >>> current = rng.normal(size=(300, 10)) + np.r_[0.6, 0.6, np.zeros(8)]
    >>> result = projection_ks(reference, current)
    >>> result.drifted, result.p_value < 1e-6, result.method.split(";")[0]
    (True, True, 'PCA on the pooled rows, 10 components')
    >>> projection_ks(reference, rng.normal(size=(300, 10)), projection="random").drifted
    False
    >>> x = rng.normal(size=(2, 1000))
    >>> flip = lambda r: np.column_stack((x[0], r * x[0] + np.sqrt(1 - r * r) * x[1]))
    >>> projection_ks(flip(0.8), flip(-0.8), projection="split").p_value < 1e-20
    True
    """
    check_alpha("projection_ks", alpha)
    check_threshold("projection_ks", threshold)
    check_parameter(
        "projection_ks",
        "projection",
        projection,
        lambda p: p in PROJECTIONS,
        "'pca', 'random' or 'split'",
    )
    check_parameter("projection_ks", "seed", seed, lambda s: is_count(s) and s >= 0, "an int >= 0")
    if dims is not None:
        check_parameter(
            "projection_ks", "dims", dims, lambda k: is_count(k) and k >= 1, "an int >= 1 or None"
        )
    ref, cur = paired_rows("projection_ks", reference, current)
    wanted = min(MAX_DIMS, ref.shape[1]) if dims is None else int(dims)
    if projection == "pca":
        directions = principal_directions(np.concatenate((ref, cur)), wanted)
        described = "PCA on the pooled rows"
    elif projection == "split" and ref.shape[0] >= 2 * MIN_SPLIT_ROWS:
        order = np.random.default_rng(seed).permutation(ref.shape[0])
        half = ref.shape[0] // 2
        directions = principal_directions(ref[order[:half]], wanted)
        ref = ref[order[half:]]
        described = f"PCA on a random half of the reference rows ({half:,}; seed {seed})"
    elif projection == "split":  # too few rows to split: pooled PCA
        directions = principal_directions(np.concatenate((ref, cur)), wanted)
        described = "PCA on the pooled rows (too few reference rows to split)"
    else:
        rng = np.random.default_rng(seed)
        directions = rng.normal(scale=1 / np.sqrt(wanted), size=(ref.shape[1], wanted))
        described = f"Gaussian random projection (seed {seed})"
    ref_projected, cur_projected = ref @ directions, cur @ directions
    results = [
        ks(ref_projected[:, j], cur_projected[:, j], alpha=alpha, threshold=threshold)
        for j in range(directions.shape[1])
    ]
    count = len(results)
    p_values = np.array([r.p_value for r in results], dtype=np.float64)
    best = int(np.argmin(p_values))
    methods = sorted({r.method for r in results})
    return TestResult(
        test="projection_ks",
        statistic=results[best].statistic,
        p_value=min(1.0, count * float(p_values[best])),
        effect=results[best].effect,
        effect_unit=f"{EFFECT_UNIT}, along the most significant component",
        threshold=threshold,
        alpha=alpha,
        n_reference=ref.shape[0],
        n_current=cur.shape[0],
        method=(
            f"{described}, {count} component{'s' if count > 1 else ''}; KS per component "
            f"({', '.join(methods)}), Bonferroni across {count}; smallest p on component "
            f"{best + 1}"
        ),
    )
