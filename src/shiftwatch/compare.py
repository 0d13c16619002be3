"""Reference versus current, column by column, with one false-alarm guarantee for the whole.

For each column ``compare`` infers its kind (or takes the override), runs the test the
table in :mod:`shiftwatch.policy` chooses, and a missing-rate check when either set has a
missing value. All p-values of the report are corrected together (Holm by default), so the
dataset-level verdict has a family-wise false-alarm rate of at most ``alpha``. A check flags
its column only when it is significant after correction AND its effect reaches the
materiality threshold: at a million rows a negligible shift is reported as
significant-but-immaterial, not as drift.

By default (``multivariate="auto"``), when both sets are raw rows (not profiles) with at least
two numeric columns, the projection test (every principal component of a random half of the
reference, the other half tested against the current rows by KS per component, Bonferroni;
effect in reference standard deviations along the most significant component)
checks the numeric columns together as one more check of the family, with the same weight
as any other: it costs one PCA and a KS test per component, and it sees a correlation that
flips sign, which no column test can. ``multivariate=False`` turns it off.

``multivariate=True`` (or "mmd", "classifier", "projection") adds one dataset-level check of
all numeric columns together (see :data:`shiftwatch.stats.MULTIVARIATE_TESTS`), which sees
shifts the marginals hide, such as a correlation that flips sign. It joins the same family:
it carries half the weight of the correction and the column checks share the other half
(the weighted form of the correction: weighted Holm by default), so the false-alarm rate of
the whole verdict stays at most ``alpha``.
"""

import contextlib
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa

from shiftwatch._validation import check_alpha, check_parameter, check_threshold, is_count
from shiftwatch.column_pairs import (
    ProfiledSide,
    RawSide,
    Side,
    categorical_pair,
    numeric_pair,
)
from shiftwatch.columns import TESTED_KINDS, ColumnKind, check_kind, check_same_family
from shiftwatch.distribution_summary import categorical_summary, numeric_summary
from shiftwatch.drift_report import Check, ColumnResult, DriftReport, decision_reason
from shiftwatch.errors import (
    ColumnMismatchError,
    IncompatibleError,
    InvalidParameterError,
    NoDataError,
    SchemaError,
)
from shiftwatch.io import to_table
from shiftwatch.policy import (
    MISSING_THRESHOLD,
    CategoricalPair,
    NumericPair,
    Pair,
    SketchPair,
    choose_test,
)
from shiftwatch.profile import PROFILE_SUFFIX, Profile
from shiftwatch.reconcile import Reconciled, reconcile
from shiftwatch.stats import (
    CORRECTIONS,
    MULTIVARIATE_TESTS,
    brown_forsythe_sorted,
    new_levels,
    proportion,
)
from shiftwatch.stats._checks import FloatArray
from shiftwatch.stats.outside_range import outside_range_sorted
from shiftwatch.stats.projection import projection_ks
from shiftwatch.stats.result import TestResult
from shiftwatch.stats.welch import welch_from_moments

ProgressCallback = Callable[[int, int, str], None]


class _ColumnWork:
    """The uncorrected outcome for one column, before the correction across columns."""

    def __init__(self, name: str, kind: ColumnKind, n_reference: int, n_current: int) -> None:
        self.name = name
        self.kind = kind
        self.n_reference = n_reference
        self.n_current = n_current
        self.results: list[tuple[str, TestResult]] = []
        self.details: dict[str, Any] = {}
        self.notes: list[str] = []


SCALE_MIN_N = 2  # values on each side from which a numeric column's spread is tested

# rows (reference and current together) from which columns are tested on one thread per core
# by default: below, a column takes under a millisecond and threads would only add overhead
THREADED_MIN_ROWS = 100_000

OVERRIDABLE_KINDS = (
    ColumnKind.NUMERIC,
    ColumnKind.CATEGORICAL,
    ColumnKind.BOOLEAN,
    ColumnKind.TEXT,
    ColumnKind.DATETIME,
)


