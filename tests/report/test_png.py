"""The PNG encoder and the thumbnails of the HTML report, read back with zlib and struct."""

import base64

import numpy as np
import pytest

from shiftwatch.errors import InvalidParameterError
from shiftwatch.report.png import (
    MAX_SIDE,
    MIN_SIDE,
    SAMPLES,
    Samples,
    as_pixels,
    data_uri,
    encode_png,
    thumbnail,
)
from tests.report.pngs import decode_png


@pytest.mark.parametrize(
    "shape", [(5, 7), (5, 7, 1), (3, 9, 3), (4, 2, 4), (1, 1)], ids=lambda s: "x".join(map(str, s))
)
def test_a_png_decodes_to_its_pixels(shape) -> None:
    pixels = np.random.default_rng(1).integers(0, 256, size=shape, dtype=np.uint8)
    decoded = decode_png(encode_png(pixels))
    assert decoded.shape == (shape[0], shape[1], shape[2] if len(shape) == 3 else 1)
    np.testing.assert_array_equal(decoded.reshape(pixels.shape), pixels)


def test_a_data_uri_holds_the_png() -> None:
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4)
    uri = data_uri(pixels)
    assert uri.startswith("data:image/png;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == encode_png(pixels)


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((2, 2), dtype=np.float64),
        np.zeros((2, 2, 2), dtype=np.uint8),
        np.zeros((0, 3), dtype=np.uint8),
        np.zeros(4, dtype=np.uint8),
    ],
    ids=["floats", "two-channels", "empty", "one-dimensional"],
)
def test_the_encoder_refuses_what_it_cannot_write(pixels) -> None:
    with pytest.raises(InvalidParameterError, match="'pixels' parameter of encode_png"):
        encode_png(pixels)


def test_images_come_to_the_0_255_scale() -> None:
    floats = np.array([[[0.0, 0.5, 1.0]]])
    assert as_pixels(floats)[0, 0, :, 0].tolist() == [0, 128, 255]
    assert as_pixels(np.array([[[3, 255]]], dtype=np.int64)).dtype == np.uint8
    rgb = np.zeros((2, 3, 4, 3), dtype=np.uint8)
    assert as_pixels(rgb).shape == (2, 3, 4, 3)
    assert as_pixels(np.zeros((0, 8, 8))).shape == (0, 8, 8, 1)


@pytest.mark.parametrize(
    ("images", "match"),
    [
        (np.full((1, 2, 2), 16.0), "floats in \\[0, 1\\]"),
        (np.full((1, 2, 2), np.nan), "floats in \\[0, 1\\]"),
        (np.full((1, 2, 2), 256), "uint8 0-255"),
        (np.zeros((2, 2)), "\\(N, H, W\\) or \\(N, H, W, C\\)"),
        (np.zeros((1, 2, 2, 2)), "C 1, 3 or 4"),
        (np.array([[["a"]]]), "numeric array"),
        ([np.zeros((2, 2)), np.zeros((3, 3))], "different sizes"),
    ],
    ids=["floats-0-16", "nan", "int-256", "one-image", "two-channels", "text", "ragged"],
)
def test_images_that_are_not_images_are_refused(images, match) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        as_pixels(images, "current")


def test_small_images_are_enlarged_pixel_for_pixel() -> None:
    image = np.random.default_rng(2).integers(0, 256, size=(8, 6, 3), dtype=np.uint8)
    enlarged = thumbnail(image)
    assert enlarged.shape == (64, 48, 3) and min(enlarged.shape[:2]) >= MIN_SIDE
    for y, x in np.ndindex(8, 6):
        assert (enlarged[y * 8 : (y + 1) * 8, x * 8 : (x + 1) * 8] == image[y, x]).all()


def test_large_images_are_reduced_by_block_means() -> None:
    image = np.zeros((200, 150, 1), dtype=np.uint8)
    image[:, 75:] = 200
    reduced = thumbnail(image)
    assert reduced.shape == (67, 50, 1) and max(reduced.shape[:2]) <= MAX_SIDE
    assert (reduced[:, :25] == 0).all() and (reduced[:, 25:] == 200).all()


def test_only_the_chosen_images_are_converted() -> None:
    images = np.zeros((5, 2, 2))
    images[0] = 16.0  # off the scale, but not chosen
    assert as_pixels(images, take=np.array([1, 3])).shape == (2, 2, 2, 1)


def test_samples_are_up_to_24_images_in_their_order() -> None:
    images = np.arange(40, dtype=np.uint8)[:, np.newaxis, np.newaxis] * np.ones((1, 3, 3), np.uint8)
    samples = Samples.of("current", images)
    assert samples.n == 40 and len(samples.indexes) == SAMPLES == 24
    assert list(samples.indexes) == sorted(set(samples.indexes))
    assert [int(t[0, 0, 0]) for t in samples.thumbnails] == list(samples.indexes)
    assert Samples.of("current", images).indexes == samples.indexes  # a fixed seed
    empty = Samples.of("reference", np.zeros((0, 3, 3), dtype=np.uint8))
    assert (empty.n, empty.indexes, empty.thumbnails) == (0, (), ())


def test_a_long_thin_image_keeps_its_shape() -> None:
    assert thumbnail(np.zeros((4, 90, 1), dtype=np.uint8)).shape == (4, 90, 1)
    assert thumbnail(np.zeros((1, 1000, 3), dtype=np.uint8)).shape == (1, 91, 3)
