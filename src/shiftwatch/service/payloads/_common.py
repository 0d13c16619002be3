"""What every payload parser shares: limits, JSON, scalars, CloudEvents headers, times, shapes.

Every check here raises :class:`PayloadError` naming the field at fault. Values are walked with
the field path built only when something is wrong, so reading a valid batch costs one pass.
"""

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from shiftwatch._validation import check_parameter
from shiftwatch.service.limits import MAX_DEPTH, MAX_FEATURES, MAX_ID_LENGTH, MAX_ROWS, id_problem
from shiftwatch.service.records import PayloadError

__all__ = ["MAX_DEPTH", "MAX_FEATURES", "MAX_ID_LENGTH", "MAX_ROWS"]

_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1  # what a signed or unsigned 64-bit integer can hold
_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9})\d*)?([Zz]|[+-]\d{2}:\d{2})?"
)


class Invalid(Exception):
    """A value rejected by a converter; the caller knows where it was and says so."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe(value: object) -> str:
    """A short description of a received value for an error message.

    >>> describe("n/a"), describe({"a": 1}), describe([1, 2]), describe("x" * 100)[-4:]
    ("'n/a'", 'an object', 'a list', 'x...')
    """
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "..."


def _refuse_constant(name: str) -> Any:
    raise PayloadError("body", f"{name} is not JSON; send null for a missing value")


def _nan_as_null(name: str) -> Any:
    if name == "NaN":
        return None
    return _refuse_constant(name)


def load_json(data: bytes | str, field: str = "body", *, nan_as_null: bool = False) -> Any:
    """Parse JSON text; NaN, Infinity, bad UTF-8 and runaway nesting raise PayloadError.

    With ``nan_as_null``, the token NaN (which Python's ``json`` writes for a float NaN) is
    read as null, a missing value; Infinity is still refused.

    >>> load_json(b'{"instances": [[1, 2.5]]}')
    {'instances': [[1, 2.5]]}
    >>> load_json(b'[NaN]')
    Traceback (most recent call last):
    ...
    shiftwatch.service.records.PayloadError: body: NaN is not JSON; send null for a missing value
    """
    try:
        return json.loads(data, parse_constant=_nan_as_null if nan_as_null else _refuse_constant)
    except PayloadError as error:
        raise PayloadError(field, error.message) from None
    except RecursionError:
        raise PayloadError(field, "JSON nested too deeply to read") from None
    except UnicodeDecodeError:
        raise PayloadError(field, "not valid UTF-8 text") from None
    except ValueError as error:  # json.JSONDecodeError, and integers of more than 4300 digits
        raise PayloadError(field, f"not valid JSON ({error})") from None


def check_scalar(value: Any) -> Any:
    """Return a JSON scalar unchanged if shiftwatch can store it, else raise :class:`Invalid`.

    Accepted: null, booleans, integers that fit in 64 bits, finite numbers, and text that is
    valid Unicode (no lone surrogates).

    >>> check_scalar(2.5), check_scalar("setosa"), check_scalar(None)
    (2.5, 'setosa', None)
    """
    kind = type(value)
    if kind is float:
        if math.isfinite(value):
            return value
        raise Invalid(f"expected a finite number, got {describe(value)}")
    if kind is str:
        return value if value.isascii() else check_text(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if _INT_MIN <= value <= _INT_MAX:
            return value
        raise Invalid("integer does not fit in 64 bits")
    raise Invalid(f"expected a number, string, boolean or null, got {describe(value)}")


def check_text(value: str) -> str:
    """Return ``value`` if it encodes as UTF-8 (it has no lone surrogate), else raise Invalid."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Invalid("text holds an unpaired surrogate (\\ud800-\\udfff)") from None
    return value


def check_value(item: object, field: str, depth: int = 0) -> Any:
    """Check one feature value or prediction: a scalar, or nested lists of scalars.

    >>> check_value([[1, 2], [3, 4]], "body.instances[0]")
    [[1, 2], [3, 4]]
    >>> check_value({"b64": "..."}, "body.instances[0]")
    Traceback (most recent call last):
    ...
    shiftwatch.service.records.PayloadError: body.instances[0]: expected a number, string, boolean or null, got an object
    """  # noqa: E501
    if not isinstance(item, list):
        try:
            return check_scalar(item)
        except Invalid as bad:
            raise PayloadError(field, bad.message) from None
    if depth >= MAX_DEPTH:
        raise PayloadError(field, f"lists nested more than {MAX_DEPTH} deep")
    out = []
    for i, element in enumerate(item):
        if isinstance(element, list):
            out.append(check_value(element, f"{field}[{i}]", depth + 1))
        else:
            try:
                out.append(check_scalar(element))
            except Invalid as bad:
                raise PayloadError(f"{field}[{i}]", bad.message) from None
    return out


def flatten(
    data: object, convert: Callable[[object], Any], field: str, out: list[Any], depth: int = 0
) -> None:
    """Append the scalars of (nested) list ``data`` to ``out`` in row-major order, converted."""
    if not isinstance(data, list):
        raise PayloadError(field, f"expected a list, got {describe(data)}")
    if depth >= MAX_DEPTH:
        raise PayloadError(field, f"lists nested more than {MAX_DEPTH} deep")
    for i, element in enumerate(data):
        if isinstance(element, list):
            flatten(element, convert, f"{field}[{i}]", out, depth + 1)
        else:
            try:
                out.append(convert(element))
            except Invalid as bad:
                raise PayloadError(f"{field}[{i}]", bad.message) from None


def unwrap(prediction: Any) -> Any:
    """A one-element list is the value it holds (a [N, 1] output is N scalars).

    >>> unwrap([1]), unwrap([0.2, 0.8]), unwrap("setosa")
    (1, [0.2, 0.8], 'setosa')
    """
    if isinstance(prediction, list) and len(prediction) == 1:
        return prediction[0]
    return prediction


def required(obj: dict[str, Any], key: str, field: str) -> Any:
    """``obj[key]``; PayloadError naming ``field.key`` when it is missing or null."""
    item = obj.get(key)
    if item is None:
        raise PayloadError(f"{field}.{key}", "is missing")
    return item


def as_object(item: object, field: str) -> dict[str, Any]:
    """``item`` if it is a JSON object, else PayloadError."""
    if not isinstance(item, dict):
        raise PayloadError(field, f"expected an object, got {describe(item)}")
    return item


def as_list(item: object, field: str) -> list[Any]:
    """``item`` if it is a JSON list, else PayloadError."""
    if not isinstance(item, list):
        raise PayloadError(field, f"expected a list, got {describe(item)}")
    return item


def as_text(item: object, field: str) -> str:
    """``item`` if it is a JSON string (valid Unicode), else PayloadError."""
    if not isinstance(item, str):
        raise PayloadError(field, f"expected a string, got {describe(item)}")
    try:
        return check_text(item)
    except Invalid as bad:
        raise PayloadError(field, bad.message) from None


def check_rows(n: int, field: str) -> int:
    """``n`` if a batch of ``n`` rows is within :data:`MAX_ROWS`, else PayloadError."""
    if n > MAX_ROWS:
        raise PayloadError(field, f"a batch of {n} rows is more than the limit of {MAX_ROWS}")
    return n


def check_features(n: int, field: str) -> int:
    """``n`` if ``n`` features are within :data:`MAX_FEATURES`, else PayloadError."""
    if n > MAX_FEATURES:
        raise PayloadError(field, f"{n} features are more than the limit of {MAX_FEATURES}")
    return n


def check_feature_names(owner: str, names: Sequence[str] | None) -> list[str] | None:
    """The caller's feature names as a list: distinct strings, or InvalidParameterError."""
    if names is None:
        return None
    check_parameter(
        owner,
        "feature_names",
        names,
        lambda ns: (
            not isinstance(ns, str)
            and all(isinstance(n, str) for n in ns)
            and len(set(ns)) == len(ns)
        ),
        "a sequence of distinct strings",
    )
    return list(names)


def positional(values: list[Any], names: Sequence[str] | None, field: str) -> dict[str, Any]:
    """Map a list of feature values to names by position ("0", "1", ... without names)."""
    check_features(len(values), field)
    if names is not None and len(names) != len(values):
        raise PayloadError(
            field, f"holds {len(values)} values but feature_names gives {len(names)} names"
        )
    checked = check_value(values, field)
    if names is None:
        return {str(j): item for j, item in enumerate(checked)}
    return dict(zip(names, checked, strict=True))


def named(values: dict[str, Any], field: str) -> dict[str, Any]:
    """Check an object of feature name -> value."""
    check_features(len(values), field)
    checked = {}
    for name, item in values.items():
        check_name(name, field)
        if type(item) is list:
            checked[name] = check_value(item, f"{field}.{name}")
            continue
        try:
            checked[name] = check_scalar(item)
        except Invalid as bad:
            raise PayloadError(f"{field}.{name}", bad.message) from None
    return checked


def check_name(name: str, field: str) -> str:
    """A feature or column name read from a payload: text without lone surrogates."""
    try:
        return check_text(name)
    except Invalid as bad:
        raise PayloadError(field, f"a name {describe(name)}: {bad.message}") from None


def timestamp(raw: object, field: str) -> float:
    """Seconds since the epoch for an RFC 3339 / ISO 8601 date-time; no zone means UTC.

    Fractions beyond microseconds are dropped (CloudEvents from Go carry nanoseconds).

    >>> timestamp("1970-01-02T00:00:00.5Z", "header ce-time")
    86400.5
    >>> timestamp("2024-01-01T01:00:00+01:00", "t") == timestamp("2024-01-01T00:00:00", "t")
    True
    """
    if not isinstance(raw, str):
        raise PayloadError(field, f"expected a date-time string, got {describe(raw)}")
    match = _TIME.fullmatch(raw.strip())
    if match is None:
        raise PayloadError(field, f"expected an RFC 3339 date-time, got {describe(raw)}")
    day, clock, fraction, zone = match.groups()
    normal = f"{day}T{clock}"
    if fraction:
        normal += "." + fraction[:6].ljust(6, "0")
    if zone:
        normal += "+00:00" if zone in "Zz" else zone
    try:
        moment = datetime.fromisoformat(normal)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError) as error:
        raise PayloadError(field, f"not a valid date-time ({error})") from None