def _kind_of(name: str, reference: Side, current: Side, override: str | None) -> ColumnKind:
    check_same_family(name, reference.family, current.family)
    if override is None:
        kind = reference.inferred_kind()
        return current.inferred_kind() if kind == ColumnKind.EMPTY else kind
    if override not in [k.value for k in OVERRIDABLE_KINDS]:
        allowed = [k.value for k in OVERRIDABLE_KINDS]
        raise InvalidParameterError(
            f"Unknown kind {override!r} for column {name!r}: expected one of {allowed}."
        )
    kind = ColumnKind(override)
    for side in (reference, current):
        check_kind(name, kind, side.family)
    return kind


def _missing_check(
    work: _ColumnWork, missing_reference: int, missing_current: int, alpha: float
) -> None:
    work.details.update(missing_reference=missing_reference, missing_current=missing_current)
    if missing_reference or missing_current:
        result = proportion(
            missing_reference,
            work.n_reference,
            missing_current,
            work.n_current,
            alpha=alpha,
            threshold=MISSING_THRESHOLD,
        )
        work.results.append(("missing", result))


def _invalid_check(work: _ColumnWork, reconciled: Reconciled, alpha: float) -> tuple[int, int]:
    """The check of values that could not be read as the column's kind; their counts."""
    invalid_reference, invalid_current = reconciled.invalid_reference, reconciled.invalid_current
    if reconciled.note:
        work.notes.append(reconciled.note)
    if not (invalid_reference.count or invalid_current.count):
        return 0, 0
    work.details.update(
        invalid_reference=invalid_reference.count,
        invalid_current=invalid_current.count,
        invalid_examples=tuple(
            (role, example.row, example.value)
            for role, invalid in (("reference", invalid_reference), ("current", invalid_current))
            for example in invalid.examples
        ),
    )
    work.results.append(
        (
            "invalid",
            proportion(
                invalid_reference.count,
                work.n_reference,
                invalid_current.count,
                work.n_current,
                alpha=alpha,
                threshold=MISSING_THRESHOLD,
            ),
        )
    )
    return invalid_reference.count, invalid_current.count


def _length_check(work: _ColumnWork, reference: Side, current: Side, alpha: float) -> None:
    """Welch's test of the mean string length of a text column (from moments)."""
    ref, cur = reference.lengths(), current.lengths()
    if ref is None or cur is None or min(ref.n, cur.n) < 2:
        work.notes.append("text column: too few values to test string lengths")
        return
    moments = [(m.n, m.mean, m.variance) for m in (ref, cur)]
    work.results.insert(0, ("length", welch_from_moments(*moments, alpha=alpha)))
    work.notes.append("text column: tested on the mean length of its strings (characters)")


def _pair(work: _ColumnWork, reference: Side, current: Side) -> tuple[Pair, int, int]:
    """Values of both sides, the counts of what was left out, and notes on exclusions."""
    if work.kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
        if work.kind == ColumnKind.DATETIME:
            work.notes.append("tested as timestamps (microseconds since 1970, UTC)")
        ref, cur = reference.numbers(), current.numbers()
        for role, values in (("reference", ref), ("current", cur)):
            if values.n_infinite:
                work.notes.append(
                    f"{values.n_infinite} infinite value(s) in the {role} data left out of the "
                    "distribution test and counted as missing"
                )
        work.details.update(
            infinite_reference=ref.n_infinite,
            infinite_current=cur.n_infinite,
            distribution=numeric_summary(ref, cur),
        )
        pair = numeric_pair(ref, cur)
        if isinstance(pair, SketchPair):
            work.notes.append(
                "tested from quantile sketches: the KS distance is reduced by their rank error "
                f"({pair.rank_error:.2g}) before its p-value"
            )
        return pair, ref.n_missing + ref.n_infinite, cur.n_missing + cur.n_infinite
    ref_counts, cur_counts = reference.categories(), current.categories()
    categorical = categorical_pair(ref_counts, cur_counts)
    work.details["distribution"] = categorical_summary(ref_counts, cur_counts)
    if categorical.grouped:
        work.notes.append(
            f"too many categories to count each: tested on {len(categorical.categories)} "
            "hashed groups of categories"
        )
    if categorical.new_categories:
        count = len(categorical.new_categories)
        shown = ", ".join(repr(c) for c in categorical.new_categories[:10])
        more = f" and {count - 10} more" if count > 10 else ""
        work.notes.append(
            f"{count} {'category' if count == 1 else 'categories'} never seen in the reference "
            f"({shown}{more}) hold {categorical.new_category_share:.2%} of current rows"
        )
        work.details.update(
            new_categories=categorical.new_categories,
            new_category_share=categorical.new_category_share,
        )
    return categorical, ref_counts.n_missing, cur_counts.n_missing


