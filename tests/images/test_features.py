"""image_features against independent per-image computations (scipy, colorsys, numpy)."""

import colorsys
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy import ndimage, stats

from shiftwatch.images import FEATURE_NAMES, image_features
from shiftwatch.images import features as features_module

SEED = 11


def oracle(image: npt.NDArray[Any]) -> dict[str, float]:
    """Every property of one image, written out one image at a time from the definitions."""
    pixels = image.astype(np.float64) * (255.0 if image.dtype.kind == "f" else 1.0)
    if pixels.ndim == 2:
        pixels = pixels[..., np.newaxis]
    rgb = pixels[..., :3] if pixels.shape[-1] == 4 else pixels
    if rgb.shape[-1] == 1:
        rgb = np.repeat(rgb, 3, axis=-1)
    luma = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    saturations = [colorsys.rgb_to_hsv(*(pixel / 255.0))[1] for pixel in rgb.reshape(-1, 3)]
    histogram = np.bincount(np.rint(luma).astype(int).ravel(), minlength=256)
    height, width = luma.shape
    result = {
        "brightness": luma.mean(),
        "contrast": luma.std(),
        "saturation": float(np.mean(saturations)),
        "sharpness": ndimage.laplace(luma)[1:-1, 1:-1].var() if min(luma.shape) >= 3 else np.nan,
        "entropy": stats.entropy(histogram, base=2),
        "width": width,
        "height": height,
        "aspect_ratio": width / height,
        "clipped_share": np.mean((rgb == 0) | (rgb == 255)),
    }
    for index, channel in enumerate(("red", "green", "blue")):
        result[f"mean_{channel}"] = rgb[..., index].mean()
        result[f"std_{channel}"] = rgb[..., index].std()
    return result


def assert_matches_oracle(images: Any) -> None:
    features = image_features(images)
    assert list(features) == list(FEATURE_NAMES)
    for index, image in enumerate(images):
        expected = oracle(image)
        for name in FEATURE_NAMES:
            assert features[name][index] == pytest.approx(
                expected[name], rel=1e-9, abs=1e-9, nan_ok=True
            ), (index, name)


def test_colour_uint8_matches_oracle(colour_images: npt.NDArray[np.uint8]) -> None:
    assert_matches_oracle(colour_images)


def test_colour_floats_are_scaled_by_255(colour_images: npt.NDArray[np.uint8]) -> None:
    as_floats = colour_images / 255.0
    assert_matches_oracle(as_floats)
    from_floats, from_bytes = image_features(as_floats), image_features(colour_images)
    for name in FEATURE_NAMES:
        np.testing.assert_allclose(from_floats[name], from_bytes[name], rtol=1e-9, atol=1e-9)


def test_digits_matches_oracle(digits: npt.NDArray[np.uint8]) -> None:
    sample = digits[:40]
    assert_matches_oracle(sample)
    features = image_features(sample)
    assert not features["saturation"].any()  # grayscale
    np.testing.assert_array_equal(features["mean_red"], features["brightness"])
    np.testing.assert_array_equal(features["mean_green"], features["mean_blue"])
    assert set(features["width"].tolist()) == {8}


def test_digits_as_floats_0_to_1() -> None:
    from sklearn.datasets import load_digits

    raw = load_digits().images[:30]  # floats 0-16
    features = image_features(raw / 16.0)
    assert_matches_oracle(raw / 16.0)
    assert features["brightness"].max() <= 255.0


def test_rgba_ignores_alpha_and_single_channel_is_gray(
    colour_images: npt.NDArray[np.uint8],
) -> None:
    rng = np.random.default_rng(SEED)
    alpha = rng.integers(0, 256, size=(*colour_images.shape[:3], 1), dtype=np.uint8)
    rgba = np.concatenate([colour_images, alpha], axis=-1)
    assert_matches_oracle(rgba)
    with_alpha, without = image_features(rgba), image_features(colour_images)
    for name in FEATURE_NAMES:
        np.testing.assert_array_equal(with_alpha[name], without[name])
    gray = colour_images[..., :1]
    np.testing.assert_array_equal(
        image_features(gray)["contrast"], image_features(gray[..., 0])["contrast"]
    )


def test_list_of_varying_sizes_keeps_input_order(colour_images: npt.NDArray[np.uint8]) -> None:
    rng = np.random.default_rng(SEED)
    images = [
        colour_images[0],
        rng.integers(0, 256, size=(5, 7), dtype=np.uint8),
        colour_images[1, :10, :4],
        rng.random((9, 9, 4)),
        colour_images[2],
        rng.integers(0, 256, size=(2, 6), dtype=np.uint8),  # under 3x3: no sharpness
    ]
    assert_matches_oracle(images)
    features = image_features(images)
    assert features["width"].tolist() == [30, 7, 4, 9, 30, 6]
    assert np.isnan(features["sharpness"]).tolist() == [False] * 5 + [True]


def test_known_values() -> None:
    black_white = np.zeros((2, 4, 4), dtype=np.uint8)
    black_white[0, :, 2:] = 255
    black_white[1] = 255
    features = image_features(black_white)
    assert features["entropy"].tolist() == [1.0, 0.0]
    assert features["contrast"].tolist() == [127.5, 0.0]
    assert features["clipped_share"].tolist() == [1.0, 1.0]
    pure_red = np.zeros((1, 3, 3, 3), dtype=np.uint8)
    pure_red[..., 0] = 255
    red = image_features(pure_red)
    assert red["saturation"][0] == 1.0
    assert red["brightness"][0] == pytest.approx(0.299 * 255)
    assert red["sharpness"][0] == 0.0


def test_large_inputs_are_processed_in_bounded_slices(
    colour_images: npt.NDArray[np.uint8], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = image_features(colour_images)
    monkeypatch.setattr(features_module, "_WORKING_VALUES", 1)  # one image at a time
    sliced = image_features(colour_images)
    for name in FEATURE_NAMES:
        np.testing.assert_array_equal(sliced[name], whole[name])
