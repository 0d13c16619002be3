"""Images as tables: per-image properties (brightness, contrast, sharpness, size, ...).

A folder of image files or an array of images becomes one row per image and one column per
property (see :mod:`shiftwatch.images.features`), so every tabular test, profile and monitor
applies to images. ``shiftwatch.compare`` and ``Profile.from_data`` recognise image sources
themselves; this package is imported only then, and Pillow only when a file is decoded
(``pip install 'shiftwatch[images]'``).

>>> import numpy as np
>>> import shiftwatch as sw
>>> rng = np.random.default_rng(3)
>>> reference = rng.integers(0, 256, size=(200, 16, 16), dtype=np.uint8)
>>> brighter = np.minimum(reference.astype(int) + 40, 255).astype(np.uint8)
>>> report = sw.compare(reference, brighter)
>>> report.drifted, report.columns["brightness"].drifted
(True, True)
"""

from shiftwatch.images.features import FEATURE_NAMES, image_features
from shiftwatch.images.folders import ImageBatch, is_image_folder, load_image, read_image_folder
from shiftwatch.images.tables import as_feature_table, image_chunks, image_table, is_image_source

__all__ = [
    "FEATURE_NAMES",
    "ImageBatch",
    "as_feature_table",
    "image_chunks",
    "image_features",
    "image_table",
    "is_image_folder",
    "is_image_source",
    "load_image",
    "read_image_folder",
]