def _column_work(
    name: str,
    reference: Side,
    current: Side,
    *,
    alpha: float,
    kind_override: str | None,
    test_override: str | None,
    threshold_override: float | None,
    reconciled: Reconciled | None = None,
) -> _ColumnWork:
    kind = _kind_of(name, reference, current, kind_override)
    work = _ColumnWork(name, kind, reference.n, current.n)
    invalid = (0, 0) if reconciled is None else _invalid_check(work, reconciled, alpha)
    if kind not in TESTED_KINDS:
        if test_override is not None or threshold_override is not None:
            raise InvalidParameterError(
                f"Column {name!r} is {kind.value}: its distribution is not tested (text: its "
                "mean string length only), so a test or threshold override does not apply to it."
            )
        if kind == ColumnKind.TEXT:
            _length_check(work, reference, current, alpha)
        else:
            work.notes.append(f"{kind.value} column: distribution not tested")
        missing = (reference.missing() - invalid[0], current.missing() - invalid[1])
        _missing_check(work, *missing, alpha)
        return work
    test = choose_test(name, kind, test_override)
    pair, missing_reference, missing_current = _pair(work, reference, current)
    _missing_check(work, missing_reference - invalid[0], missing_current - invalid[1], alpha)
    if isinstance(pair, CategoricalPair) and pair.new_categories:
        work.results.append(("new_levels", new_levels(*pair.counts(), alpha=alpha)))
    if kind == ColumnKind.DATETIME and isinstance(pair, NumericPair) and min(pair.sizes()):
        work.results.append(
            ("outside_range", outside_range_sorted(pair.reference, pair.current, alpha=alpha))
        )
    if (
        kind == ColumnKind.NUMERIC
        and isinstance(pair, NumericPair)
        and min(pair.sizes()) >= SCALE_MIN_N
    ):
        work.results.append(
            ("scale", brown_forsythe_sorted(pair.reference, pair.current, alpha=alpha))
        )
    usable_reference, usable_current = pair.sizes()
    if min(usable_reference, usable_current) == 0:
        side = "reference" if usable_reference == 0 else "current"
        work.notes.append(f"no usable value in the {side} data: distribution not tested")
        return work
    threshold = test.default_threshold if threshold_override is None else threshold_override
    try:
        result = test.apply(name, pair, alpha, threshold)
    except NoDataError as error:
        work.notes.append(f"distribution not tested: {error}")
        return work
    work.results.insert(0, ("distribution", result))
    return work


class _Source:
    """One data set as ``compare`` reads it: an Arrow table or a profile."""

    def __init__(self, data: Any, role: str) -> None:
        if isinstance(data, str | Path) and str(data).endswith(PROFILE_SUFFIX):
            data = Profile.load(data)
        self.data: pa.Table | Profile = (
            data if isinstance(data, Profile) else to_table(data, role=role)
        )
        self.column_names: list[str] = list(self.data.column_names)

    @property
    def n(self) -> int:
        return self.data.n if isinstance(self.data, Profile) else self.data.num_rows

    def side(self, name: str) -> Side:
        if isinstance(self.data, Profile):
            return ProfiledSide(self.data[name])
        return RawSide(self.data.column(name))


def _sides(
    reference: _Source, current: _Source, name: str, kind: str | None
) -> tuple[Side, Side, Reconciled | None]:
    """Both sides of a column; raw ones read in one family first (see :mod:`reconcile`).

    Profiles keep summaries, not values, so their types cannot be reconciled.
    """
    if isinstance(reference.data, Profile) or isinstance(current.data, Profile):
        return reference.side(name), current.side(name), None
    both = reconcile(name, reference.data.column(name), current.data.column(name), kind)
    return RawSide(both.reference), RawSide(both.current), both


