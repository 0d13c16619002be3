"""Tests of shiftwatch.service.payloads.seldon: Seldon Core v1 request-logger CloudEvents."""

import json
from typing import Any

import pytest

from shiftwatch.service.payloads import parse_seldon
from shiftwatch.service.records import PayloadError, Row

REQUEST = "io.seldon.serving.inference.request"
RESPONSE = "io.seldon.serving.inference.response"
FEEDBACK = "io.seldon.serving.feedback"
IRIS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def headers(ce_type: str, **extra: str) -> dict[str, str]:
    return {
        "Ce-Specversion": "1.0",
        "Ce-Id": "ce-7",
        "Ce-Requestid": "req-7",
        "Ce-Type": ce_type,
        "Ce-Source": "http://seldon-model-example:8000/",
        "Ce-Modelid": "classifier",
        "Ce-Time": "2024-05-01T12:00:00Z",
        **extra,
    }


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def test_ndarray_request_is_named_by_data_names() -> None:
    payload = {"data": {"names": IRIS, "ndarray": [[5.1, 3.5, 1.4, 0.2], [6.2, 3.4, 5.4, 2.3]]}}
    event = parse_seldon(headers(REQUEST, **{"Ce-Protocol": "seldon"}), body(payload), ["x"] * 1)
    assert (event.event_id, event.part, event.source) == ("req-7", "request", "seldon")
    assert event.timestamp == 1714564800.0
    assert event.rows == (
        Row(dict(zip(IRIS, [5.1, 3.5, 1.4, 0.2], strict=True))),
        Row(dict(zip(IRIS, [6.2, 3.4, 5.4, 2.3], strict=True))),
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [(None, {"0": 1, "1": 2}), (["a", "b"], {"a": 1, "b": 2})],
    ids=["positional", "feature-names"],
)
def test_ndarray_without_data_names_uses_feature_names(
    names: list[str] | None, expected: dict[str, Any]
) -> None:
    payload = {"data": {"names": [], "ndarray": [[1, 2]]}}
    assert parse_seldon(headers(REQUEST), body(payload), names).rows[0].inputs == expected


def test_one_dimensional_ndarray_is_one_feature_per_instance() -> None:
    payload = {"data": {"ndarray": ["good film", "bad film"]}}
    event = parse_seldon(headers(REQUEST), body(payload), ["review"])
    assert [row.inputs for row in event.rows] == [{"review": "good film"}, {"review": "bad film"}]


