"""Per-image properties, computed with numpy over a stack of images at a time.

Every image is measured on the 0-255 scale (floats in [0, 1] are multiplied by 255) and as
RGB: a grayscale image counts as three equal channels and an alpha channel is ignored, so
any two image sources (a grayscale scanner, a colour camera) have the same columns and a
new colour source shows up as a shift in ``saturation`` rather than as a schema error.

| column            | definition                                                         |
|-------------------|--------------------------------------------------------------------|
| ``brightness``    | mean luma, ITU-R BT.601: Y = 0.299 R + 0.587 G + 0.114 B           |
| ``contrast``      | standard deviation of luma (population, ddof = 0)                  |
| ``saturation``    | mean HSV saturation (max - min) / max per pixel, 0 where max = 0   |
| ``sharpness``     | variance of the 3x3 Laplacian of luma over interior pixels; NaN    |
|                   | for images under 3x3 pixels (null, i.e. missing, in tables)        |
| ``entropy``       | Shannon entropy, in bits, of the 256-bin histogram of rounded luma |
| ``mean_red`` ...  | mean of each channel (``mean_red``, ``mean_green``, ``mean_blue``) |
| ``std_red`` ...   | standard deviation of each channel (ddof = 0)                      |
| ``width``         | pixels across                                                      |
| ``height``        | pixels down                                                        |
| ``aspect_ratio``  | width / height                                                     |
| ``clipped_share`` | share of channel values at 0 or at 255 (under- or over-exposed)    |
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch.images.arrays import image_groups

FEATURE_NAMES = (
    "brightness",
    "contrast",
    "saturation",
    "sharpness",
    "entropy",
    "mean_red",
    "mean_green",
    "mean_blue",
    "std_red",
    "std_green",
    "std_blue",
    "width",
    "height",
    "aspect_ratio",
    "clipped_share",
)
INTEGER_FEATURES = frozenset({"width", "height"})
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])
_CHANNELS = ("red", "green", "blue")
# Values of a float64 working copy processed at once (1 MiB, cache-sized): bounds memory too.
_WORKING_VALUES = 1 << 17

FloatArray = npt.NDArray[np.float64]


def _luma(planes: FloatArray) -> FloatArray:
    """Luma of ``(n, C, H, W)`` channel planes with C in {1, 3}, as ``(n, H, W)``."""
    if planes.shape[1] == 1:
        return planes[:, 0]
    red, green, blue = (float(weight) for weight in LUMA_WEIGHTS)
    luma: FloatArray = planes[:, 0] * red
    luma += planes[:, 1] * green
    luma += planes[:, 2] * blue
    return luma


def _mean_std(values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and standard deviation (ddof = 0) over the last axis, in two passes."""
    size = values.shape[-1]
    means: FloatArray = values.sum(axis=-1) / size
    centred = values - means[..., np.newaxis]
    return means, np.sqrt(np.einsum("...i,...i->...", centred, centred) / size)


def _saturation(planes: FloatArray) -> FloatArray:
    """Mean HSV saturation per image; 0 for grayscale."""
    if planes.shape[1] == 1:
        return np.zeros(len(planes))
    high = np.maximum(np.maximum(planes[:, 0], planes[:, 1]), planes[:, 2])
    spread = high - np.minimum(np.minimum(planes[:, 0], planes[:, 1]), planes[:, 2])
    ratio: FloatArray = np.divide(spread, high, out=np.zeros_like(high), where=high > 0)
    means: FloatArray = ratio.reshape(len(ratio), -1).mean(axis=1)
    return means


def _sharpness(luma: FloatArray) -> FloatArray:
    """Variance of the 3x3 Laplacian (4-neighbour) of luma over interior pixels."""
    n, height, width = luma.shape
    if height < 3 or width < 3:
        return np.full(n, np.nan)
    laplacian = luma[:, :-2, 1:-1] + luma[:, 2:, 1:-1]
    laplacian += luma[:, 1:-1, :-2]
    laplacian += luma[:, 1:-1, 2:]
    laplacian -= 4.0 * luma[:, 1:-1, 1:-1]
    return _mean_std(laplacian.reshape(n, -1))[1] ** 2