def event_id(raw: object, field: str) -> str:
    """A non-empty id of at most :data:`MAX_ID_LENGTH` characters without NUL, as text."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise PayloadError(field, f"expected a string, got {describe(raw)}")
    problem = id_problem(raw)
    if problem is not None:
        raise PayloadError(field, problem)
    try:
        return check_text(raw)
    except Invalid as bad:
        raise PayloadError(field, bad.message) from None


def lower_headers(headers: Mapping[str, object]) -> dict[str, str]:
    """Header names lower-cased; a value that is not text raises PayloadError."""
    if not isinstance(headers, Mapping):
        raise PayloadError("headers", f"expected a mapping, got {describe(headers)}")
    lowered: dict[str, str] = {}
    for name, raw in headers.items():
        key = str(name).lower()
        if not isinstance(raw, str):
            raise PayloadError(f"header {key}", f"expected text, got {describe(raw)}")
        lowered[key] = raw
    return lowered


def cloud_event(
    headers: dict[str, str], types: Mapping[str, str], id_headers: Sequence[str] = ("ce-id",)
) -> tuple[str, str, float | None]:
    """Read a binary-mode CloudEvent's id, part (from ``types``: ce-type -> part) and time.

    The id is the first of ``id_headers`` present and not blank; ``ce-time`` is optional.

    >>> cloud_event({"ce-id": "a1", "ce-type": "t.request"}, {"t.request": "request"})
    ('a1', 'request', None)
    """
    version = headers.get("ce-specversion")
    if version is not None and version.strip() not in ("1.0", "0.3", "0.2"):
        raise PayloadError(
            "header ce-specversion", f"expected 1.0 (or 0.3, 0.2), got {describe(version)}"
        )
    present = [name for name in id_headers if headers.get(name, "").strip()]
    if not present:
        raise PayloadError(f"header {id_headers[-1]}", "is missing")
    identifier = event_id(headers[present[0]], f"header {present[0]}")
    kind = headers.get("ce-type")
    if kind is None:
        raise PayloadError("header ce-type", "is missing")
    part = types.get(kind.strip())
    if part is None:
        expected = ", ".join(sorted(types))
        raise PayloadError("header ce-type", f"expected one of {expected}, got {describe(kind)}")
    moment = headers.get("ce-time")
    when = None if moment is None or not moment.strip() else timestamp(moment, "header ce-time")
    return identifier, part, when
