"""Check arrays of images and group them into stacks of one shape, ready for vectorised work.

Accepted: one array of shape ``(N, H, W)`` (grayscale) or ``(N, H, W, C)`` with ``C`` in
{1, 3, 4} (gray, RGB, RGBA), or a list of arrays of shape ``(H, W)`` or ``(H, W, C)`` whose
sizes may differ. Values are ``uint8`` 0-255 (any integer type holding 0-255 is accepted) or
floats in [0, 1], which are multiplied by 255 so that every property is on the 0-255 scale
whatever the input type.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch.errors import InvalidParameterError, NoDataError

CHANNELS = (1, 3, 4)
_SHAPE_RULE = "(N, H, W) or (N, H, W, C) with C in {1, 3, 4}"
_ITEM_RULE = "(H, W) or (H, W, C) with C in {1, 3, 4}"


@dataclass(frozen=True)
class ImageGroup:
    """Images of one shape stacked as ``(n, H, W, C)``, and their positions in the input."""

    rows: npt.NDArray[np.intp]
    stack: npt.NDArray[Any]


def _check_values(values: npt.NDArray[Any], what: str) -> None:
    """Refuse types and values outside uint8 0-255 or float 0-1; ``what`` names the images."""
    kind = values.dtype.kind
    if kind == "u" and values.dtype.itemsize == 1:
        return
    if kind in "ui":
        low, high = int(values.min()), int(values.max())
        if low < 0 or high > 255:
            raise InvalidParameterError(
                f"{what} hold integers from {low} to {high}; integer images must hold 0-255 "
                "(scale them to uint8 first, e.g. (values * 255 / values.max()).astype('uint8'))."
            )
        return
    if kind != "f":
        raise InvalidParameterError(
            f"{what} have dtype {values.dtype}; expected uint8 (0-255) or floats (0-1)."
        )
    finite = np.isfinite(values)
    if not finite.all():
        first = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise InvalidParameterError(f"{what} hold a NaN or infinite value at index {first}.")
    smallest, largest = float(values.min()), float(values.max())
    if smallest < 0.0 or largest > 1.0:
        raise InvalidParameterError(
            f"{what} hold floats from {smallest:g} to {largest:g}; float images must hold "
            "values in [0, 1] (they are multiplied by 255)."
        )


def _stacked(images: npt.NDArray[Any], role: str) -> npt.NDArray[Any]:
    """A 3-D or 4-D array as ``(N, H, W, C)``, checked."""
    shape = images.shape
    channels_ok = images.ndim == 3 or (images.ndim == 4 and shape[3] in CHANNELS)
    if not channels_ok:
        hint = ""
        if images.ndim == 4 and shape[1] in CHANNELS:
            hint = " Channels first? Pass np.moveaxis(images, 1, -1)."
        raise InvalidParameterError(
            f"The {role} images must be an array of shape {_SHAPE_RULE}; got shape {shape}.{hint}"
        )
    if shape[0] == 0:
        raise NoDataError(f"The {role} images are empty: got shape {shape}.")
    if shape[1] == 0 or shape[2] == 0:
        raise InvalidParameterError(f"The {role} images have no pixels: got shape {shape}.")
    _check_values(images, f"The {role} images")
    return images if images.ndim == 4 else images[..., np.newaxis]


def _item(image: Any, index: int, role: str) -> npt.NDArray[Any]:
    """One image of a list as ``(H, W, C)``, checked; errors name its index and shape."""
    if not isinstance(image, np.ndarray):
        raise InvalidParameterError(
            f"Image {index} of the {role} images is a {type(image).__name__}; "
            "expected a numpy array."
        )
    shape = image.shape
    if not (image.ndim == 2 or (image.ndim == 3 and shape[2] in CHANNELS)):
        raise InvalidParameterError(
            f"Image {index} of the {role} images must have shape {_ITEM_RULE}; got shape {shape}."
        )
    if shape[0] == 0 or shape[1] == 0:
        raise InvalidParameterError(
            f"Image {index} of the {role} images has no pixels: got shape {shape}."
        )
    _check_values(image, f"Image {index} of the {role} images")
    return image if image.ndim == 3 else image[..., np.newaxis]


def image_groups(images: Any, role: str = "input") -> tuple[int, list[ImageGroup]]:
    """The number of images, and the images grouped by shape as ``(n, H, W, C)`` stacks.

    A 3-D or 4-D array is one group (a view, no copy); a list is grouped by shape, so a
    folder whose images share a size is processed in one vectorised pass.

    >>> import numpy as np
    >>> n, groups = image_groups([np.zeros((8, 8)), np.ones((4, 6, 3)), np.zeros((8, 8))])
    >>> n, [(g.rows.tolist(), g.stack.shape) for g in groups]
    (3, [([0, 2], (2, 8, 8, 1)), ([1], (1, 4, 6, 3))])
    """
    if isinstance(images, np.ndarray):
        stack = _stacked(images, role)
        return len(stack), [ImageGroup(np.arange(len(stack)), stack)]
    if not isinstance(images, Sequence) or isinstance(images, str | bytes):
        raise InvalidParameterError(
            f"The {role} images must be a numpy array of shape {_SHAPE_RULE} or a list of "
            f"arrays; got a {type(images).__name__}."
        )
    if len(images) == 0:
        raise NoDataError(f"The {role} images are an empty list.")
    by_shape: dict[tuple[int, ...], list[int]] = {}
    checked = [_item(image, index, role) for index, image in enumerate(images)]
    for index, image in enumerate(checked):
        by_shape.setdefault(image.shape, []).append(index)
    groups = []
    for rows in by_shape.values():
        members = [checked[i] for i in rows]
        # Mixed integer and float images of one shape would stack as floats in [0, 255]:
        # keep types apart so each keeps its own scale.
        for dtype in dict.fromkeys(m.dtype for m in members):
            chosen = [r for r, m in zip(rows, members, strict=True) if m.dtype == dtype]
            stack = np.stack([checked[r] for r in chosen])
            groups.append(ImageGroup(np.asarray(chosen, dtype=np.intp), stack))
    return len(checked), groups
