"""Tests of shiftwatch.service.payloads.kserve: KServe logger CloudEvents, v1 and v2 bodies."""

import json
from typing import Any

import pytest

from shiftwatch.errors import InvalidParameterError
from shiftwatch.service.payloads import MAX_FEATURES, MAX_ROWS, parse_kserve
from shiftwatch.service.records import Event, PayloadError, Row

IRIS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
EVENT_ID = "689b15e7-84a1-4e89-9805-20809efc216d"

# The sklearn-iris pair from FIELD-NOTES, headers as the logger writes them.
IRIS_REQUEST_HEADERS = {
    "ce-specversion": "1.0",
    "ce-type": "org.kubeflow.serving.inference.request",
    "ce-source": "http://localhost:9081/",
    "ce-id": EVENT_ID,
    "ce-inferenceservicename": "sklearn-iris",
    "ce-namespace": "default",
    "ce-component": "predictor",
    "ce-metadata": "{}",
    "Content-Type": "application/json",
}
IRIS_REQUEST_BODY = b'{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}'
IRIS_RESPONSE_HEADERS = {
    **IRIS_REQUEST_HEADERS,
    "ce-type": "org.kubeflow.serving.inference.response",
    "Content-Type": "application/x-www-form-urlencoded",  # the request's, reused by the logger
}
IRIS_RESPONSE_BODY = b'{"predictions": [1, 1]}'


def request(body: Any, **extra: str) -> tuple[dict[str, str], bytes]:
    headers = {"ce-id": "e-1", "ce-type": "org.kubeflow.serving.inference.request", **extra}
    return headers, json.dumps(body).encode()


def response(body: Any) -> tuple[dict[str, str], bytes]:
    headers = {"ce-id": "e-1", "ce-type": "org.kubeflow.serving.inference.response"}
    return headers, json.dumps(body).encode()


def inputs(event: Event) -> list[dict[str, Any] | None]:
    return [row.inputs for row in event.rows]


def outputs(event: Event) -> list[Any]:
    return [row.outputs for row in event.rows]


def tensor(name: str, shape: list[int], datatype: str, data: Any) -> dict[str, Any]:
    return {"name": name, "shape": shape, "datatype": datatype, "data": data}


# --- the sklearn-iris pair ---------------------------------------------------------------------


def test_iris_request_is_two_rows_named_by_feature_names() -> None:
    event = parse_kserve(IRIS_REQUEST_HEADERS, IRIS_REQUEST_BODY, IRIS)
    assert event == Event(
        EVENT_ID,
        "request",
        (
            Row(dict(zip(IRIS, [6.8, 2.8, 4.8, 1.4], strict=True))),
            Row(dict(zip(IRIS, [6.0, 3.4, 4.5, 1.6], strict=True))),
        ),
        timestamp=None,
        source="kserve",
    )


def test_iris_response_shares_the_id_and_is_read_whatever_the_content_type() -> None:
    event = parse_kserve(IRIS_RESPONSE_HEADERS, IRIS_RESPONSE_BODY, IRIS)
    assert (event.event_id, event.part, outputs(event)) == (EVENT_ID, "response", [1, 1])
    assert all(row.inputs is None and row.label is None for row in event.rows)


def test_list_instances_without_feature_names_are_named_by_position() -> None:
    event = parse_kserve(IRIS_REQUEST_HEADERS, IRIS_REQUEST_BODY)
    assert inputs(event)[0] == {"0": 6.8, "1": 2.8, "2": 4.8, "3": 1.4}


def test_header_names_are_case_insensitive() -> None:
    shouted = {name.upper(): value for name, value in IRIS_REQUEST_HEADERS.items()}
    assert parse_kserve(shouted, IRIS_REQUEST_BODY) == parse_kserve(
        IRIS_REQUEST_HEADERS, IRIS_REQUEST_BODY
    )


@pytest.mark.parametrize(
    ("ce_type", "part"),
    [
        ("org.kubeflow.serving.inference.request", "request"),
        ("org.kubeflow.serving.inference.response", "response"),
        ("io.kserve.inference.request", "request"),
        ("io.kserve.inference.response", "response"),
    ],
)
def test_both_families_of_ce_type_are_read(ce_type: str, part: str) -> None:
    body = IRIS_REQUEST_BODY if part == "request" else IRIS_RESPONSE_BODY
    assert parse_kserve({"ce-id": "x", "ce-type": ce_type}, body).part == part


