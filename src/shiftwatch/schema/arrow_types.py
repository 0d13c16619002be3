"""Arrow types read for validation: list layouts, and dates, times and their units.

A type is met either as a ``pa.DataType`` (in a batch) or as its text (in a profile, which
stores ``str(data_type)``); both are read to the same answers here.
"""

import re
from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

_TEMPORAL = re.compile(r"^(timestamp|time32|time64|duration|date32|date64)\[(\w+)(?:, tz=(.+))?\]$")
_LIST = re.compile(r"^(?:large_)?list(?:_view)?<[^:<>]*: (?P<item>.*)>$")
_FIXED_LIST = re.compile(r"^fixed_size_list<[^:<>]*: (?P<item>.*)>\[(?P<size>\d+)\]$")
_TICKS = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}

Shape = tuple[int | None, ...]


def list_layout(data_type: str) -> tuple[Shape, str] | None:
    """Lengths per nesting level and item type, from an Arrow list type's text."""
    shape: list[int | None] = []
    while True:
        data_type = data_type.removesuffix(" not null")
        if match := _FIXED_LIST.match(data_type):
            shape.append(int(match["size"]))
        elif match := _LIST.match(data_type):
            shape.append(None)
        else:
            return (tuple(shape), data_type) if shape else None
        data_type = match["item"]


def type_layout(data_type: pa.DataType) -> tuple[Shape, str]:
    """Lengths per nesting level (fixed sizes only) and item type's text, from an Arrow type."""
    shape: list[int | None] = []
    while is_list(data_type):
        shape.append(data_type.list_size if pa.types.is_fixed_size_list(data_type) else None)
        data_type = data_type.value_type
    return tuple(shape), str(data_type)


def is_list(data_type: pa.DataType) -> bool:
    """Whether ``data_type`` is a list of any kind: large, fixed-size or view."""
    types = pa.types
    return bool(
        types.is_list(data_type)
        or types.is_large_list(data_type)
        or types.is_fixed_size_list(data_type)
        or types.is_list_view(data_type)
        or types.is_large_list_view(data_type)
    )


def list_levels(array: pa.Array) -> Iterator[pa.Array]:
    """The lists at each nesting level, the first being ``array`` itself."""
    while is_list(array.type):
        yield array
        array = pc.list_flatten(array)


def temporal_type(data_type: str) -> pa.DataType | None:
    """The Arrow type of a date, time, timestamp or duration from its text, else None."""
    match = _TEMPORAL.match(data_type)
    if match is None:
        return None
    name, unit, zone = match.groups()
    builders: dict[str, Callable[[], pa.DataType]] = {
        "timestamp": lambda: pa.timestamp(unit, zone),
        "time32": lambda: pa.time32(unit),
        "time64": lambda: pa.time64(unit),
        "duration": lambda: pa.duration(unit),
        "date32": pa.date32,
        "date64": pa.date64,
    }
    try:
        return builders[name]()
    except (ValueError, TypeError, pa.ArrowException):
        return None


def _clock(data_type: pa.DataType) -> str:
    """What a temporal type measures: "point" (dates, timestamps), "time" or "duration"."""
    if pa.types.is_time(data_type):
        return "time"
    return "duration" if pa.types.is_duration(data_type) else "point"


def per_second(data_type: pa.DataType, reference: pa.DataType) -> float | None:
    """Stored units of ``data_type`` per stored unit of ``reference``; None if incomparable."""

    def ticks(t: pa.DataType) -> float:
        if pa.types.is_date32(t):
            return 1 / 86_400
        return 1e3 if pa.types.is_date64(t) else _TICKS[t.unit]

    if _clock(data_type) != _clock(reference):
        return None
    return ticks(data_type) / ticks(reference)