def _threads(workers: int | None, reference: _Source, current: _Source, columns: int) -> int:
    """How many threads test columns: ``workers``, or by default one per core on big raw data."""
    if workers is not None:
        check_parameter(
            "compare", "workers", workers, lambda w: is_count(w) and w >= 1, "an int >= 1"
        )
        return min(workers, max(columns, 1))
    raw = not isinstance(reference.data, Profile) and not isinstance(current.data, Profile)
    if not raw or reference.n + current.n < THREADED_MIN_ROWS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, columns))


def _select_columns(
    reference: _Source, current: _Source, columns: Sequence[str] | None
) -> list[str]:
    if columns is not None:
        if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
            raise InvalidParameterError(
                f"The 'columns' parameter of compare must be a list of column names. "
                f"Got {columns!r} instead."
            )
        wanted = list(columns)
        if not wanted or len(set(wanted)) != len(wanted):
            raise InvalidParameterError(
                "The 'columns' parameter of compare must name at least one column, each once. "
                f"Got {wanted!r} instead."
            )
        for role, table in (("reference", reference), ("current", current)):
            absent = [c for c in wanted if c not in table.column_names]
            if absent:
                raise SchemaError(f"Column(s) {absent} requested but absent from the {role} data.")
        return wanted
    only_reference = [c for c in reference.column_names if c not in current.column_names]
    only_current = [c for c in current.column_names if c not in reference.column_names]
    if only_reference or only_current:
        shared = [c for c in reference.column_names if c in current.column_names]
        raise ColumnMismatchError(only_reference, only_current, shared)
    return list(reference.column_names)


def _check_overrides(
    overrides: Mapping[str, Any] | None, what: str, names: Sequence[str]
) -> dict[str, Any]:
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(names))
    if unknown:
        raise InvalidParameterError(
            f"The {what!r} parameter of compare names column(s) {unknown} that are not compared."
        )
    return overrides


MULTIVARIATE_WEIGHT = 0.5  # the multivariate check's share of the correction's weight
MULTIVARIATE_NAMED_COLUMNS = 10
AUTO = "auto"  # projection_ks on a split reference, one more check of the family


def _multivariate_method(multivariate: bool | str) -> str | None:
    """The name in MULTIVARIATE_TESTS that ``multivariate`` asks for (None for False)."""
    check_parameter(
        "compare",
        "multivariate",
        multivariate,
        lambda m: isinstance(m, bool) or m in MULTIVARIATE_TESTS or m == AUTO,
        f"a bool, {AUTO!r} or one of {sorted(MULTIVARIATE_TESTS)}",
    )
    if multivariate is False:
        return None
    if multivariate == AUTO:
        return AUTO
    return "mmd" if multivariate is True else str(multivariate)


def _numeric_rows(table: pa.Table, names: list[str]) -> FloatArray:
    """The rows of ``names`` as floats, keeping only rows where every value is finite."""
    columns = [
        np.asarray(table.column(name).cast(pa.float64(), safe=False).to_numpy(), np.float64)
        for name in names
    ]
    rows = np.column_stack(columns)
    return rows[np.isfinite(rows).all(axis=1)]


def _is_number_type(data_type: pa.DataType) -> bool:
    """Integers and floats: columns whose rows the multivariate check can read as they are."""
    return bool(pa.types.is_integer(data_type) or pa.types.is_floating(data_type))


def _raw_table(source: _Source, role: str, multivariate: bool | str) -> pa.Table:
    """The rows of a data set, or the error saying a profile has none."""
    if isinstance(source.data, Profile):
        raise IncompatibleError(
            f"compare(multivariate={multivariate!r}) needs raw rows, but the {role} data is a "
            "profile, which keeps per-column summaries only. Pass the data itself, or "
            "multivariate=False."
        )
    return source.data