def _entropy(luma: FloatArray) -> FloatArray:
    """Shannon entropy (bits) of each image's 256-bin histogram of rounded luma."""
    n, height, width = luma.shape
    bins = np.rint(luma).astype(np.intp)
    bins += (np.arange(n, dtype=np.intp) * 256)[:, np.newaxis, np.newaxis]
    counts = np.bincount(bins.ravel(), minlength=n * 256).reshape(n, 256)
    shares = counts / (height * width)
    logs = np.log2(shares, out=np.zeros_like(shares), where=counts > 0)
    return np.asarray(-(shares * logs).sum(axis=1) + 0.0)


def _stack_features(raw: npt.NDArray[Any]) -> dict[str, npt.NDArray[Any]]:
    """Every property of a ``(n, H, W, C)`` stack, as arrays of length n."""
    n, height, width, channels = raw.shape
    channels = min(channels, 3)  # alpha is ignored
    # Channel planes (n, C, H, W), contiguous: reductions then run over contiguous memory.
    planes = np.empty((n, channels, height, width))
    planes[...] = np.moveaxis(raw[..., :channels], -1, 1)
    if raw.dtype.kind == "f":
        planes *= 255.0
    luma = _luma(planes)
    means, stds = _mean_std(planes.reshape(n, channels, -1))
    if channels == 1:
        means, stds = np.repeat(means, 3, axis=1), np.repeat(stds, 3, axis=1)
    brightness, contrast = _mean_std(luma.reshape(n, -1))
    features: dict[str, npt.NDArray[Any]] = {
        "brightness": brightness,
        "contrast": contrast,
        "saturation": _saturation(planes),
        "sharpness": _sharpness(luma),
        "entropy": _entropy(luma),
    }
    for index, channel in enumerate(_CHANNELS):
        features[f"mean_{channel}"] = means[:, index]
        features[f"std_{channel}"] = stds[:, index]
    features["width"] = np.full(n, width, dtype=np.int64)
    features["height"] = np.full(n, height, dtype=np.int64)
    features["aspect_ratio"] = np.full(n, width / height)
    clipped = (planes <= 0.0) | (planes >= 255.0)
    features["clipped_share"] = clipped.reshape(n, -1).mean(axis=1)
    return features


def image_features(images: Any, *, role: str = "input") -> dict[str, npt.NDArray[Any]]:
    """Per-image properties of ``images``, one array of length N per property.

    ``images`` is an array of shape ``(N, H, W)`` or ``(N, H, W, C)`` with C in {1, 3, 4}, or
    a list of ``(H, W)`` / ``(H, W, C)`` arrays of any sizes; values are uint8 0-255 or
    floats 0-1 (multiplied by 255). The properties are defined in this module's table;
    ``role`` names the images in error messages.
    Work is vectorised over stacks of equal-shaped images, a bounded number of pixels at a
    time.

    >>> import numpy as np
    >>> halves = np.zeros((1, 4, 4), dtype=np.uint8)
    >>> halves[0, :, 2:] = 255                       # left half black, right half white
    >>> features = image_features(halves)
    >>> [round(float(features[name][0]), 3) for name in ("brightness", "contrast", "entropy")]
    [127.5, 127.5, 1.0]
    >>> int(features["width"][0]), float(features["clipped_share"][0])
    (4, 1.0)
    """
    n, groups = image_groups(images, role)
    out: dict[str, npt.NDArray[Any]] = {
        name: np.zeros(n, dtype=np.int64 if name in INTEGER_FEATURES else np.float64)
        for name in FEATURE_NAMES
    }
    for group in groups:
        per_image = max(1, group.stack[0].size)
        step = max(1, _WORKING_VALUES // per_image)
        for start in range(0, len(group.stack), step):
            rows = group.rows[start : start + step]
            for name, values in _stack_features(group.stack[start : start + step]).items():
                out[name][rows] = values
    return out
