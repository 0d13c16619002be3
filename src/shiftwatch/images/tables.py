"""Images as a table of per-image properties, so that every tabular test applies to them.

An *image source* is a folder of image files (see :mod:`shiftwatch.images.folders`), an
array of shape ``(N, H, W)`` or ``(N, H, W, C)``, or a list of ``(H, W)`` / ``(H, W, C)``
arrays. Its table has one row per image and the columns of
:data:`~shiftwatch.images.features.FEATURE_NAMES`, plus ``label`` (the sub-folder) when a
folder has images in sub-folders. ``shiftwatch.io`` calls :func:`as_feature_table` and
:func:`image_chunks` at its input boundary, which is how ``compare``, ``Profile.from_data``
and the other readers accept images.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from shiftwatch.images.features import FEATURE_NAMES, INTEGER_FEATURES, image_features
from shiftwatch.images.folders import (
    DEFAULT_BATCH_SIZE,
    image_files,
    is_image_folder,
    read_image_folder,
)
from shiftwatch.io.chunks import Chunks


def feature_schema(*, labelled: bool = False) -> pa.Schema:
    """The columns of an image table, with ``label`` last when ``labelled``.

    >>> feature_schema(labelled=True).names[-3:]
    ['aspect_ratio', 'clipped_share', 'label']
    """
    fields = [
        pa.field(name, pa.int64() if name in INTEGER_FEATURES else pa.float64())
        for name in FEATURE_NAMES
    ]
    if labelled:
        fields.append(pa.field("label", pa.string()))
    return pa.schema(fields)


def _record_batch(
    images: Any, labels: Sequence[str | None] | None, role: str = "input"
) -> pa.RecordBatch:
    features = image_features(images, role=role)
    # from_pandas: NaN (the sharpness of an image under 3x3 pixels) becomes null, i.e. missing
    columns = [pa.array(features[name], from_pandas=True) for name in FEATURE_NAMES]
    if labels is not None:
        columns.append(pa.array(labels, type=pa.string()))
    return pa.RecordBatch.from_arrays(columns, schema=feature_schema(labelled=labels is not None))


def _folder_chunks(folder: Path, batch_size: int) -> Chunks:
    """A folder's property batches; ``label`` is a column when any image is in a sub-folder."""
    batches = read_image_folder(folder, batch_size=batch_size)  # checks the folder first
    files = image_files(folder)
    labelled = any(path.parent != folder for path in files)
    records = (
        _record_batch(list(batch.images), batch.labels if labelled else None) for batch in batches
    )
    return Chunks(feature_schema(labelled=labelled), len(files), records)


def image_table(source: Any, *, batch_size: int = DEFAULT_BATCH_SIZE) -> pa.Table:
    """The per-image properties of ``source`` (a folder or arrays of images) as a table.

    A folder is decoded ``batch_size`` images at a time; only the properties are kept.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> table = image_table(rng.integers(0, 256, size=(5, 32, 48, 3), dtype=np.uint8))
    >>> table.num_rows, table.column("aspect_ratio")[0].as_py()
    (5, 1.5)
    """
    if isinstance(source, str | Path):
        chunks = _folder_chunks(Path(source), batch_size)
        return pa.Table.from_batches(list(chunks.batches), schema=chunks.schema)
    return pa.Table.from_batches([_record_batch(source, None)])


def is_image_source(data: Any) -> bool:
    """Whether ``data`` holds images: a 3-D/4-D array, a list of 2-D/3-D arrays, an image folder.

    A 1-D or 2-D array is not (it is a column or a table of numbers), and neither is a folder
    that holds Parquet files. Arrays of another dimension count, so their error names them.

    >>> import numpy as np
    >>> is_image_source(np.zeros((10, 8, 8))), is_image_source(np.zeros((10, 8)))
    (True, False)
    """
    if isinstance(data, np.ndarray):
        return data.ndim >= 3
    if isinstance(data, list | tuple):
        first = data[0] if data else None
        return isinstance(first, np.ndarray) and first.ndim in (2, 3)
    if isinstance(data, str | Path):
        return is_image_folder(data)
    return False


def as_feature_table(data: Any, *, role: str = "input") -> pa.Table | None:
    """The property table of an image source, or None when ``data`` holds no images.

    ``role`` ("reference", "current", ...) names the data in error messages. This is the
    hook :func:`shiftwatch.io.to_table` calls, so anything that reads tables reads images.

    >>> import numpy as np
    >>> as_feature_table(np.zeros((3, 8, 8), dtype=np.uint8)).num_rows
    3
    >>> as_feature_table({"age": [31, 45]}) is None
    True
    >>> as_feature_table(np.zeros((3, 3, 8, 8)), role="current")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.InvalidParameterError: The current images must be an array of shape (N, H, W) or (N, H, W, C) with C in {1, 3, 4}; got shape (3, 3, 8, 8). Channels first? Pass np.moveaxis(images, 1, -1).
    """  # noqa: E501
    if not is_image_source(data):
        return None
    if isinstance(data, str | Path):
        return image_table(data)
    return pa.Table.from_batches([_record_batch(data, None, role)])


def image_chunks(data: Any, *, batch_rows: int = DEFAULT_BATCH_SIZE) -> Chunks | None:
    """The property table of an image folder as a stream of batches, or None if no folder.

    Used by :func:`shiftwatch.io.chunks.iter_chunks`, so that ``Profile.from_data(folder)``
    decodes at most ``batch_rows`` images (and 64 MiB of pixels) at a time.

    >>> import tempfile
    >>> from PIL import Image
    >>> root = Path(tempfile.mkdtemp())
    >>> for i in range(5):
    ...     Image.new("RGB", (4, 4), (10 * i, 0, 0)).save(root / f"{i}.png")
    >>> chunks = image_chunks(root, batch_rows=2)
    >>> chunks.total_rows, [batch.num_rows for batch in chunks.batches]
    (5, [2, 2, 1])
    """
    if not (isinstance(data, str | Path) and is_image_folder(data)):
        return None
    return _folder_chunks(Path(data), batch_rows)
