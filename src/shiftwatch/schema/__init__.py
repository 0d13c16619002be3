"""Schemas: the rules reference data follows, and the violations a batch commits against them.

:meth:`Schema.infer` reads the rules off a reference (a :class:`~shiftwatch.profile.Profile`,
or any data ``Profile.from_data`` reads); :meth:`Schema.check` finds, with vectorised masks,
the rows of a batch that break them. Bad rows are data: they become :class:`Violation`
records and are never raised. At most ``max_per_rule`` violations are recorded per column and
rule, and all are counted. Rows are numbered from 0 in the order the batch holds them.

| rule              | fires when a value...                                                   |
|-------------------|-------------------------------------------------------------------------|
| missing_column    | (column-level) a reference column is not in the batch                   |
| unexpected_column | (column-level) a batch column is not in the reference                   |
| type              | cannot be read as the column's family ('n/a' in a number column), or    |
|                   | is fractional in an integer column                                      |
| null              | is null in a column without missing values in the reference             |
| nan               | is NaN in a number column without missing values in the reference       |
| inf               | is infinite in a number column without infinities in the reference      |
| below_min         | is under the range's minimum (numbers, times; see below)                |
| above_max         | is over the range's maximum                                             |
| unknown_category  | is not a category of the reference (categorical and boolean columns     |
|                   | whose reference categories were counted exactly)                        |
| too_short         | is a string shorter than the reference's, widened by the tolerance      |
| too_long          | is a string longer than the reference's, widened by the tolerance       |
| shape             | is a list whose length differs from the reference's constant length,    |
|                   | at any nesting level (fixed-size list types, or lengths seen constant)  |
| dtype             | (column-level) the list items have another Arrow type than the reference |

Number and time ranges are set for a stated false-violation rate: a clean value falls outside
with probability at most ``rate`` (default 1e-4), from tails fitted to the reference's extreme
quantiles (:mod:`shiftwatch.schema.ranges`, which gives the method and the rates measured);
each rule's ``range_rule`` says how its range was set, and ``shiftwatch show`` prints it. A
range is never narrower than the observed ``[min, max]`` widened by the tolerance to
``[min - t*(max - min), max + t*(max - min)]``; with ``rate=None`` (or fewer than 100 reference
values) the tolerance alone sets it: ``tolerance=0`` then allows the observed range exactly,
and a column constant in the reference allows that value only. Numbers are compared as
float64, times as the integers Arrow stores (scaled between units), string lengths in code
points. A column with a category set is checked against it, not against a range or lengths.

In a number column null and NaN both count as missing, since readers turn one into the other
(pandas and CSV write NaN as null): either is allowed when the reference had either, and the
rule name says which one the batch holds. A CSV batch is read with every checked column as
text, so that a bad value is one ``type`` violation, not a failed read.
"""

from shiftwatch.schema.ranges import DEFAULT_RATE
from shiftwatch.schema.rules import RULES, ColumnRule, ValidationResult, Violation
from shiftwatch.schema.schema import (
    DEFAULT_MAX_PER_RULE,
    DEFAULT_TOLERANCE,
    FORMAT,
    FORMAT_VERSION,
    Schema,
)

__all__ = [
    "DEFAULT_MAX_PER_RULE",
    "DEFAULT_RATE",
    "DEFAULT_TOLERANCE",
    "FORMAT",
    "FORMAT_VERSION",
    "RULES",
    "ColumnRule",
    "Schema",
    "ValidationResult",
    "Violation",
]