@pytest.mark.parametrize(
    ("ce_time", "expected"),
    [
        ("2019-12-24T17:55:29.709146122Z", 1577210129.709146),
        ("2019-12-24T18:55:29+01:00", 1577210129.0),
        ("2019-12-24t17:55:29z", 1577210129.0),
        ("2019-12-24T17:55:29", 1577210129.0),
    ],
    ids=["nanoseconds-z", "offset", "lower-case", "no-zone-is-utc"],
)
def test_ce_time_is_seconds_since_the_epoch(ce_time: str, expected: float) -> None:
    headers = {**IRIS_REQUEST_HEADERS, "ce-time": ce_time}
    assert parse_kserve(headers, IRIS_REQUEST_BODY).timestamp == pytest.approx(expected, abs=1e-6)


def test_v1_object_instances_scalar_instances_and_vector_features() -> None:
    body = {"instances": [{"age": 40, "tags": [1, 2]}, {"age": None, "tags": []}]}
    assert inputs(parse_kserve(*request(body))) == body["instances"]
    assert inputs(parse_kserve(*request({"instances": ["good", "bad"]}), ["review"])) == [
        {"review": "good"},
        {"review": "bad"},
    ]


def test_v1_predictions_labels_numbers_and_probabilities() -> None:
    body = {"predictions": ["setosa", 2.5, [0.1, 0.9], [7], True]}
    assert outputs(parse_kserve(*response(body))) == ["setosa", 2.5, [0.1, 0.9], 7, True]


# --- Open Inference Protocol v2 ----------------------------------------------------------------

IRIS_V2_ROWS = [
    dict(zip(IRIS, [6.8, 2.8, 4.8, 1.4], strict=True)),
    dict(zip(IRIS, [6.0, 3.4, 4.5, 1.6], strict=True)),
]


@pytest.mark.parametrize(
    "data",
    [[6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6], [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]],
    ids=["flat", "nested"],
)
def test_v2_flat_and_nested_data_give_the_same_rows(data: list[Any]) -> None:
    body = {"id": "r", "inputs": [tensor("input-0", [2, 4], "FP32", data)]}
    assert inputs(parse_kserve(*request(body), IRIS)) == IRIS_V2_ROWS


def test_v2_single_2d_tensor_without_feature_names_names_its_columns() -> None:
    body = {"inputs": [tensor("input-0", [1, 2], "FP64", [1, 2])]}
    assert inputs(parse_kserve(*request(body))) == [{"input-0_0": 1.0, "input-0_1": 2.0}]


def test_v2_several_tensors_are_one_feature_each_named_by_the_tensor() -> None:
    body = {
        "inputs": [
            tensor("age", [2], "INT32", [40, 51]),
            tensor("income", [2, 1], "FP32", [[1.5], [2.5]]),
            tensor("city", [2], "BYTES", ["Oslo", "Rome"]),
            tensor("emb", [2, 2], "FP32", [0, 1, 2, 3]),
        ]
    }
    assert inputs(parse_kserve(*request(body), ["ignored"])) == [
        {"age": 40, "income": 1.5, "city": "Oslo", "emb_0": 0.0, "emb_1": 1.0},
        {"age": 51, "income": 2.5, "city": "Rome", "emb_0": 2.0, "emb_1": 3.0},
    ]


def test_mlserver_pd_content_type_is_one_feature_per_column() -> None:
    body = {
        "parameters": {"content_type": "pd"},
        "inputs": [
            tensor("age", [2, 1], "INT64", [40, 51]),
            {**tensor("name", [2, 1], "BYTES", ["a", "b"]), "parameters": {"content_type": "str"}},
            tensor("emb", [2, 2], "FP32", [0, 1, 2, 3]),
        ],
    }
    assert inputs(parse_kserve(*request(body))) == [
        {"age": 40, "name": "a", "emb": [0.0, 1.0]},
        {"age": 51, "name": "b", "emb": [2.0, 3.0]},
    ]


def test_mlserver_pd_single_column_is_named_by_its_tensor() -> None:
    body = {
        "parameters": {"content_type": "pd"},
        "inputs": [tensor("age", [2, 1], "INT64", [40, 51])],
    }
    assert inputs(parse_kserve(*request(body))) == [{"age": 40}, {"age": 51}]


def test_v2_image_tensor_is_one_vector_feature_per_instance() -> None:
    body = {"inputs": [tensor("image", [2, 2, 2], "UINT8", list(range(8)))]}
    assert inputs(parse_kserve(*request(body))) == [
        {"image": [[0, 1], [2, 3]]},
        {"image": [[4, 5], [6, 7]]},
    ]