def _multivariate_result(
    method: str,
    reference: pa.Table,
    current: pa.Table,
    works: list[_ColumnWork],
    alpha: float,
    seed: int,
) -> tuple[TestResult | None, str]:
    """The multivariate test of all numeric columns together, and a note on what it used.

    Each column is centred and scaled by the mean and std of the pooled rows (a symmetric
    function of the pooled rows, so permutation p-values stay exact); categorical columns
    are left out (their per-column tests cover them).
    """
    names = [
        work.name
        for work in works
        if work.kind == ColumnKind.NUMERIC
        and all(_is_number_type(table.column(work.name).type) for table in (reference, current))
    ]
    if len(names) < 2:
        return None, (
            f"multivariate check ({method}) not run: it needs at least 2 numeric columns "
            "(integers or floats on both sides), "
            f"found {len(names)}"
        )
    ref, cur = _numeric_rows(reference, names), _numeric_rows(current, names)
    pooled = np.concatenate((ref, cur))
    if pooled.shape[0]:
        scale = pooled.std(axis=0)
        scale[scale == 0] = 1.0
        ref, cur = (ref - pooled.mean(axis=0)) / scale, (cur - pooled.mean(axis=0)) / scale
    test = (
        functools.partial(projection_ks, projection="split")
        if method == AUTO
        else MULTIVARIATE_TESTS[method]
    )
    try:
        result = test(ref, cur, alpha=alpha, seed=seed)
    except NoDataError as error:
        return None, f"multivariate check ({method}) not run on the complete rows: {error}"
    shown = ", ".join(repr(name) for name in names[:MULTIVARIATE_NAMED_COLUMNS])
    hidden = len(names) - MULTIVARIATE_NAMED_COLUMNS
    more = f" and {hidden} more" if hidden > 0 else ""
    left_out = (reference.num_rows - ref.shape[0], current.num_rows - cur.shape[0])
    return result, (
        f"on {len(names)} numeric columns ({shown}{more}), "
        "each centred and scaled by the pooled mean and std; categorical columns not included"
        + (
            f"; rows with a missing or infinite value left out ({left_out[0]:,} reference, "
            f"{left_out[1]:,} current)"
            if any(left_out)
            else ""
        )
    )


