"""Read a folder of image files in batches, with the sub-folder of each file as its label.

The folder is searched recursively; hidden files and folders (names starting with ".") are
skipped, and so are files that are not images by their extension (``.png``, ``.jpg``,
``.jpeg``, ``.bmp``, ``.gif``, ``.tif``, ``.tiff``, ``.webp``): a ``labels.csv`` next to the
images is left alone. Files come in one deterministic order, sorted by their path relative
to the folder. A file that Pillow cannot decode raises :class:`~shiftwatch.errors.FormatError`
naming it: a folder that silently lost images would bias every statistic drawn from it.

Each image is decoded to 8 bits: grayscale modes (``L``, ``1``, ``LA``, ``I``, ``F``) as
``(H, W)`` arrays, 16-bit grayscale by its top 8 bits, every other mode as ``(H, W, 3)`` RGB;
transparency is dropped. EXIF orientation is not applied: pixels are measured as stored,
which is what a model reading the file with Pillow sees.

Pillow is imported only when a file is decoded; without it the error says how to install it.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_count
from shiftwatch.errors import FormatError, NoDataError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"})
DEFAULT_BATCH_SIZE = 256
# A batch also ends once it holds this many decoded values (64 MiB of uint8), so a folder of
# large photos does not fill memory batch_size images at a time.
MAX_BATCH_VALUES = 1 << 26
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "F"})
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N"})


@dataclass(frozen=True)
class ImageBatch:
    """Decoded images of a folder: their files, labels (sub-folders) and pixel arrays."""

    paths: tuple[Path, ...]
    labels: tuple[str | None, ...]
    images: tuple[npt.NDArray[np.uint8], ...]


def _pillow() -> ModuleType:
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "Reading image files needs Pillow: pip install 'shiftwatch[images]'"
        ) from error
    return Image


def image_files(folder: str | Path) -> list[Path]:
    """The image files under ``folder``, recursively, sorted by their relative path.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("b/2.png", "a/1.jpg", "notes.txt", ".hidden/3.png"):
    ...     (root / name).parent.mkdir(parents=True, exist_ok=True)
    ...     (root / name).touch()
    >>> [p.relative_to(root).as_posix() for p in image_files(root)]
    ['a/1.jpg', 'b/2.png']
    """
    root = Path(folder)
    found: list[Path] = []
    for directory, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        found.extend(
            Path(directory, name)
            for name in names
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES
        )
    return sorted(found, key=lambda path: path.relative_to(root).parts)


def is_image_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder of images: one image file at least and no Parquet file.

    A folder that holds Parquet files is a Parquet dataset, whatever else it holds.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> is_image_folder(root)
    False
    >>> (root / "cat.png").touch()
    >>> is_image_folder(root)
    True
    """
    folder = Path(path)
    if not folder.is_dir():
        return False
    has_images = False
    for directory, _, names in os.walk(folder):
        for name in names:
            suffix = Path(name).suffix.lower()
            if suffix in {".parquet", ".pq"}:
                return False
            hidden = name.startswith(".") or any(
                part.startswith(".") for part in Path(directory).relative_to(folder).parts
            )
            has_images = has_images or (suffix in IMAGE_SUFFIXES and not hidden)
    return has_images


def load_image(path: str | Path) -> npt.NDArray[np.uint8]:
    """Decode one image file to uint8: ``(H, W)`` for grayscale, ``(H, W, 3)`` otherwise.

    >>> import tempfile
    >>> from PIL import Image
    >>> path = Path(tempfile.mkdtemp()) / "red.png"
    >>> Image.new("RGBA", (3, 2), (255, 0, 0, 128)).save(path)
    >>> pixels = load_image(path)
    >>> pixels.shape, pixels[0, 0].tolist()
    ((2, 3, 3), [255, 0, 0])
    """
    image_module: Any = _pillow()
    try:
        with image_module.open(path) as image:
            if image.mode in _SIXTEEN_BIT_MODES:
                wide = np.asarray(image, dtype=np.uint16)
                return (wide >> 8).astype(np.uint8)
            if image.mode in ("P", "PA"):
                image = image.convert("RGBA")  # palette transparency, read without a warning
            mode = "L" if image.mode in _GRAY_MODES else "RGB"
            return np.asarray(image.convert(mode), dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, image_module.DecompressionBombError) as error:
        raise FormatError(f"Cannot read '{path}' as an image: {error}") from error


def _label(path: Path, root: Path) -> str | None:
    parent = path.parent.relative_to(root)
    return None if parent == Path() else parent.as_posix()


def read_image_folder(
    path: str | Path, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[ImageBatch]:
    """Decode the images under ``path`` in batches of at most ``batch_size`` images.

    Each image's label is its sub-folder relative to ``path`` (``None`` at the top level), as
    in a folder-per-class layout. A batch also ends at 64 MiB of pixels. Errors about the
    folder itself are raised at the call, errors about a file when its batch is read.

    >>> import tempfile
    >>> from PIL import Image
    >>> root = Path(tempfile.mkdtemp())
    >>> for label, shade in (("cats", 40), ("dogs", 200)):
    ...     (root / label).mkdir()
    ...     for i in range(3):
    ...         Image.new("L", (8, 6), shade).save(root / label / f"{i}.png")
    >>> batches = list(read_image_folder(root, batch_size=4))
    >>> [len(batch.images) for batch in batches], batches[1].labels
    ([4, 2], ('dogs', 'dogs'))
    >>> batches[0].images[0].shape
    (6, 8)
    """
    check_count("read_image_folder", "batch_size", batch_size)
    root = Path(path)
    if not root.is_dir():
        raise FormatError(f"Cannot read images from '{path}': no such folder.")
    files = image_files(root)
    if not files:
        suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
        raise NoDataError(f"No image file ({suffixes}) under '{path}'.")
    return _batches(root, files, batch_size)


def _batches(root: Path, files: list[Path], batch_size: int) -> Iterator[ImageBatch]:
    paths: list[Path] = []
    images: list[npt.NDArray[np.uint8]] = []
    values = 0
    for path in files:
        image = load_image(path)
        paths.append(path)
        images.append(image)
        values += image.size
        if len(images) == batch_size or values >= MAX_BATCH_VALUES:
            yield ImageBatch(tuple(paths), tuple(_label(p, root) for p in paths), tuple(images))
            paths, images, values = [], [], 0
    if images:
        yield ImageBatch(tuple(paths), tuple(_label(p, root) for p in paths), tuple(images))