def test_tensor_request_is_reshaped() -> None:
    payload = {"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3, 4]}}}
    event = parse_seldon(headers(REQUEST), body(payload), ["a", "b"])
    assert [row.inputs for row in event.rows] == [{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": 4.0}]


def test_response_ndarray_is_probabilities_per_instance() -> None:
    payload = {
        "data": {"names": ["t:0", "t:1", "t:2"], "ndarray": [[0.0007, 0.0037, 0.9956]]},
        "meta": {"requestPath": {"classifier": "seldonio/sklearnserver:1.15.0"}},
    }
    event = parse_seldon(headers(RESPONSE), body(payload))
    assert event.part == "response"
    assert event.rows == (Row(None, outputs=[0.0007, 0.0037, 0.9956]),)


def test_response_tensor_of_one_column_is_a_number_per_instance() -> None:
    payload = {"data": {"names": ["proba"], "tensor": {"shape": [2, 1], "values": [0.2, 0.7]}}}
    assert [row.outputs for row in parse_seldon(headers(RESPONSE), body(payload)).rows] == [
        0.2,
        0.7,
    ]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ({"Ce-Requestid": "r", "Ce-Id": "c"}, "r"),
        ({"Ce-Requestid": " ", "Ce-Id": "c"}, "c"),
        ({"Ce-Id": "c"}, "c"),
    ],
    ids=["requestid-first", "blank-requestid", "no-requestid"],
)
def test_the_event_id_is_ce_requestid_then_ce_id(ids: dict[str, str], expected: str) -> None:
    given = {"ce-type": REQUEST, **ids}
    payload = body({"data": {"ndarray": [[1]]}})
    assert parse_seldon(given, payload).event_id == expected


@pytest.mark.parametrize("protocol", ["v2", "kfserving", "V2"])
def test_v2_protocol_bodies_are_read_as_open_inference_protocol(protocol: str) -> None:
    request = {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}
    event = parse_seldon(headers(REQUEST, **{"Ce-Protocol": protocol}), body(request), ["a", "b"])
    assert event.rows == (Row({"a": 1.0, "b": 2.0}),)
    response = {
        "model_name": "m",
        "model_version": None,
        "outputs": [{"name": "predict", "shape": [1], "datatype": "INT64", "data": [2]}],
    }
    event = parse_seldon(headers(RESPONSE, **{"Ce-Protocol": protocol}), body(response))
    assert event.rows == (Row(None, outputs=2),)


def test_tensorflow_protocol_bodies_are_read_as_instances_and_predictions() -> None:
    tf = {"Ce-Protocol": "tensorflow"}
    event = parse_seldon(headers(REQUEST, **tf), body({"instances": [[1, 2]]}))
    assert event.rows == (Row({"0": 1, "1": 2}),)
    event = parse_seldon(headers(RESPONSE, **tf), body({"predictions": [[0.3, 0.7]]}))
    assert event.rows == (Row(None, outputs=[0.3, 0.7]),)


def test_feedback_carries_labels_with_inputs_and_outputs() -> None:
    payload = {
        "request": {"data": {"names": ["a", "b"], "ndarray": [[1, 2], [3, 4]]}},
        "response": {"data": {"names": ["t:0", "t:1"], "ndarray": [[0.9, 0.1], [0.4, 0.6]]}},
        "reward": 1.0,
        "truth": {"data": {"ndarray": [[0], [1]]}},
    }
    event = parse_seldon(headers(FEEDBACK), body(payload))
    assert (event.event_id, event.part) == ("req-7", "feedback")
    assert event.rows == (
        Row({"a": 1, "b": 2}, outputs=[0.9, 0.1], label=0),
        Row({"a": 3, "b": 4}, outputs=[0.4, 0.6], label=1),
    )


def test_feedback_with_truth_only() -> None:
    payload = {"truth": {"data": {"tensor": {"shape": [2], "values": [1, 0]}}}, "reward": 0}
    event = parse_seldon(headers(FEEDBACK), body(payload))
    assert event.rows == (Row(None, label=1.0), Row(None, label=0.0))


BAD = [
    pytest.param(headers(REQUEST, **{"Ce-Protocol": "grpc"}), {}, "header ce-protocol", id="proto"),
    pytest.param({"ce-type": REQUEST}, {}, "header ce-id", id="no-ids"),
    pytest.param(
        {"ce-type": "org.kubeflow.serving.inference.request", "ce-id": "1"},
        {},
        "header ce-type",
        id="kserve-type",
    ),
    pytest.param(headers(REQUEST), {"jsonData": {"a": 1}}, "body.jsonData", id="json-data"),
    pytest.param(headers(REQUEST), {"strData": "hello"}, "body.strData", id="str-data"),
    pytest.param(headers(REQUEST), {"meta": {}}, "body.data", id="no-data"),
    pytest.param(headers(REQUEST), {"data": {"names": ["a"]}}, "body.data", id="no-ndarray"),
    pytest.param(
        headers(REQUEST), {"data": {"ndarray": 5}}, "body.data.ndarray", id="ndarray-not-list"
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"names": ["a", "b"], "ndarray": [[1, 2, 3]]}},
        "body.data.ndarray[0]",
        id="names-count",
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"names": ["a", "a"], "ndarray": [[1, 2]]}},
        "body.data.names",
        id="names-twice",
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"names": ["a", 1], "ndarray": [[1, 2]]}},
        "body.data.names[1]",
        id="name-number",
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"tensor": {"shape": [2, 2], "values": [1, 2, 3]}}},
        "body.data.tensor.values",
        id="tensor-short",
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"tensor": {"shape": [1, 2], "values": [1, "NaN"]}}},
        "body.data.tensor.values[1]",
        id="tensor-nan-string",
    ),
    pytest.param(
        headers(REQUEST),
        {"data": {"tensor": {"values": [1]}}},
        "body.data.tensor.shape",
        id="tensor-no-shape",
    ),
    pytest.param(
        headers(REQUEST, **{"Ce-Protocol": "v2"}),
        {"data": {"ndarray": [[1]]}},
        "body",
        id="seldon-body-as-v2",
    ),
    pytest.param(headers(FEEDBACK), {"reward": 1}, "body.truth", id="feedback-no-truth"),
    pytest.param(
        headers(FEEDBACK),
        {
            "request": {"data": {"ndarray": [[1], [2]]}},
            "truth": {"data": {"ndarray": [[1]]}},
        },
        "body.request",
        id="feedback-counts",
    ),
    pytest.param(
        headers(FEEDBACK),
        {"truth": {"data": {"ndarray": [[1]]}}, "response": [1]},
        "body.response",
        id="feedback-response-list",
    ),
]


@pytest.mark.parametrize(("given", "payload", "field"), BAD)
def test_bad_events_are_refused_naming_the_field(
    given: dict[str, str], payload: Any, field: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        parse_seldon(given, body(payload))
    assert caught.value.field == field
