"""Malformed payloads, generated: the parsers raise PayloadError naming a field, nothing else."""

import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.service.payloads import parse_bentoml_lines, parse_kserve, parse_seldon
from shiftwatch.service.payloads.kserve import CE_TYPES as KSERVE_TYPES
from shiftwatch.service.payloads.seldon import CE_TYPES as SELDON_TYPES
from shiftwatch.service.records import Event, PayloadError

FUZZ = settings(max_examples=200, deadline=None)

# Words the parsers look for, so that generated objects often look almost right.
KEYS = [
    "instances",
    "predictions",
    "inputs",
    "outputs",
    "name",
    "shape",
    "datatype",
    "data",
    "parameters",
    "content_type",
    "names",
    "ndarray",
    "tensor",
    "values",
    "request",
    "response",
    "truth",
    "jsonData",
    "request_id",
    "timestamp",
    "prediction",
    "target",
]
WORDS = ["FP32", "INT8", "UINT64", "BOOL", "BYTES", "pd", "NaN", "Infinity", "", "predict_proba"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=-3, max_value=5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(WORDS)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)

GOOD_BODIES: list[Any] = [
    {"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]},
    {"instances": [{"a": 1, "b": [1, 2]}]},
    {"predictions": [1, [0.2, 0.8]]},
    {
        "parameters": {"content_type": "pd"},
        "inputs": [
            {"name": "a", "shape": [2, 1], "datatype": "INT64", "data": [1, 2]},
            {"name": "b", "shape": [2], "datatype": "BYTES", "data": ["x", "y"]},
        ],
    },
    {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4]]}]},
    {
        "model_name": "m",
        "model_version": None,
        "parameters": None,
        "outputs": [{"name": "predict_proba", "shape": [1, 2], "datatype": "FP64", "data": [1, 0]}],
    },
    {"data": {"names": ["a", "b"], "ndarray": [[1, 2]]}},
    {"data": {"tensor": {"shape": [1, 2], "values": [1, 2]}}},
    {"request": {"data": {"ndarray": [[1]]}}, "truth": {"data": {"ndarray": [[0]]}}},
]


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid body with one subtree, chosen at random, replaced by a random JSON value."""
    body = json.loads(json.dumps(draw(st.sampled_from(GOOD_BODIES))))
    holder: Any = None
    key: Any = None
    node = body
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        key = draw(
            st.sampled_from(sorted(node))
            if isinstance(node, dict)
            else st.integers(0, len(node) - 1)
        )
        holder, node = node, node[key]
    replacement = draw(json_values)
    if holder is None:
        return replacement
    holder[key] = replacement
    return body


def to_bytes(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False).encode()


raw_bodies = (
    mutated().map(to_bytes)
    | json_values.map(to_bytes)
    | st.binary(max_size=64)
    | st.text(alphabet='[]{}",:0123456789.eE-+ NaInfinitytruefalsenul\\u', max_size=40).map(
        str.encode
    )
)

header_names = st.sampled_from(
    [
        "ce-id",
        "Ce-Id",
        "ce-type",
        "CE-TYPE",
        "ce-time",
        "ce-specversion",
        "ce-requestid",
        "ce-protocol",
    ]
) | st.text(max_size=12)
header_values = (
    st.sampled_from([*KSERVE_TYPES, *SELDON_TYPES, "1.0", "v2", "seldon", "tensorflow", "", " "])
    | st.text(max_size=30)
    | st.datetimes().map(lambda moment: moment.isoformat() + "Z")
)
any_headers = st.dictionaries(header_names, header_values, max_size=8)


def only_payload_errors(parse: Callable[[], Any]) -> Any:
    """Run ``parse``; a PayloadError must name a field and read "<field>: <message>"."""
    try:
        return parse()
    except PayloadError as error:
        refused = error
    assert refused.field
    assert refused.message
    assert str(refused) == f"{refused.field}: {refused.message}"
    return refused


def check_event(event: Event, source: str) -> None:
    assert event.source == source
    assert event.event_id.strip()
    assert event.part in ("request", "response", "whole", "feedback")
    assert isinstance(event.rows, tuple)
    for row in event.rows:
        assert row.inputs is None or isinstance(row.inputs, dict)
    json.dumps([row.__dict__ for row in event.rows], allow_nan=False)  # storable as JSON


@FUZZ
@given(headers=any_headers, body=raw_bodies)
def test_kserve_fuzzed_headers_and_bodies_only_raise_payload_error(
    headers: dict[str, str], body: bytes
) -> None:
    result = only_payload_errors(lambda: parse_kserve(headers, body))
    if isinstance(result, Event):
        check_event(result, "kserve")


@FUZZ
@given(ce_type=st.sampled_from(sorted(KSERVE_TYPES)), body=raw_bodies)
def test_kserve_fuzzed_bodies_only_raise_payload_error(ce_type: str, body: bytes) -> None:
    headers = {"ce-id": "e", "ce-type": ce_type}
    for names in (None, ["a", "b"], ["a", "b", "c", "d"]):
        result = only_payload_errors(lambda names=names: parse_kserve(headers, body, names))
        if isinstance(result, Event):
            check_event(result, "kserve")
        else:
            assert result.field.startswith("body")


@FUZZ
@given(
    ce_type=st.sampled_from(sorted(SELDON_TYPES)),
    protocol=st.sampled_from(["seldon", "v2", "tensorflow", "kfserving"]),
    body=raw_bodies,
)
def test_seldon_fuzzed_bodies_only_raise_payload_error(
    ce_type: str, protocol: str, body: bytes
) -> None:
    headers = {"ce-requestid": "r", "ce-type": ce_type, "ce-protocol": protocol}
    result = only_payload_errors(lambda: parse_seldon(headers, body, ["a", "b"]))
    if isinstance(result, Event):
        check_event(result, "seldon")
    else:
        assert result.field.startswith("body")


@FUZZ
@given(headers=any_headers, body=raw_bodies)
def test_seldon_fuzzed_headers_only_raise_payload_error(
    headers: dict[str, str], body: bytes
) -> None:
    result = only_payload_errors(lambda: parse_seldon(headers, body))
    if isinstance(result, Event):
        check_event(result, "seldon")


@FUZZ
@given(headers=any_headers, body=raw_bodies)
def test_headers_without_a_known_ce_type_are_refused_naming_a_header(
    headers: dict[str, str], body: bytes
) -> None:
    broken = {k: v for k, v in headers.items() if k.lower() != "ce-type"}
    broken["ce-type"] = "com.example.not-an-inference-event"
    for parse in (parse_kserve, parse_seldon):
        result = only_payload_errors(lambda parse=parse: parse(broken, body))
        assert isinstance(result, PayloadError)
        assert result.field.startswith("header ")


@FUZZ
@given(headers=any_headers, ce_type=st.sampled_from(sorted(KSERVE_TYPES)))
def test_headers_without_an_id_are_refused_naming_ce_id(
    headers: dict[str, str], ce_type: str
) -> None:
    broken = {k: v for k, v in headers.items() if k.lower() not in ("ce-id", "ce-type")}
    broken["ce-type"] = ce_type
    result = only_payload_errors(lambda: parse_kserve(broken, b'{"instances": [[1]]}'))
    assert isinstance(result, PayloadError)
    assert result.field.startswith("header ce-")


@FUZZ
@given(body=st.one_of(json_values.filter(lambda v: not isinstance(v, dict)).map(to_bytes)))
def test_bodies_that_are_not_objects_are_refused_naming_the_body(body: bytes) -> None:
    headers = {"ce-id": "e", "ce-type": "org.kubeflow.serving.inference.request"}
    result = only_payload_errors(lambda: parse_kserve(headers, body))
    assert isinstance(result, PayloadError)
    assert result.field == "body"


bentoml_lines = st.lists(
    mutated().map(to_bytes)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), json_values, max_size=5).map(
        to_bytes
    )
    | st.binary(max_size=20),
    max_size=6,
).map(b"\n".join)


@FUZZ
@given(
    body=bentoml_lines,
    roles=st.none()
    | st.dictionaries(
        st.sampled_from(KEYS), st.sampled_from(["feature", "prediction", "target", "other"])
    ),
)
def test_bentoml_fuzzed_lines_only_raise_payload_error(
    body: bytes, roles: dict[str, str] | None
) -> None:
    result = only_payload_errors(lambda: parse_bentoml_lines(body, roles))
    if isinstance(result, PayloadError):
        assert result.field == "body" or result.field.startswith("line ")
    else:
        for event in result:
            check_event(event, "bentoml")
