"""Two-sample tests and distances: pure functions of numbers, returning :class:`TestResult`.

Numeric samples (1-D arrays of finite floats): :func:`ks`, :func:`cvm`, :func:`wasserstein`,
and :func:`brown_forsythe` (a change of spread).
Aligned category counts: :func:`chi2`, :func:`g_test`, :func:`psi`, :func:`jensen_shannon`,
:func:`hellinger`, :func:`total_variation`, and :func:`new_levels` (rows in levels the
reference never saw); :func:`binned_counts` turns numeric samples into
counts on reference-quantile bins. A proportion: :func:`proportion`. The share outside the
reference range: :func:`outside_range`. A mean from moments (a profile's string lengths):
:func:`~shiftwatch.stats.welch.welch_from_moments`. Corrections across many tests:
:data:`CORRECTIONS`. Nothing here knows about data frames.

Multivariate samples (2-D arrays, one row per observation), by the names ``compare``'s
``multivariate=`` takes, in :data:`MULTIVARIATE_TESTS`: "mmd" (:func:`~shiftwatch.stats.mmd.mmd`,
kernel MMD with a permutation test), "classifier"
(:func:`~shiftwatch.stats.domain_classifier.domain_classifier`, needs scikit-learn) and
"projection" (:func:`~shiftwatch.stats.projection.projection_ks`, PCA or random projection
then KS with Bonferroni).
"""

from collections.abc import Callable

from shiftwatch.stats.binning import binned_counts, quantile_edges
from shiftwatch.stats.chi_squared import chi2, g_test, pool_sparse
from shiftwatch.stats.corrections import (
    CORRECTIONS,
    benjamini_hochberg,
    bonferroni,
    holm,
    no_correction,
)
from shiftwatch.stats.cramer_von_mises import cvm, cvm_sorted
from shiftwatch.stats.domain_classifier import domain_classifier
from shiftwatch.stats.hellinger_distance import hellinger
from shiftwatch.stats.jensen_shannon_distance import jensen_shannon
from shiftwatch.stats.kolmogorov_smirnov import ks, ks_sorted, ks_statistic_sorted
from shiftwatch.stats.mmd import mmd
from shiftwatch.stats.new_levels import new_levels
from shiftwatch.stats.outside_range import outside_range
from shiftwatch.stats.population_stability import psi
from shiftwatch.stats.projection import projection_ks
from shiftwatch.stats.proportion_test import proportion
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.scale import brown_forsythe, brown_forsythe_sorted
from shiftwatch.stats.total_variation_distance import total_variation
from shiftwatch.stats.wasserstein_distance import wasserstein, wasserstein_sorted

MULTIVARIATE_TESTS: dict[str, Callable[..., TestResult]] = {
    "mmd": mmd,
    "classifier": domain_classifier,
    "projection": projection_ks,
}

__all__ = [
    "CORRECTIONS",
    "MULTIVARIATE_TESTS",
    "TestResult",
    "benjamini_hochberg",
    "binned_counts",
    "bonferroni",
    "brown_forsythe",
    "brown_forsythe_sorted",
    "chi2",
    "cvm",
    "cvm_sorted",
    "g_test",
    "hellinger",
    "holm",
    "jensen_shannon",
    "ks",
    "ks_sorted",
    "ks_statistic_sorted",
    "new_levels",
    "no_correction",
    "outside_range",
    "pool_sparse",
    "proportion",
    "psi",
    "quantile_edges",
    "total_variation",
    "wasserstein",
    "wasserstein_sorted",
]