def test_v2_datatypes_are_checked_and_floats_are_floats() -> None:
    body = {
        "inputs": [
            tensor("b", [3], "BOOL", [True, False, None]),
            tensor("u", [3], "UINT8", [0, 255, 7.0]),
            tensor("i", [3], "INT8", [-128, 127, 0]),
            tensor("h", [3], "FP16", [1, 0.5, None]),
        ]
    }
    assert inputs(parse_kserve(*request(body))) == [
        {"b": True, "u": 0, "i": -128, "h": 1.0},
        {"b": False, "u": 255, "i": 127, "h": 0.5},
        {"b": None, "u": 7, "i": 0, "h": None},
    ]


def test_v2_response_with_explicit_nulls() -> None:
    body = {
        "model_name": "sklearn-iris",
        "model_version": None,
        "id": "d3b15cad-50a2-4eaf-80ce-8b0a428bd298",
        "parameters": None,
        "outputs": [
            {
                "name": "output-0",
                "shape": [2],
                "datatype": "INT32",
                "parameters": None,
                "data": [1, 1],
            }
        ],
    }
    assert outputs(parse_kserve(*response(body))) == [1, 1]


@pytest.mark.parametrize(
    ("tensors", "expected"),
    [
        ([tensor("label", [2], "BYTES", ["cat", "dog"])], ["cat", "dog"]),
        ([tensor("y", [2, 1], "FP64", [0.5, 1.5])], [0.5, 1.5]),
        ([tensor("p", [2, 2], "FP32", [[0.25, 0.75], [1, 0]])], [[0.25, 0.75], [1.0, 0.0]]),
        (
            [
                tensor("predict", [2], "INT64", [1, 0]),
                tensor("predict_proba", [2, 2], "FP64", [0.1, 0.9, 0.8, 0.2]),
            ],
            [[0.1, 0.9], [0.8, 0.2]],
        ),
        (
            [
                tensor("logits", [1, 2], "FP32", [3, -1]),
                tensor("probabilities", [1, 2], "FP32", [0.9, 0.1]),
            ],
            [[0.9, 0.1]],
        ),
        (
            [tensor("first", [1], "INT64", [3]), tensor("second", [1], "INT64", [4])],
            [3],
        ),
    ],
    ids=["labels", "n-by-1", "probabilities", "predict-proba-wins", "probabilities-wins", "first"],
)
def test_v2_response_outputs(tensors: list[dict[str, Any]], expected: list[Any]) -> None:
    event = parse_kserve(*response({"model_name": "m", "outputs": tensors}))
    assert outputs(event) == expected


# --- limits ------------------------------------------------------------------------------------


def test_the_row_limit_is_inclusive() -> None:
    rows = [[1.0]] * MAX_ROWS
    assert len(parse_kserve(*request({"instances": rows})).rows) == MAX_ROWS
    with pytest.raises(PayloadError) as caught:
        parse_kserve(*request({"instances": [*rows, [1.0]]}))
    assert caught.value.field == "body.instances"


def test_the_feature_limit_is_inclusive() -> None:
    wide = [0] * MAX_FEATURES
    assert len(parse_kserve(*request({"instances": [wide]})).rows[0].inputs or {}) == MAX_FEATURES
    with pytest.raises(PayloadError) as caught:
        parse_kserve(*request({"instances": [[*wide, 0]]}))
    assert caught.value.field == "body.instances[0]"


def test_a_v2_shape_over_the_limits_is_refused_before_reading_data() -> None:
    body = {"inputs": [tensor("x", [MAX_ROWS + 1, 1], "FP32", [])]}
    with pytest.raises(PayloadError, match="more than the limit") as caught:
        parse_kserve(*request(body))
    assert caught.value.field == "body.inputs[0].shape"
    body = {"inputs": [tensor("x", [1, MAX_FEATURES + 1], "FP32", [0] * (MAX_FEATURES + 1))]}
    with pytest.raises(PayloadError, match="features are more than the limit"):
        parse_kserve(*request(body))


# --- refusals ----------------------------------------------------------------------------------

REQUEST_TYPE = "org.kubeflow.serving.inference.request"
GOOD_V2 = {"inputs": [tensor("x", [2, 2], "FP32", [1, 2, 3, 4])]}


def v2_with(**changes: Any) -> bytes:
    return json.dumps({"inputs": [{**GOOD_V2["inputs"][0], **changes}]}).encode()


