"""Tests of shiftwatch.service.records: the error and the normalised records."""

import dataclasses
import pickle

import pytest

from shiftwatch.errors import ShiftwatchError
from shiftwatch.service.records import Event, PayloadError, Row


def test_payload_error_is_a_shiftwatch_error_and_a_value_error() -> None:
    error = PayloadError("body.inputs[0].shape", "expected a list, got 3")
    assert isinstance(error, ShiftwatchError)
    assert isinstance(error, ValueError)
    assert (error.field, error.message) == ("body.inputs[0].shape", "expected a list, got 3")
    assert str(error) == "body.inputs[0].shape: expected a list, got 3"


def test_payload_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(PayloadError("header ce-id", "is missing")))
    assert (error.field, error.message, str(error)) == (
        "header ce-id",
        "is missing",
        "header ce-id: is missing",
    )


def test_records_are_frozen_with_the_agreed_fields() -> None:
    assert [f.name for f in dataclasses.fields(Row)] == ["inputs", "outputs", "label"]
    assert [f.name for f in dataclasses.fields(Event)] == [
        "event_id",
        "part",
        "rows",
        "timestamp",
        "source",
    ]
    event = Event("e", "whole", (Row({"x": 1}, 0, 1),))
    assert (event.timestamp, event.source) == (None, "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.part = "request"  # type: ignore[misc]
