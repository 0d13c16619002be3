"""Rules inferred from a reference: from a profile's summaries, and list shapes from raw data."""

import math
from dataclasses import replace
from typing import Any

import pyarrow.compute as pc

from shiftwatch.columns import ColumnKind
from shiftwatch.io.chunks import iter_chunks
from shiftwatch.profile import ColumnProfile
from shiftwatch.schema.arrow_types import Shape, list_layout, list_levels, temporal_type
from shiftwatch.schema.ranges import range_rule
from shiftwatch.schema.rules import ColumnRule


def _widen(low: float, high: float, tolerance: float) -> tuple[float | None, float | None]:
    margin = tolerance * (high - low)
    low, high = low - margin, high + margin
    return (low if math.isfinite(low) else None), (high if math.isfinite(high) else None)


def _range(
    column: ColumnProfile, tolerance: float, rate: float | None
) -> tuple[float | None, float | None, str]:
    """The range of a number or time column: the wider of the rate's and the tolerance's."""
    assert column.moments is not None
    low, high = _widen(column.moments.min, column.moments.max, tolerance)
    widened = f"observed range widened by {tolerance:g} of its width on each side"
    fitted = None
    if rate is not None and column.quantiles is not None and not column.quantiles.is_empty():
        fitted = range_rule(column.quantiles, rate)
    if fitted is None:
        reason = "" if rate is None else f"too few values for a stated rate; {widened}"
        return low, high, reason or widened
    fitted_low, fitted_high, text = fitted
    low = fitted_low if low is None else min(low, fitted_low)
    high = fitted_high if high is None else max(high, fitted_high)
    return low, high, f"{text}; never narrower than the {widened}"


def column_rule(column: ColumnProfile, tolerance: float, rate: float | None = None) -> ColumnRule:
    """The rule of one column from its summaries (ranges: see :mod:`~shiftwatch.schema.ranges`)."""
    kind, family = column.kind, column.family
    rule = ColumnRule(column.name, kind, family, column.data_type, nullable=column.nulls > 0)
    frequencies = column.frequencies
    categorical = kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
    if categorical and frequencies is not None and frequencies.exact:
        rule = replace(rule, categories=frozenset(frequencies.counts))
    if family == "numeric":
        missing = column.missing > 0  # null or NaN: readers turn one into the other
        rule = replace(
            rule,
            nullable=missing,
            allow_nan=missing,
            allow_inf=column.infinite > 0,
            integer=column.integer,
        )
    if family in ("numeric", "datetime") and rule.categories is None:
        moments = column.moments
        known_unit = family == "numeric" or temporal_type(column.data_type) is not None
        if moments is not None and not moments.is_empty() and known_unit:
            low, high, reason = _range(column, tolerance, rate)
            rule = replace(rule, minimum=low, maximum=high, range_rule=reason)
    if family == "text" and rule.categories is None:
        lengths = column.lengths
        if lengths is not None and not lengths.is_empty():
            low, high = _widen(lengths.min, lengths.max, tolerance)
            rule = replace(
                rule,
                min_length=max(0, math.floor(low)) if low is not None else None,
                max_length=math.ceil(high) if high is not None else None,
            )
    layout = list_layout(column.data_type) if family == "other" else None
    if layout is not None:
        rule = replace(rule, shape=layout[0], item_type=layout[1])
    return rule


def observed_shapes(reference: Any, names: list[str]) -> dict[str, Shape]:
    """Per list column, the length at each level where it never varies in ``reference``."""
    extremes: dict[str, list[tuple[int | None, int | None]]] = {name: [] for name in names}
    for batch in iter_chunks(reference, role="reference").batches:
        for name in names:
            for depth, level in enumerate(list_levels(batch.column(name))):
                found = pc.min_max(pc.list_value_length(level)).as_py()
                seen = extremes[name]
                if depth == len(seen):
                    seen.append((None, None))
                low, high = seen[depth]
                if found["min"] is not None:
                    low = found["min"] if low is None else min(low, found["min"])
                    high = found["max"] if high is None else max(high, found["max"])
                seen[depth] = (low, high)
    return {
        name: tuple(low if low is not None and low == high else None for low, high in seen)
        for name, seen in extremes.items()
    }
