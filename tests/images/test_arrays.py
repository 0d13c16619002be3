"""Bad image arrays are refused with errors that name the shape, the value or the image."""

from typing import Any

import numpy as np
import pytest

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.images import image_features
from shiftwatch.images.arrays import image_groups


@pytest.mark.parametrize(
    ("images", "message"),
    [
        pytest.param(np.zeros((4, 8, 8, 2)), r"got shape \(4, 8, 8, 2\)\.$", id="two-channels"),
        pytest.param(
            np.zeros((4, 3, 8, 8)),
            r"got shape \(4, 3, 8, 8\)\. Channels first\? Pass np\.moveaxis",
            id="channels-first",
        ),
        pytest.param(np.zeros((2, 4, 8, 8, 3)), r"got shape \(2, 4, 8, 8, 3\)", id="five-dims"),
        pytest.param(np.zeros((8, 8)), r"got shape \(8, 8\)", id="one-image-2d"),
        pytest.param(np.zeros((3, 0, 8)), r"no pixels: got shape \(3, 0, 8\)", id="no-pixels"),
        pytest.param(np.full((2, 4, 4), 1.5), r"floats from 1\.5 to 1\.5", id="float-over-1"),
        pytest.param(np.full((2, 4, 4), -0.1), r"floats from -0\.1", id="float-negative"),
        pytest.param(
            np.array([[[0.5, np.nan]]]), r"NaN or infinite value at index \(0, 0, 1\)", id="nan"
        ),
        pytest.param(
            np.full((2, 4, 4), 4095, dtype=np.uint16), r"integers from 4095 to 4095", id="uint16"
        ),
        pytest.param(np.full((2, 4, 4), -1), r"integers from -1 to -1", id="negative-int"),
        pytest.param(np.zeros((2, 4, 4), dtype=bool), r"dtype bool", id="bool"),
        pytest.param(np.zeros((2, 4, 4), dtype=object), r"dtype object", id="object"),
        pytest.param([np.zeros((4, 4)), np.zeros((4, 4, 2))], r"Image 1 .* \(4, 4, 2\)", id="item"),
        pytest.param([np.zeros((4, 4)), [[0, 1]]], r"Image 1 .* is a list", id="not-array"),
        pytest.param([np.full((4, 4), 2.0)], r"Image 0 of the input images hold floats", id="f"),
        pytest.param("not images", r"got a str", id="string"),
    ],
)
def test_bad_images_raise_naming_what_is_wrong(images: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        image_features(images)


@pytest.mark.parametrize(
    "images",
    [
        pytest.param(np.zeros((0, 8, 8), dtype=np.uint8), id="no-images"),
        pytest.param([], id="empty-list"),
    ],
)
def test_no_images_is_no_data(images: Any) -> None:
    with pytest.raises(NoDataError, match="empty"):
        image_features(images)


def test_role_names_the_images() -> None:
    with pytest.raises(InvalidParameterError, match=r"^The current images must be an array"):
        image_features(np.zeros((4, 8, 8, 5)), role="current")


def test_integer_types_holding_0_255_are_accepted() -> None:
    values = np.arange(64, dtype=np.int64).reshape(1, 8, 8) * 4
    as_bytes = image_features(values.astype(np.uint8))
    as_ints = image_features(values)
    for name, column in as_bytes.items():
        np.testing.assert_array_equal(as_ints[name], column)


def test_groups_keep_integer_and_float_images_apart() -> None:
    n, groups = image_groups([np.zeros((4, 4), dtype=np.uint8), np.ones((4, 4))])
    assert n == 2
    assert [(g.rows.tolist(), g.stack.dtype.kind) for g in groups] == [([0], "u"), ([1], "f")]
    assert image_features([np.full((4, 4), 255, np.uint8), np.ones((4, 4))])[
        "brightness"
    ].tolist() == [255.0, 255.0]