BAD_HEADERS = [
    pytest.param({"ce-type": REQUEST_TYPE}, "header ce-id", id="missing-ce-id"),
    pytest.param({"ce-id": "  ", "ce-type": REQUEST_TYPE}, "header ce-id", id="blank-ce-id"),
    pytest.param({"ce-id": "x" * 1025, "ce-type": REQUEST_TYPE}, "header ce-id", id="long-ce-id"),
    pytest.param({"ce-id": "1"}, "header ce-type", id="missing-ce-type"),
    pytest.param({"ce-id": "1", "ce-type": "com.example.other"}, "header ce-type", id="unknown"),
    pytest.param(
        {"ce-id": "1", "ce-type": "io.seldon.serving.inference.request"},
        "header ce-type",
        id="seldon-type",
    ),
    pytest.param(
        {"ce-id": "1", "ce-type": REQUEST_TYPE, "ce-time": "yesterday"},
        "header ce-time",
        id="bad-ce-time",
    ),
    pytest.param(
        {"ce-id": "1", "ce-type": REQUEST_TYPE, "ce-time": "2024-02-30T00:00:00Z"},
        "header ce-time",
        id="impossible-date",
    ),
    pytest.param(
        {"ce-id": "1", "ce-type": REQUEST_TYPE, "ce-specversion": "9.9"},
        "header ce-specversion",
        id="bad-specversion",
    ),
]


@pytest.mark.parametrize(("headers", "field"), BAD_HEADERS)
def test_bad_headers_are_refused_naming_the_header(headers: dict[str, str], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_kserve(headers, IRIS_REQUEST_BODY)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


BAD_BODIES = [
    pytest.param(b"instances=1", "body", "not valid JSON", id="not-json"),
    pytest.param(b"\xff\xfe\x00", "body", "", id="not-utf8"),
    pytest.param(b"[1, 2]", "body", "expected an object", id="not-an-object"),
    pytest.param(b'{"instances": [[NaN]]}', "body", "NaN is not JSON", id="nan-token"),
    pytest.param(b'{"instances": [[1e999]]}', "body.instances[0][0]", "finite", id="inf"),
    pytest.param(b'{"instances": [[Infinity]]}', "body", "Infinity", id="infinity-token"),
    pytest.param(b'{"instances": [[' + b"9" * 30 + b"]]}", "body.instances[0][0]", "64", id="big"),
    pytest.param(b'{"instances": [["\\ud800"]]}', "body.instances[0][0]", "surrogate", id="utf16"),
    pytest.param(b'{"instances": [{"a": {"b64": "x"}}]}', "body.instances[0].a", "", id="object"),
    pytest.param(
        b'{"instances": ' + b"[" * 40 + b"]" * 40 + b"}",
        "body.instances" + "[0]" * 33,
        "more than 32 deep",
        id="deep",
    ),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, "body", "deeply", id="very-deep"),
    pytest.param(b'{"instances": 3}', "body.instances", "expected a list", id="instances-3"),
    pytest.param(b'{"predictions": [1]}', "body", "found neither", id="wrong-part"),
    pytest.param(b"{}", "body", "found neither", id="empty-object"),
    pytest.param(b'{"inputs": []}', "body.inputs", "no tensor", id="no-tensor"),
    pytest.param(b'{"inputs": [3]}', "body.inputs[0]", "expected an object", id="tensor-3"),
    pytest.param(v2_with(shape=None), "body.inputs[0].shape", "missing", id="no-shape"),
    pytest.param(v2_with(shape=[2, 3]), "body.inputs[0].data", "needs 6", id="shape-mismatch"),
    pytest.param(v2_with(shape=[3]), "body.inputs[0].data", "needs 3", id="shape-too-small"),
    pytest.param(v2_with(shape=[]), "body.inputs[0].shape", "batch", id="rank-0"),
    pytest.param(v2_with(shape=[2, "2"]), "body.inputs[0].shape[1]", "", id="shape-string"),
    pytest.param(v2_with(shape=[2, True]), "body.inputs[0].shape[1]", "", id="shape-bool"),
    pytest.param(v2_with(shape=[-1, 2]), "body.inputs[0].shape[0]", "got -1", id="negative"),
    pytest.param(v2_with(shape=[2, 0], data=[]), "body.inputs[0].shape[1]", "", id="zero-dim"),
    pytest.param(v2_with(shape=[2**64, 2]), "body.inputs[0].shape[0]", "", id="huge-dim"),
    pytest.param(v2_with(datatype="FLOAT"), "body.inputs[0].datatype", "FP32", id="datatype"),
    pytest.param(v2_with(datatype=None), "body.inputs[0].datatype", "missing", id="no-datatype"),
    pytest.param(v2_with(name=3), "body.inputs[0].name", "string", id="name-number"),
    pytest.param(v2_with(data=None), "body.inputs[0].data", "missing", id="no-data"),
    pytest.param(v2_with(data=[1, 2, 3, "NaN"]), "body.inputs[0].data[3]", "'NaN'", id="nan-str"),
    pytest.param(v2_with(data=[[1, 2], [3, True]]), "body.inputs[0].data[1][1]", "", id="bool"),
    pytest.param(
        v2_with(datatype="INT8", data=[1, 2, 3, 128]), "body.inputs[0].data[3]", "127", id="int8"
    ),
    pytest.param(
        v2_with(datatype="UINT8", data=[1, 2, 3, -1]), "body.inputs[0].data[3]", "", id="u8"
    ),
    pytest.param(
        v2_with(datatype="INT32", data=[1, 2, 3, 0.5]), "body.inputs[0].data[3]", "", id="frac"
    ),
    pytest.param(
        v2_with(datatype="BOOL", data=[1, 0, 1, 0]), "body.inputs[0].data[0]", "", id="bool-int"
    ),
    pytest.param(
        v2_with(datatype="BYTES", data=[1, 2, 3, 4]), "body.inputs[0].data[0]", "", id="bytes"
    ),
    pytest.param(
        json.dumps(
            {"inputs": [tensor("a", [2], "FP32", [1, 2]), tensor("b", [3], "FP32", [1, 2, 3])]}
        ).encode(),
        "body.inputs[1].shape",
        "3 instances",
        id="batch-sizes-differ",
    ),
    pytest.param(
        json.dumps(
            {"inputs": [tensor("a_0", [1], "FP32", [1]), tensor("a", [1, 2], "FP32", [1, 2])]}
        ).encode(),
        "body.inputs[1].name",
        "twice",
        id="duplicate-feature",
    ),
    pytest.param(
        json.dumps({"parameters": {"content_type": 5}, **GOOD_V2}).encode(),
        "body.parameters.content_type",
        "string",
        id="content-type-number",
    ),
]


