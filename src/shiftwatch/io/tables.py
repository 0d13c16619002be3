"""Turn whatever data the user holds into one Arrow table, without copying where possible.

Accepted: ``pyarrow.Table`` and ``RecordBatch``, pandas and polars data frames, a mapping of
column names to 1-D arrays or lists, and a path to a CSV, Parquet or JSON-lines file.
pandas and polars are never imported here: objects are recognised by their methods.
Images (a folder of image files, a 3-D/4-D array, a list of 2-D/3-D arrays) become their
table of per-image properties, from :mod:`shiftwatch.images`, imported only for them.
"""

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from shiftwatch.errors import FormatError, NoDataError, SchemaError
from shiftwatch.io.files import read_file


def _from_pandas(frame: Any, role: str) -> pa.Table:
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, ValueError, TypeError) as error:
        raise SchemaError(f"The {role} data frame cannot be read: {error}") from error


def _from_mapping(columns: Mapping[Any, Any], role: str) -> pa.Table:
    arrays: dict[str, pa.Array] = {}
    length: int | None = None
    for name, values in columns.items():
        if isinstance(values, np.ndarray) and values.ndim != 1:
            raise SchemaError(
                f"Column {name!r} of the {role} data must be one-dimensional; "
                f"got an array of shape {values.shape}."
            )
        try:
            array = pa.array(values, from_pandas=True)
        except (pa.ArrowException, ValueError, TypeError) as error:
            raise SchemaError(
                f"Column {name!r} of the {role} data cannot be read: {error}"
            ) from error
        if length is not None and len(array) != length:
            raise SchemaError(
                f"Column {name!r} of the {role} data has {len(array)} values; "
                f"the columns before it have {length}."
            )
        length = len(array)
        if str(name) in arrays:
            raise SchemaError(f"The {role} data has two columns named {str(name)!r}.")
        arrays[str(name)] = array
    return pa.table(arrays)


def _images(data: Any, role: str) -> pa.Table | None:
    """The per-image properties of ``data`` when it holds images, else None."""
    if isinstance(data, np.ndarray | list | tuple) or (
        isinstance(data, str | Path) and Path(data).is_dir()
    ):
        from shiftwatch.images import as_feature_table

        return as_feature_table(data, role=role)
    return None


def to_table(data: Any, role: str = "input") -> pa.Table:
    """Return ``data`` as an Arrow table with at least one row and one column.

    ``role`` ("reference" or "current") names the data in error messages.

    >>> to_table({"age": np.array([31.0, 45.0]), "city": ["Oslo", "Lima"]}).schema.names
    ['age', 'city']
    >>> to_table({"age": []}, role="current")
    Traceback (most recent call last):
    ...
    shiftwatch.errors.NoDataError: The current data has no rows.
    """
    images = _images(data, role)
    if images is not None:
        table = images
    elif isinstance(data, str | Path):
        table = read_file(data)
    elif isinstance(data, pa.Table):
        table = data
    elif isinstance(data, pa.RecordBatch):
        table = pa.Table.from_batches([data])
    elif hasattr(data, "to_arrow") and hasattr(data, "schema"):  # polars
        try:
            table = data.to_arrow()
        except (pa.ArrowException, ValueError, TypeError) as error:
            raise SchemaError(f"The {role} polars data frame cannot be read: {error}") from error
    elif hasattr(data, "iloc") and hasattr(data, "columns"):  # pandas
        table = _from_pandas(data, role)
    elif isinstance(data, Mapping):
        table = _from_mapping(data, role)
    else:
        raise FormatError(
            f"Cannot read the {role} data from a {type(data).__name__}: expected a file path, "
            "a pandas or polars data frame, a pyarrow table, a dict of 1-D arrays, or images "
            "(a folder, or an array of shape (N, H, W) or (N, H, W, C))."
        )
    if table.num_columns == 0:
        raise NoDataError(f"The {role} data has no columns.")
    if table.num_rows == 0:
        raise NoDataError(f"The {role} data has no rows.")
    names = table.column_names  # a new list at each access: read it once
    duplicated = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicated:
        raise SchemaError(f"The {role} data has duplicated column names: {duplicated}.")
    return table
