"""Data assertions for tests: no drift, rows that follow a schema, two profiles that agree.

Each one raises :class:`AssertionError` with the numbers behind the verdict (columns with
their p-values and effects, rows with their values) and returns the result it checked, so
a passing test can look further. They work in any test runner; the pytest plugin
(:mod:`shiftwatch.testing.plugin`) adds fixtures around them.

| assertion              | passes when                                                         |
|------------------------|---------------------------------------------------------------------|
| assert_no_drift        | ``compare`` finds no column drifted: family-wise false-alarm rate   |
|                        | at most ``alpha``, and effects below their materiality thresholds   |
| assert_schema          | no row of the data breaks a rule of the schema (or profile)         |
| assert_profile_close   | same columns of the same kinds, and every effect (distribution and  |
|                        | missing share) below its threshold: no p-values, any sample size    |
"""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shiftwatch.compare import compare
from shiftwatch.drift_report import Check, ColumnResult, DriftReport
from shiftwatch.errors import FormatError
from shiftwatch.profile import PROFILE_SUFFIX, Profile
from shiftwatch.schema import DEFAULT_MAX_PER_RULE, Schema, ValidationResult

DEFAULT_SHOWN = 10


def _g(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _check_line(column: ColumnResult, check: Check, *, p_values: bool = True) -> str:
    """One drifted or material check, with every number that decided it."""
    result = check.result
    test = f"{check.name} ({result.test})" if check.name != "distribution" else result.test
    relation = ">=" if result.material else "<"
    effect = f"effect {_g(result.effect)} {relation} {result.threshold:g} ({result.effect_unit})"
    if not p_values:
        return f"  {column.name}: {test}: {effect}"
    tested = (
        "no p-value (distance)"
        if result.p_value is None
        else f"p={_g(result.p_value)}, adjusted p={_g(check.adjusted_p_value)}"
    )
    return f"  {column.name}: {test}: {tested}, {effect}"


def _render(report: DriftReport, headline: str, lines: Sequence[str], *, alpha: bool) -> str:
    counts = f"{report.n_reference:,} reference rows, {report.n_current:,} current rows"
    if alpha:
        counts += f", alpha {report.alpha:g}, {report.correction} correction"
    return "\n".join([f"{headline} ({counts}):", *lines, *[f"  note: {n}" for n in report.notes]])


def assert_no_drift(
    reference: Any,
    current: Any,
    alpha: float = 0.05,
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    tests: Mapping[str, str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    correction: str = "holm",
    multivariate: bool | str = "auto",
) -> DriftReport:
    """Fail when ``compare(reference, current)`` finds drift; return the report otherwise.

    The arguments are :func:`shiftwatch.compare`'s. With the default Holm correction, on data
    that did not shift this assertion fails at most ``alpha`` of the time, whatever the number
    of columns; a shift fails it only when it is both significant and material.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> reference = {"age": rng.normal(40, 10, 1000), "plan": rng.choice(["a", "b"], 1000)}
    >>> same = {"age": rng.normal(40, 10, 1000), "plan": rng.choice(["a", "b"], 1000)}
    >>> assert_no_drift(reference, same).drifted
    False
    >>> older = {"age": rng.normal(46, 10, 1000), "plan": rng.choice(["a", "b"], 1000)}
    >>> assert_no_drift(reference, older)
    Traceback (most recent call last):
    ...
    AssertionError: Drift in 1 of 2 columns (1,000 reference rows, 1,000 current rows, alpha 0.05, holm correction):
      age: ks: p=3.43e-33, adjusted p=1.03e-32, effect 0.701 >= 0.1 (reference std (Wasserstein-1 / std))
    """  # noqa: E501
    report = compare(
        reference,
        current,
        alpha,
        columns=columns,
        kinds=kinds,
        tests=tests,
        thresholds=thresholds,
        correction=correction,
        multivariate=multivariate,
    )
    if report.drifted:
        lines = [
            _check_line(column, check)
            for column in report.columns.values()
            for check in column.checks
            if check.drifted
        ]
        headline = f"Drift in {len(report.drifted_columns)} of {len(report.columns)} columns"
        raise AssertionError(_render(report, headline, lines, alpha=True))
    return report


def load_schema(expected: Schema | Profile | str | Path) -> Schema:
    """The schema held by ``expected``: a Schema, a Profile, a ``.swp`` file or a schema JSON.

    >>> load_schema(Profile.from_data({"x": [1.0, 2.0]})).columns["x"].maximum
    2.1
    """
    if isinstance(expected, Schema):
        return expected
    if isinstance(expected, Profile):
        return expected.schema
    path = Path(expected)
    if path.suffix == PROFILE_SUFFIX:
        return Profile.load(path).schema
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FormatError(f"Cannot read the schema {str(path)!r}: {error}.") from None
    except ValueError:
        raise FormatError(f"The schema {str(path)!r} is not JSON.") from None
    return Schema.from_dict(state)


def assert_schema(
    data: Any,
    expected: Schema | Profile | str | Path,
    *,
    max_shown: int = DEFAULT_SHOWN,
    max_per_rule: int = DEFAULT_MAX_PER_RULE,
) -> ValidationResult:
    """Fail when a row of ``data`` breaks a rule of ``expected``; return the result otherwise.

    ``expected`` is a :class:`~shiftwatch.Schema`, a :class:`~shiftwatch.Profile` (its saved
    schema), a ``.swp`` profile file, or a schema saved as JSON (``Schema.to_dict``). The
    message counts the violations per column and rule and shows the first ``max_shown``.

    >>> schema = Schema.infer({"age": [31.0, 45.0, 52.0, 38.0], "plan": ["a", "b", "a", "b"]})
    >>> assert_schema({"age": [40.0, 50.0], "plan": ["b", "a"]}, schema).ok
    True
    >>> assert_schema({"age": [40.0, 99.0], "plan": ["a", "c"]}, schema)
    Traceback (most recent call last):
    ...
    AssertionError: 1 of 2 rows break the schema (2 violations: age above_max 1, plan unknown_category 1):
      Row 1, column 'age': 99.0 is above the maximum, 54.1.
      Row 1, column 'plan': 'c' is not a category of the reference ('a', 'b').
    """  # noqa: E501
    result = load_schema(expected).check(data, max_per_rule=max_per_rule)
    if result.ok:
        return result
    counts = ", ".join(f"{column} {rule} {n:,}" for (column, rule), n in result.counts.items())
    shown = [f"  {v.message}" for v in result.violations[:max_shown]]
    hidden = result.n_violations - len(shown)
    if hidden:
        shown.append(f"  ... and {hidden:,} more")
    rows = f"{result.n_invalid_rows:,} of {result.n_rows:,} rows break the schema"
    if not result.n_invalid_rows:  # only column-level violations: missing or extra columns
        rows = f"The columns of the data break the schema ({result.n_rows:,} rows)"
    headline = f"{rows} ({result.n_violations:,} violations: {counts}):"
    raise AssertionError("\n".join([headline, *shown]))


def _as_profile(data: Any) -> Profile:
    if isinstance(data, Profile):
        return data
    if isinstance(data, str | Path) and str(data).endswith(PROFILE_SUFFIX):
        return Profile.load(data)
    return Profile.from_data(data)


def assert_profile_close(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> DriftReport:
    """Fail unless two data sets have the same columns, kinds, and no material difference.

    Both sides may be :class:`~shiftwatch.Profile` objects, ``.swp`` files or anything
    ``Profile.from_data`` reads. The verdict uses effect sizes alone, not p-values: every
    check ``compare`` runs (the distribution, and the missing share where either side has
    missing values) must have its effect below its materiality threshold (the defaults of
    :mod:`shiftwatch.policy`, or ``thresholds`` per column). This suits a profile checked in
    next to a data pipeline: at any row count, only a difference large enough to matter
    fails, and nothing fails by chance on large data.

    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> saved = Profile.from_data({"x": rng.normal(0, 1, 5_000)})
    >>> assert_profile_close(saved, {"x": rng.normal(0.02, 1, 5_000)}).columns["x"].effect < 0.1
    True
    >>> assert_profile_close(saved, {"x": rng.normal(0.5, 1, 5_000)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: Profiles differ in 1 of 1 columns (5,000 reference rows, 5,000 current rows):
      x: ks: effect ... >= 0.1 (reference std (Wasserstein-1 / std))
      note: Column 'x': tested from quantile sketches: the KS distance is reduced by their rank error (0.0...) before its p-value.
    """  # noqa: E501
    reference_profile, current_profile = _as_profile(reference), _as_profile(current)
    names = list(columns) if columns is not None else list(reference_profile.column_names)
    problems = []
    missing = [n for n in names if n not in current_profile]
    extra = [n for n in current_profile.column_names if columns is None and n not in names]
    if missing:
        problems.append(f"  columns missing from the current data: {missing}")
    if extra:
        problems.append(f"  columns not in the reference: {extra}")
    absent = [n for n in names if n not in reference_profile]
    if absent:
        problems.append(f"  columns missing from the reference: {absent}")
    for name in names:
        if name in reference_profile and name in current_profile:
            before, after = reference_profile[name].kind, current_profile[name].kind
            if before != after:
                problems.append(f"  {name}: {before.value} in the reference, {after.value} now")
    if problems:
        raise AssertionError("\n".join(["The profiles do not have the same columns:", *problems]))
    report = compare(
        reference_profile, current_profile, columns=names, thresholds=thresholds, correction="none"
    )
    lines = [
        _check_line(column, check, p_values=False)
        for column in report.columns.values()
        for check in column.checks
        if check.result.material
    ]
    if lines:
        differing = sum(
            any(c.result.material for c in col.checks) for col in report.columns.values()
        )
        headline = f"Profiles differ in {differing} of {len(report.columns)} columns"
        raise AssertionError(_render(report, headline, lines, alpha=False))
    return report
