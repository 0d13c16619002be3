"""The :class:`Schema`: rules per column, inferred from a reference, checked on batches, saved.

The rules themselves, and what each one fires on, are described in :mod:`shiftwatch.schema`.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Self

from shiftwatch._validation import check_count, check_parameter
from shiftwatch.errors import FormatError, NoDataError, SchemaError
from shiftwatch.profile import Profile
from shiftwatch.schema.checks import Collector, check_column, clean_numbers
from shiftwatch.schema.inference import column_rule, observed_shapes
from shiftwatch.schema.ranges import DEFAULT_RATE
from shiftwatch.schema.reading import open_batch
from shiftwatch.schema.rules import ColumnRule, ValidationResult, Violation

FORMAT = "shiftwatch.schema"
FORMAT_VERSION = 1
DEFAULT_TOLERANCE = 0.1
DEFAULT_MAX_PER_RULE = 100


@dataclass(frozen=True)
class Schema:
    """Rules per column, inferred from reference data; batches are checked against them.

    >>> schema = Schema.infer({"age": [31.0, 45.0, 52.0, 38.0], "plan": ["a", "b", "a", "b"]})
    >>> schema.columns["age"].minimum, schema.columns["age"].maximum
    (28.9, 54.1)
    >>> for violation in schema.validate({"age": [40.0, 99.0], "plan": ["a", "c"]}):
    ...     print(violation.message)
    Row 1, column 'age': 99.0 is above the maximum, 54.1.
    Row 1, column 'plan': 'c' is not a category of the reference ('a', 'b').
    """

    columns: Mapping[str, ColumnRule]
    tolerance: float = DEFAULT_TOLERANCE
    rate: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", dict(self.columns))

    @classmethod
    def infer(
        cls,
        reference: Any,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        rate: float | None = DEFAULT_RATE,
    ) -> Self:
        """The rules ``reference`` follows: a Profile, or any data ``Profile.from_data`` reads.

        Number and time ranges are set so that a clean value breaks one with probability at
        most ``rate`` (see :mod:`shiftwatch.schema.ranges`; from 100 reference values), and
        never narrower than the observed range widened by ``tolerance`` of its width on each
        side. ``rate=None`` keeps the tolerance alone.

        From raw data, list columns are also read for lengths that never vary, so that a
        ``list<float>`` column of 512-long embeddings gets the shape ``(512,)``; a profile
        alone knows only the lengths fixed by the Arrow type.
        """
        _check_tolerance("Schema.infer", tolerance)
        if isinstance(reference, Profile):
            return cls.from_profile(reference, tolerance=tolerance, rate=rate)
        schema = cls.from_profile(Profile.from_data(reference), tolerance=tolerance, rate=rate)
        ragged = [n for n, r in schema.columns.items() if r.shape is not None and None in r.shape]
        if not ragged:
            return schema
        columns = dict(schema.columns)
        for name, seen in observed_shapes(reference, ragged).items():
            typed = columns[name].shape or ()
            shape = tuple(s if s is not None else o for s, o in zip(typed, seen, strict=True))
            columns[name] = replace(columns[name], shape=shape)
        return cls(columns, float(tolerance), schema.rate)

    @classmethod
    def from_profile(
        cls,
        profile: Profile,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        rate: float | None = DEFAULT_RATE,
    ) -> Self:
        """The rules recorded in a profile (see :mod:`shiftwatch.schema` for each one)."""
        _check_tolerance("Schema.from_profile", tolerance)
        if rate is not None:
            check_parameter(
                "Schema.from_profile", "rate", rate, lambda r: 0 < r < 1, "a float in (0, 1)"
            )
        rules = {n: column_rule(profile[n], tolerance, rate) for n in profile}
        return cls(rules, float(tolerance), None if rate is None else float(rate))

    def check(self, batch: Any, *, max_per_rule: int = DEFAULT_MAX_PER_RULE) -> ValidationResult:
        """Check every row of ``batch`` (anything ``compare`` reads); never raises on bad rows."""
        check_count("Schema.check", "max_per_rule", max_per_rule, minimum=0)
        names, batches = open_batch(batch, self.columns)
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise SchemaError(f"The validated data has duplicated column names: {duplicated}.")
        sink = Collector(max_per_rule)
        for name in self.columns:
            if name not in names:
                sink.column(name, "missing_column", None, f"Column {name!r} is missing.")
        for name in names:
            if name not in self.columns:
                message = f"Column {name!r} is not in the reference."
                sink.column(name, "unexpected_column", None, message)
        for record_batch in batches:
            sink.start(record_batch.num_rows)
            known = [
                (self.columns[name], array)
                for name, array in zip(record_batch.schema.names, record_batch.columns, strict=True)
                if name in self.columns
            ]
            clean = clean_numbers([rule for rule, _ in known], [array for _, array in known])
            for (rule, array), is_clean in zip(known, clean, strict=True):
                if not is_clean:
                    check_column(rule, array, sink)
            sink.finish()
        if sink.n_rows == 0:
            raise NoDataError("The validated data has no rows.")
        order = {name: i for i, name in enumerate(self.columns)}
        for name in names:
            order.setdefault(name, len(order))
        return sink.result(order)

    def validate(self, batch: Any, *, max_per_rule: int = DEFAULT_MAX_PER_RULE) -> list[Violation]:
        """The violations :meth:`check` records in ``batch``, sorted by row."""
        return list(self.check(batch, max_per_rule=max_per_rule).violations)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict, read back exactly by :meth:`from_dict`.

        >>> import json
        >>> schema = Schema.infer({"x": [1.5, 2.5], "ok": [True, False]})
        >>> Schema.from_dict(json.loads(json.dumps(schema.to_dict()))) == schema
        True
        """
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "tolerance": self.tolerance,
            "rate": self.rate,
            "columns": [rule.to_dict() for rule in self.columns.values()],
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Self:
        """Rebuild a schema from :meth:`to_dict`'s output."""
        if not isinstance(state, Mapping) or state.get("format") != FORMAT:
            raise FormatError(f"This is not a shiftwatch schema (no {FORMAT!r} format).")
        version = state.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise FormatError(
                f"This schema has format version {version!r}; this shiftwatch reads versions "
                f"up to {FORMAT_VERSION}. Upgrade shiftwatch to read it."
            )
        try:
            rules = [ColumnRule.from_dict(c) for c in state["columns"]]
            rate = state.get("rate")
            return cls(
                {r.name: r for r in rules},
                float(state["tolerance"]),
                None if rate is None else float(rate),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise FormatError(f"This shiftwatch schema is damaged: {error!r}.") from None

    def __repr__(self) -> str:
        rate = "" if self.rate is None else f", rate={self.rate:g}"
        return f"Schema(columns={len(self.columns)}, tolerance={self.tolerance:g}{rate})"


def _check_tolerance(owner: str, tolerance: float) -> None:
    check_parameter(
        owner,
        "tolerance",
        tolerance,
        lambda t: isinstance(t, int | float) and not isinstance(t, bool) and 0 <= t < math.inf,
        "a finite float >= 0",
    )