@pytest.mark.parametrize(("body", "field", "words"), BAD_BODIES)
def test_bad_request_bodies_are_refused_naming_the_field(
    body: bytes, field: str, words: str
) -> None:
    headers = {"ce-id": "1", "ce-type": REQUEST_TYPE}
    with pytest.raises(PayloadError, match=words or None) as caught:
        parse_kserve(headers, body)
    assert caught.value.field == field


BAD_RESPONSES = [
    pytest.param({"predictions": [{"label": 1}]}, "body.predictions[0]", id="object-prediction"),
    pytest.param({"predictions": None}, "body.predictions", id="null-predictions"),
    pytest.param({"model_name": "m", "outputs": None}, "body.outputs", id="null-outputs"),
    pytest.param({"outputs": []}, "body.outputs", id="no-outputs"),
    pytest.param({"instances": [[1]]}, "body", id="request-body"),
    pytest.param(
        {"outputs": [tensor("p", [2, 2], "FP32", [1, 2, 3])]}, "body.outputs[0].data", id="short"
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_RESPONSES)
def test_bad_response_bodies_are_refused_naming_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_kserve(*response(body))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("body", "names", "field"),
    [
        ({"instances": [[1, 2, 3, 4]]}, IRIS[:3], "body.instances[0]"),
        ({"instances": [5]}, IRIS, "body.instances[0]"),
        ({"inputs": [tensor("x", [1, 4], "FP32", [1, 2, 3, 4])]}, IRIS[:3], "body.inputs[0].shape"),
    ],
    ids=["v1-list", "v1-scalar", "v2-columns"],
)
def test_feature_counts_must_match_feature_names(body: Any, names: list[str], field: str) -> None:
    with pytest.raises(PayloadError, match="feature_names") as caught:
        parse_kserve(*request(body), names)
    assert caught.value.field == field


@pytest.mark.parametrize("names", [["a", "a"], "ab", [1, 2]], ids=["duplicates", "string", "ints"])
def test_bad_feature_names_are_a_bad_call_not_a_bad_payload(names: Any) -> None:
    with pytest.raises(InvalidParameterError, match="feature_names"):
        parse_kserve(IRIS_REQUEST_HEADERS, IRIS_REQUEST_BODY, names)
