"""The checks of one column's values against its rule, with vectorised masks per family.

:func:`check_column` runs the null check and the checks of the column's family; every rule
broken is handed, as a mask of rows, to a :class:`Collector`, which counts them all and
records the first ``max_per_rule`` as :class:`~shiftwatch.schema.Violation` records.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch.columns import value_family
from shiftwatch.schema.arrow_types import (
    Shape,
    is_list,
    list_levels,
    per_second,
    temporal_type,
    type_layout,
)
from shiftwatch.schema.reading import (
    NUMBER,
    Mask,
    converted,
    parse,
    plain,
    text_target,
    to_booleans,
    to_mask,
    to_text,
    valid_mask,
)
from shiftwatch.schema.rules import RULES, ColumnRule, ValidationResult, Violation, category_order

_PREVIEW = 5
_SHOWN_CHARS = 60


class Collector:
    """Counts violations per (column, rule), records the first ``max_per_rule`` of each."""

    def __init__(self, max_per_rule: int) -> None:
        self.max_per_rule = max_per_rule
        self.counts: dict[tuple[str, str], int] = {}
        self.violations: list[Violation] = []
        self.n_rows = 0
        self.n_invalid_rows = 0
        self._invalid: Mask = np.zeros(0, dtype=np.bool_)

    def start(self, n: int) -> None:
        """Begin a batch of ``n`` rows."""
        self._invalid = np.zeros(n, dtype=np.bool_)

    def finish(self) -> None:
        """End the batch begun by :meth:`start`: count its rows and its invalid rows."""
        self.n_rows += self._invalid.size
        self.n_invalid_rows += int(np.count_nonzero(self._invalid))

    def column(self, column: str, rule: str, value: Any, message: str) -> None:
        """A column-level violation, recorded once."""
        if (column, rule) not in self.counts:
            self.counts[column, rule] = 1
            if self.max_per_rule:
                self.violations.append(Violation(None, column, rule, value, message))

    def rows(
        self, column: str, rule: str, mask: Mask, values: pa.Array, say: Callable[[Any], str]
    ) -> None:
        """Count the rows in ``mask``; record the first ones with their value from ``values``."""
        found = int(np.count_nonzero(mask))
        if not found:
            return
        self._invalid |= mask
        before = self.counts.get((column, rule), 0)
        self.counts[column, rule] = before + found
        room = self.max_per_rule - before
        if room <= 0:
            return
        index = np.flatnonzero(mask)[:room]
        for i, value in zip(index.tolist(), values.take(pa.array(index)).to_pylist(), strict=True):
            row = self.n_rows + i
            message = f"Row {row}, column {column!r}: {say(value)}"
            self.violations.append(Violation(row, column, rule, value, message))

    def result(self, order: Mapping[str, int]) -> ValidationResult:
        """What was collected, columns sorted by ``order``, then rows and rules."""

        def key(v: Violation) -> tuple[bool, int, int, int]:
            return v.row is not None, v.row or 0, order[v.column], RULES.index(v.rule)

        counts = sorted(self.counts.items(), key=lambda c: (order[c[0][0]], RULES.index(c[0][1])))
        return ValidationResult(
            tuple(sorted(self.violations, key=key)),
            dict(counts),
            self.n_rows,
            self.n_invalid_rows,
            self.max_per_rule,
        )


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _preview(categories: frozenset[Any]) -> str:
    shown = sorted(categories, key=category_order)[:_PREVIEW]
    more = len(categories) - len(shown)
    return ", ".join(_show(c) for c in shown) + (f", +{more:,} more" if more else "")


def check_column(rule: ColumnRule, array: pa.Array, sink: Collector) -> None:
    """Hand ``sink`` every row of ``array`` that breaks ``rule``."""
    array = plain(array)
    valid = valid_mask(array)
    if not rule.nullable:
        sink.rows(rule.name, "null", ~valid, array, lambda _: "null, but the reference has none.")
    checker = _CHECKERS.get(rule.family)
    if checker is not None:
        checker(rule, array, valid, sink)


def clean_numbers(rules: Sequence[ColumnRule], arrays: Sequence[pa.Array]) -> list[bool]:
    """For each column, whether it is numeric and certainly breaks none of its rule's checks.

    All the plain numeric columns (integer or float values, no nulls, no categories) are
    checked at once as one matrix, where :func:`check_column` would spend most of its time on
    per-column overhead; a column that is not plain, or may break a rule, is ``False`` (check
    it with :func:`check_column`, which finds and describes its violations).

    >>> from shiftwatch.schema.rules import ColumnKind
    >>> rule = ColumnRule("x", ColumnKind.NUMERIC, "numeric", "double", maximum=2.0)
    >>> clean_numbers([rule, rule], [pa.array([1.0, 2.0]), pa.array([1.0, 3.0])])
    [True, False]
    """
    plain_columns = [
        i
        for i, (rule, array) in enumerate(zip(rules, arrays, strict=True))
        if rule.family == "numeric"
        and rule.categories is None
        and array.null_count == 0
        and (pa.types.is_floating(array.type) or pa.types.is_integer(array.type))
    ]
    clean = [False] * len(rules)
    if not plain_columns or len(arrays[plain_columns[0]]) == 0:
        return clean
    values = np.column_stack(
        [arrays[i].to_numpy().astype(np.float64, copy=False) for i in plain_columns]
    )
    # per column: allow_nan, allow_inf, integer, minimum, maximum (no bound: infinite)
    limits = np.array(
        [
            (
                rule.allow_nan,
                rule.allow_inf,
                rule.integer,
                -np.inf if rule.minimum is None else rule.minimum,
                np.inf if rule.maximum is None else rule.maximum,
            )
            for rule in (rules[i] for i in plain_columns)
        ],
        dtype=np.float64,
    )
    finite = np.isfinite(values)
    broken = (finite & ((values < limits[:, 3]) | (values > limits[:, 4]))).any(axis=0)
    if not finite.all():
        nan = np.isnan(values)
        broken |= nan.any(axis=0) & (limits[:, 0] == 0)
        broken |= (~finite & ~nan).any(axis=0) & (limits[:, 1] == 0)
    integer = limits[:, 2] == 1
    if integer.any():
        broken |= (finite & (values != np.floor(values))).any(axis=0) & integer
    for i, is_broken in zip(plain_columns, broken.tolist(), strict=True):
        clean[i] = not is_broken
    return clean


def _check_type(
    rule: ColumnRule, array: pa.Array, valid: Mask, read: pa.Array, expected: str, sink: Collector
) -> Mask:
    """Report values that could not be read; return the mask of those that were."""
    was_read = valid_mask(read)
    sink.rows(rule.name, "type", valid & ~was_read, array, lambda v: f"{expected}, got {_show(v)}.")
    return was_read


def _check_numbers(rule: ColumnRule, array: pa.Array, valid: Mask, sink: Collector) -> None:
    numbers = converted(array, pa.float64(), "numeric", NUMBER)
    was_read = _check_type(rule, array, valid, numbers, "expected a number", sink)
    shown = array if value_family(array.type) == "numeric" else numbers
    values = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)
    finite = np.isfinite(values)
    name = rule.name
    if not rule.allow_nan:
        nan = was_read & np.isnan(values)
        sink.rows(name, "nan", nan, shown, lambda _: "NaN, but the reference has none.")
    if not rule.allow_inf:
        sink.rows(
            name, "inf", np.isinf(values), shown, lambda v: f"{v}, but the reference has none."
        )
    if rule.integer:
        fraction = finite & (values != np.floor(values))
        sink.rows(name, "type", fraction, shown, lambda v: f"expected an integer, got {_show(v)}.")
        finite &= ~fraction
    if rule.categories is not None:
        known = np.array([float(c) for c in rule.categories], dtype=np.float64)
        unknown = finite & ~np.isin(values, known)
        _unknown_categories(rule, unknown, shown, sink)
    _check_range(rule, (rule.minimum, rule.maximum), values, finite, shown, sink)


def _check_range(
    rule: ColumnRule,
    bounds: tuple[float | None, float | None],
    values: npt.NDArray[np.float64],
    finite: Mask,
    shown: pa.Array,
    sink: Collector,
    bound: Callable[[float], str] = _show,
) -> None:
    low, high = bounds
    if low is not None:
        below = finite & (values < low)
        sink.rows(
            rule.name,
            "below_min",
            below,
            shown,
            lambda v: f"{_show(v)} is below the minimum, {bound(low)}.",
        )
    if high is not None:
        above = finite & (values > high)
        sink.rows(
            rule.name,
            "above_max",
            above,
            shown,
            lambda v: f"{_show(v)} is above the maximum, {bound(high)}.",
        )


def _unknown_categories(rule: ColumnRule, unknown: Mask, shown: pa.Array, sink: Collector) -> None:
    assert rule.categories is not None
    known = _preview(rule.categories)
    say = f"is not a category of the reference ({known})."
    sink.rows(rule.name, "unknown_category", unknown, shown, lambda v: f"{_show(v)} {say}")


def _check_booleans(rule: ColumnRule, array: pa.Array, valid: Mask, sink: Collector) -> None:
    flags = to_booleans(array)
    was_read = _check_type(rule, array, valid, flags, "expected true or false", sink)
    if rule.categories is not None:
        values = to_mask(flags)
        unknown = was_read & ~np.isin(values, np.array(sorted(rule.categories), dtype=np.bool_))
        _unknown_categories(rule, unknown, flags, sink)


def _check_text(rule: ColumnRule, array: pa.Array, valid: Mask, sink: Collector) -> None:
    strings = to_text(array)
    was_read = _check_type(rule, array, valid, strings, "expected text", sink)
    name = rule.name
    if rule.categories is not None:
        known = pa.array(sorted(str(c) for c in rule.categories), pa.large_string())
        unknown = was_read & ~to_mask(pc.is_in(strings, value_set=known))
        _unknown_categories(rule, unknown, strings, sink)
    if rule.min_length is None and rule.max_length is None:
        return
    lengths = np.asarray(pc.fill_null(pc.utf8_length(strings), 0).to_numpy(), dtype=np.int64)
    if rule.min_length is not None:
        short = was_read & (lengths < rule.min_length)
        say = f"shorter than the minimum, {rule.min_length} characters."
        sink.rows(name, "too_short", short, strings, lambda v: f"{_show(v)} is {say}")
    if rule.max_length is not None:
        long = was_read & (lengths > rule.max_length)
        say = f"longer than the maximum, {rule.max_length} characters."
        sink.rows(name, "too_long", long, strings, lambda v: f"{_show(v)} is {say}")


def _check_times(rule: ColumnRule, array: pa.Array, valid: Mask, sink: Collector) -> None:
    target = temporal_type(rule.data_type)
    source = array.type
    if value_family(source) == "datetime" and (target is None or per_second(source, target)):
        stamps = array  # compared in its own unit: the bounds are scaled instead
    elif target is not None and value_family(source) == "text":
        stamps = parse(array, *text_target(target))
    else:
        stamps = pa.nulls(len(array), target)
    was_read = _check_type(rule, array, valid, stamps, "expected a date or time", sink)
    if target is None or not was_read.any() or (rule.minimum is None and rule.maximum is None):
        return
    scale = per_second(stamps.type, target)
    assert scale is not None
    storage = pa.int32() if stamps.type.bit_width == 32 else pa.int64()
    ints = stamps.view(storage).cast(pa.float64(), safe=False)
    values = np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.float64)

    def bound(value: float) -> str:
        try:
            return str(pa.array([round(value)], storage).view(stamps.type)[0].as_py())
        except (OverflowError, ValueError, pa.ArrowException):
            return f"{value:g}"

    bounds = tuple(None if b is None else b * scale for b in (rule.minimum, rule.maximum))
    _check_range(rule, (bounds[0], bounds[1]), values, was_read, stamps, sink, bound)


def _check_lists(rule: ColumnRule, array: pa.Array, valid: Mask, sink: Collector) -> None:
    if rule.shape is None and rule.item_type is None:
        return  # structs, binary and other types: only nulls are checked
    name = rule.name
    if not is_list(array.type):
        sink.rows(name, "type", valid, array, lambda v: f"expected a list, got {_show(v)}.")
        return
    item = type_layout(array.type)[1]
    if rule.item_type is not None and item != rule.item_type:
        message = f"Column {name!r}: expected {rule.item_type} items, got {item}."
        sink.column(name, "dtype", item, message)
    if rule.shape is not None:
        _check_shape(rule, rule.shape, array, sink)


def _check_shape(rule: ColumnRule, shape: Shape, array: pa.Array, sink: Collector) -> None:
    """Rows holding a list of another length than ``shape`` says, at any level."""
    wanted = "(" + ", ".join("?" if d is None else str(d) for d in shape)
    wanted += ",)" if len(shape) == 1 else ")"
    rows: npt.NDArray[np.int64] = np.arange(len(array), dtype=np.int64)
    flagged = np.zeros(len(array), dtype=np.bool_)
    for depth, (expected, level) in enumerate(zip(shape, list_levels(array), strict=False)):
        lengths = pc.list_value_length(level)
        wrong = to_mask(pc.not_equal(lengths, expected)) if expected is not None else None
        if wrong is not None and wrong.any():
            observed = np.asarray(pc.fill_null(lengths, 0).to_numpy(), dtype=np.int64)
            bad_rows, first = np.unique(rows[wrong], return_index=True)
            mask = np.zeros(len(array), dtype=np.bool_)
            mask[bad_rows] = True
            mask &= ~flagged
            flagged |= mask
            per_row = np.zeros(len(array), dtype=np.int64)
            per_row[bad_rows] = observed[wrong][first]
            where = f" at depth {depth + 1}" if depth else ""
            say = f"expected shape {wanted}, got a list of {{}} values{where}."
            sink.rows(rule.name, "shape", mask, pa.array(per_row), say.format)
        if depth + 1 < len(shape):
            rows = rows[np.asarray(pc.list_parent_indices(level).to_numpy(), dtype=np.int64)]


_CHECKERS: dict[str, Callable[[ColumnRule, pa.Array, Mask, Collector], None]] = {
    "numeric": _check_numbers,
    "boolean": _check_booleans,
    "text": _check_text,
    "datetime": _check_times,
    "other": _check_lists,
}
