"""The records of validation: the rule codes, a column's rule, one violation, a batch's result.

Plain frozen dataclasses; inferring rules and checking batches against them live elsewhere
in :mod:`shiftwatch.schema`.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from shiftwatch.columns import ColumnKind
from shiftwatch.schema.arrow_types import Shape

RULES = (
    "missing_column",
    "unexpected_column",
    "type",
    "null",
    "nan",
    "inf",
    "below_min",
    "above_max",
    "unknown_category",
    "too_short",
    "too_long",
    "shape",
    "dtype",
)


@dataclass(frozen=True)
class Violation:
    """One broken rule: the row (None for a column-level issue), column, rule code and value."""

    row: int | None
    column: str
    rule: str
    value: Any
    message: str


@dataclass(frozen=True)
class ColumnRule:
    """What the values of one column must look like; ``None`` leaves a bound unchecked.

    ``minimum``/``maximum`` are already widened by the tolerance; for a datetime column they
    are the integers Arrow stores in the reference type's unit, and ``range_rule`` says how
    they were set (the stated false-violation rate, see :mod:`shiftwatch.schema.ranges`).
    ``shape`` holds a list's length at each nesting level (``None`` where it varies),
    ``item_type`` the innermost Arrow type of a list column.
    """

    name: str
    kind: ColumnKind
    family: str
    data_type: str
    nullable: bool = True
    allow_nan: bool = True
    allow_inf: bool = True
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    categories: frozenset[Any] | None = None
    min_length: int | None = None
    max_length: int | None = None
    shape: Shape | None = None
    item_type: str | None = None
    range_rule: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (strict JSON: non-finite categories are written as text)."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["kind"] = self.kind.value
        if self.categories is not None:
            state["categories"] = [_encode(c) for c in sorted(self.categories, key=category_order)]
        if self.shape is not None:
            state["shape"] = list(self.shape)
        return state

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Self:
        """Rebuild a rule from :meth:`to_dict`'s output."""
        values = dict(state)
        values["kind"] = ColumnKind(values["kind"])
        if values.get("categories") is not None:
            numeric = values["family"] == "numeric"
            values["categories"] = frozenset(
                float(c) if numeric and isinstance(c, str) else c for c in values["categories"]
            )
        if values.get("shape") is not None:
            values["shape"] = tuple(values["shape"])
        return cls(**values)


@dataclass(frozen=True)
class ValidationResult:
    """The violations recorded in one batch, and how many of each there were in all.

    ``counts`` maps ``(column, rule)`` to the total found, recorded or not; ``violations``
    holds up to ``max_per_rule`` of each, sorted by row (column-level ones first).
    """

    violations: tuple[Violation, ...]
    counts: Mapping[tuple[str, str], int]
    n_rows: int
    n_invalid_rows: int
    max_per_rule: int

    @property
    def ok(self) -> bool:
        """Whether the batch broke no rule at all."""
        return not self.counts

    @property
    def n_violations(self) -> int:
        """Violations found in all, recorded or not."""
        return sum(self.counts.values())


def category_order(value: Any) -> tuple[str, Any]:
    """A sort key that orders categories of mixed types: by type name, then value."""
    return type(value).__name__, value


def _encode(category: Any) -> Any:
    if isinstance(category, float) and not math.isfinite(category):
        return repr(category)
    return category