def compare(
    reference: Any,
    current: Any,
    alpha: float = 0.05,
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    tests: Mapping[str, str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    correction: str = "holm",
    multivariate: bool | str = AUTO,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    workers: int | None = None,
) -> DriftReport:
    """Compare current data with reference data, column by column.

    ``reference`` and ``current`` may be pandas or polars data frames, pyarrow tables, dicts
    of 1-D arrays, paths to CSV, Parquet or JSON-lines files, or profiles
    (:class:`~shiftwatch.profile.Profile` objects or ``.swp`` files). Summaries give the same
    results as raw data while exact; beyond, numeric tests account for the sketches' rank
    error and categories are tested in hashed groups (see :mod:`shiftwatch.column_pairs`).
    ``kinds``, ``tests`` and ``thresholds`` override the defaults per column (see
    :mod:`shiftwatch.policy`); ``correction`` is one of "holm" (default), "bonferroni",
    "benjamini_hochberg", "none". ``on_progress(done, total, column)`` is called after each column,
    in column order.

    ``workers`` threads test columns side by side (sorting and searching release the GIL).
    By default there is one per CPU core when the raw data has at least
    :data:`THREADED_MIN_ROWS` rows in all, else one; the report is the same either way.

    ``multivariate`` adds a dataset-level check of the numeric columns together: "auto" (the
    default: "projection" as one more check of the family, when both sets are raw rows with
    at least two numeric columns), True or "mmd" (kernel MMD, permutation test),
    "classifier" (domain classifier, needs scikit-learn) or "projection" (PCA + KS); False
    for none. Asked for by name it needs raw rows, not profiles, and carries half the
    correction's weight (see the module notes). It uses ``seed`` for its subsampling,
    permutations or folds. The check is ``report.multivariate``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> reference = {"age": rng.normal(40, 10, 2000), "plan": rng.choice(["a", "b"], 2000)}
    >>> current = {"age": rng.normal(43, 10, 2000), "plan": rng.choice(["a", "b"], 2000)}
    >>> report = compare(reference, current, alpha=0.05)
    >>> report.drifted, report.drifted_columns
    (True, ('age',))
    >>> report.columns["age"].test, round(report.columns["age"].effect, 1)
    ('ks', 0.3)
    >>> x = rng.normal(size=600)
    >>> flipped = compare({"x": x[:300], "y": x[:300]}, {"x": x[300:], "y": -x[300:]},
    ...                   multivariate=True)
    >>> flipped.drifted_columns, flipped.multivariate.result.test, flipped.drifted
    ((), 'mmd', True)
    """
    alpha = check_alpha("compare", alpha)
    check_parameter(
        "compare",
        "correction",
        correction,
        lambda c: c in CORRECTIONS,
        f"one of {sorted(CORRECTIONS)}",
    )
    method = _multivariate_method(multivariate)
    check_parameter("compare", "seed", seed, lambda s: is_count(s) and s >= 0, "an int >= 0")
    reference_source = _Source(reference, "reference")
    current_source = _Source(current, "current")
    raw = None
    profiled = isinstance(reference_source.data, Profile) or isinstance(
        current_source.data, Profile
    )
    if multivariate == AUTO and profiled:
        method = None  # the default check needs rows; profiles keep summaries
    if method is not None:
        raw = (
            _raw_table(reference_source, "reference", multivariate),
            _raw_table(current_source, "current", multivariate),
        )
    names = _select_columns(reference_source, current_source, columns)
    kind_overrides = _check_overrides(kinds, "kinds", names)
    test_overrides = _check_overrides(tests, "tests", names)
    threshold_overrides = _check_overrides(thresholds, "thresholds", names)
    for column, threshold in threshold_overrides.items():
        threshold_overrides[column] = check_threshold(f"compare (column {column!r})", threshold)

    def work(name: str) -> _ColumnWork:
        reference_side, current_side, reconciled = _sides(
            reference_source, current_source, name, kind_overrides.get(name)
        )
        return _column_work(
            name,
            reference_side,
            current_side,
            alpha=alpha,
            kind_override=kind_overrides.get(name),
            test_override=test_overrides.get(name),
            threshold_override=threshold_overrides.get(name),
            reconciled=reconciled,
        )

    threads = _threads(workers, reference_source, current_source, len(names))
    works = []
    with ThreadPoolExecutor(threads) if threads > 1 else contextlib.nullcontext() as pool:
        results = pool.map(work, names) if pool is not None else map(work, names)
        try:
            for done, (name, result) in enumerate(zip(names, results, strict=True), start=1):
                works.append(result)
                if on_progress is not None:
                    on_progress(done, len(names), name)
        except BaseException:  # e.g. raised by on_progress, or ^C: leave the other columns
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
    multivariate_result, multivariate_note = None, ""
    if method is not None and raw is not None:
        multivariate_result, multivariate_note = _multivariate_result(
            method, *raw, works, alpha, seed
        )
        if multivariate == AUTO and multivariate_result is None:
            multivariate_note = ""  # not run by default: nothing to say
        elif multivariate == AUTO:
            multivariate_note = (
                f"run by default (at least 2 numeric columns), as one more check of the "
                f"family; {multivariate_note}"
            )
    return _decide(
        works,
        alpha,
        correction,
        reference_source.n,
        current_source.n,
        multivariate=multivariate_result,
        multivariate_note=multivariate_note,
        multivariate_weight=None if multivariate == AUTO else MULTIVARIATE_WEIGHT,
    )


def _weighted_holm(p_values: FloatArray, weights: FloatArray) -> FloatArray:
    """Holm's weighted step-down adjusted p-values (Holm 1979); weights sum to 1.

    Hypotheses are taken in order of ``p / w``; the one at each step is rejected when
    ``p / w`` times the total weight not yet rejected is at most alpha. A closed test of
    weighted Bonferroni tests, so the family-wise error rate is at most alpha under any
    dependence. Equal weights give Holm's usual adjustment.

    >>> _weighted_holm(np.array([0.01, 0.04, 0.03]), np.full(3, 1 / 3)).round(6).tolist()
    [0.03, 0.06, 0.06]
    >>> _weighted_holm(np.array([0.01, 0.04, 0.03]), np.array([0.25, 0.25, 0.5])).tolist()
    [0.04, 0.045, 0.045]
    """
    ratios = p_values / weights
    order = np.argsort(ratios, kind="stable")
    remaining = np.cumsum(weights[order][::-1])[::-1]  # weight not yet rejected at each step
    adjusted = np.empty_like(p_values)
    adjusted[order] = np.minimum(np.maximum.accumulate(ratios[order] * remaining), 1.0)
    return adjusted


def _corrected(
    correction: str,
    p_values: list[float],
    multivariate: bool,
    weight: float | None = MULTIVARIATE_WEIGHT,
) -> FloatArray:
    """Adjusted p-values; a multivariate check (the last p-value) carries ``weight``.

    The column checks share the rest equally; ``weight=None`` gives every check one share
    (the default multivariate check: one more check of the family). "holm" becomes weighted Holm,
    "bonferroni" weighted Bonferroni (``p / w``), "benjamini_hochberg" weighted BH
    (Genovese, Roeder and Wasserman 2006: BH on ``p / (w m)``); "none" leaves p unchanged.
    """
    if not multivariate or len(p_values) == 1 or correction == "none" or weight is None:
        return CORRECTIONS[correction](p_values)
    p: FloatArray = np.asarray(p_values, dtype=np.float64)
    weights: FloatArray = np.full(p.size, (1 - weight) / (p.size - 1))
    weights[-1] = weight
    if correction == "holm":
        return _weighted_holm(p, weights)
    if correction == "bonferroni":
        return np.minimum(p / weights, 1.0)
    return CORRECTIONS[correction](np.minimum(p / (weights * p.size), 1.0))


def _decide(
    works: list[_ColumnWork],
    alpha: float,
    correction: str,
    n_reference: int,
    n_current: int,
    *,
    multivariate: TestResult | None = None,
    multivariate_note: str = "",
    multivariate_weight: float | None = MULTIVARIATE_WEIGHT,
) -> DriftReport:
    """Correct all p-values together, apply materiality, and assemble the report."""
    p_values = [r.p_value for w in works for _, r in w.results if r.p_value is not None]
    if multivariate is not None:
        assert multivariate.p_value is not None  # every multivariate test has a p-value
        p_values.append(multivariate.p_value)
    all_adjusted = _corrected(correction, p_values, multivariate is not None, multivariate_weight)
    adjusted = iter(all_adjusted.tolist())
    results: dict[str, ColumnResult] = {}
    notes: list[str] = []
    for work in works:
        checks = []
        for check_name, result in work.results:
            adjusted_p = None if result.p_value is None else next(adjusted)
            checks.append(
                Check(check_name, result, adjusted_p, decision_reason(result, adjusted_p))
            )
        note = "; ".join(work.notes)
        if note:
            notes.append(f"Column {work.name!r}: {note}.")
        results[work.name] = ColumnResult(
            name=work.name,
            kind=work.kind,
            n_reference=work.n_reference,
            n_current=work.n_current,
            checks=tuple(checks),
            note=note,
            **work.details,
        )
    if any(r.p_value is None for w in works for _, r in w.results):
        notes.append(
            "Columns decided by a distance have no p-value: they are outside the "
            "false-alarm guarantee."
        )
    check = None
    if multivariate is not None:
        adjusted_p = float(all_adjusted[-1])
        check = Check(
            "multivariate", multivariate, adjusted_p, decision_reason(multivariate, adjusted_p)
        )
    if check is not None:
        notes.append(
            f"Multivariate check ({check.result.test}): {check.reason}; {multivariate_note}."
        )
    elif multivariate_note:
        notes.append(f"{multivariate_note[0].upper()}{multivariate_note[1:]}.")
    weighted = multivariate_weight is not None
    if multivariate is not None and weighted and correction != "none" and len(p_values) > 1:
        notes.append(
            f"The multivariate check carries half the weight of the {correction} correction "
            "(weighted form); the column checks share the other half."
        )
    return DriftReport(
        drifted=any(c.drifted for c in results.values()) or (check is not None and check.drifted),
        alpha=alpha,
        correction=correction,
        n_reference=n_reference,
        n_current=n_current,
        columns=MappingProxyType(results),
        notes=tuple(notes),
        multivariate=check,
    )
