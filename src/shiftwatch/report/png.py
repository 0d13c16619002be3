"""Images as small PNG files, without Pillow: the encoder and the thumbnails of the HTML report.

:func:`encode_png` writes 8-bit grayscale, RGB or RGBA pixels as a PNG: the signature, an
``IHDR`` chunk, one zlib-compressed ``IDAT`` chunk (each row with filter type 0, "none") and
``IEND`` (the format is RFC 2083). :func:`as_pixels` checks a stack of images and puts it on
the 0-255 scale; :func:`thumbnail` brings one image to thumbnail size by a whole factor:
enlarged with nearest neighbour until its short side has :data:`MIN_SIDE` pixels (8x8 digits
become 48x48, every pixel a crisp 6x6 block), or reduced by block means when its long side
has more than :data:`MAX_SIDE`. :func:`data_uri` is what an ``<img src>`` embeds, and
:meth:`Samples.of` picks the thumbnails of one set of images with a fixed seed.

>>> import numpy as np
>>> png = encode_png(np.array([[0, 255]], dtype=np.uint8))
>>> png[:8] == SIGNATURE, png[12:16], len(png)
(True, b'IHDR', 68)
>>> thumbnail(np.zeros((8, 8, 1), dtype=np.uint8)).shape
(48, 48, 1)
"""

import base64
import math
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import InvalidParameterError

Pixels = npt.NDArray[np.uint8]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type: grey, RGB, RGBA
MIN_SIDE = 48  # a thumbnail's short side is enlarged to at least this many pixels ...
MAX_SIDE = 96  # ... and its long side kept to at most this many
SAMPLES = 24  # thumbnails per set at most
SAMPLE_SEED = 0  # which ones: the same for every set of the same number of images


def _chunk(kind: bytes, data: bytes) -> bytes:
    """Length, type, data and the CRC-32 of type and data."""
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(pixels: npt.ArrayLike) -> bytes:
    """One image as PNG bytes: uint8 pixels, (H, W) or (H, W, C) with C 1, 3 or 4.

    >>> png = encode_png(np.full((2, 3, 3), 200, dtype=np.uint8))
    >>> struct.unpack(">IIBB", png[16:26])  # width, height, bit depth, colour type (RGB)
    (3, 2, 8, 2)
    """
    array = np.asarray(pixels)
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if (
        array.dtype != np.uint8
        or array.ndim != 3
        or array.shape[2] not in COLOUR_TYPES
        or 0 in array.shape
    ):
        raise InvalidParameterError(
            "The 'pixels' parameter of encode_png must be a non-empty uint8 array of shape "
            f"(H, W) or (H, W, C) with C 1, 3 or 4. Got {array.dtype} {array.shape} instead."
        )
    height, width, channels = array.shape
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # column 0: filter "none"
    rows[:, 1:] = array.reshape(height, width * channels)
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def data_uri(pixels: npt.ArrayLike) -> str:
    """The image as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(encode_png(pixels)).decode("ascii")


def as_pixels(images: Any, role: str = "reference", *, take: Any = None) -> Pixels:
    """A stack of images as uint8 (N, H, W, C): uint8 (or integers) 0-255, or floats in [0, 1].

    ``role`` names the set in error messages; ``take``, an array of indexes, converts only
    those images (and checks only their values), so that a large set is never copied whole.

    >>> as_pixels(np.array([[[0.0, 1.0]]]))[0, 0, :, 0].tolist()
    [0, 255]
    >>> as_pixels(np.array([[[0.0, 16.0]]]), "current")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.InvalidParameterError: The current images of to_html must be uint8 0-255 or floats in [0, 1]. Got float64 values from 0.0 to 16.0 instead.
    """  # noqa: E501
    expected = "a numeric array (N, H, W) or (N, H, W, C) with C 1, 3 or 4"
    try:
        array = np.asarray(images)
    except ValueError:  # images of different sizes
        raise InvalidParameterError(
            f"The {role} images of to_html must be {expected}. Got images of different sizes."
        ) from None
    shape = array.shape
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[3] not in COLOUR_TYPES or array.dtype.kind not in "uif":
        raise InvalidParameterError(
            f"The {role} images of to_html must be {expected}. Got {array.dtype} {shape} instead."
        )
    if take is not None:
        array = array[take]
    if array.size == 0 or array.dtype == np.uint8:
        return array.astype(np.uint8, copy=False)
    top = 1.0 if array.dtype.kind == "f" else 255
    low, high = np.min(array), np.max(array)
    if not (low >= 0 and high <= top):  # NaN fails too
        scale = "uint8 0-255 or floats in [0, 1]"
        raise InvalidParameterError(
            f"The {role} images of to_html must be {scale}. "
            f"Got {array.dtype} values from {low} to {high} instead."
        )
    if top == 1.0:
        array = np.rint(array * 255.0)
    return array.astype(np.uint8)


def thumbnail(image: Pixels) -> Pixels:
    """One (H, W, C) image enlarged (nearest neighbour) or reduced (block means) by a whole factor.

    >>> thumbnail(np.zeros((300, 200, 3), dtype=np.uint8)).shape
    (75, 50, 3)
    >>> thumbnail(np.zeros((28, 28, 1), dtype=np.uint8)).shape
    (56, 56, 1)
    """
    height, width = image.shape[:2]
    long, short = max(height, width), min(height, width)
    if long > MAX_SIDE:
        factor = math.ceil(long / MAX_SIDE)
        padded = np.pad(
            image,
            ((0, -height % factor), (0, -width % factor), (0, 0)),
            mode="edge",
        ).astype(np.float64)
        blocks = padded.reshape(
            padded.shape[0] // factor, factor, padded.shape[1] // factor, factor, image.shape[2]
        )
        reduced: Pixels = np.rint(blocks.mean(axis=(1, 3))).astype(np.uint8)
        return reduced
    factor = max(1, min(math.ceil(MIN_SIDE / short), MAX_SIDE // long))
    enlarged: Pixels = image.repeat(factor, axis=0).repeat(factor, axis=1)
    return enlarged


@dataclass(frozen=True)
class Samples:
    """Thumbnails of one set of images: ``indexes`` says which of its ``n`` were chosen."""

    side: str
    n: int
    shape: tuple[int, ...]  # (H, W, C) of each image
    indexes: tuple[int, ...]
    thumbnails: tuple[Pixels, ...]

    @classmethod
    def of(cls, side: str, images: Any) -> "Samples":
        """Up to :data:`SAMPLES` images, drawn with :data:`SAMPLE_SEED`, in their order.

        >>> samples = Samples.of("reference", np.zeros((30, 8, 8), dtype=np.uint8))
        >>> samples.n, len(samples.indexes), samples.shape, samples.thumbnails[0].shape
        (30, 24, (8, 8, 1), (48, 48, 1))
        """
        try:
            n = len(images)
        except TypeError:  # not a stack of images: as_pixels says so
            n = 0
        chosen = np.random.default_rng(SAMPLE_SEED).choice(n, size=min(n, SAMPLES), replace=False)
        chosen.sort()
        pixels = as_pixels(images, side, take=chosen)
        return cls(
            side,
            n,
            pixels.shape[1:],
            tuple(int(i) for i in chosen),
            tuple(thumbnail(image) for image in pixels),
        )
