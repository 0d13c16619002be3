"""A model's outputs as columns: the predicted class, and the confidence behind it.

Outputs come as one prediction per row (class labels, or numbers for a regressor) or as one
row of class probabilities per row. :func:`output_columns` turns them into the columns
``prediction`` (the label, or the argmax of the probabilities) and ``confidence`` (the largest
probability; only from probabilities), so that the class mix and the confidence are profiled,
compared and monitored like any input column.

>>> import numpy as np
>>> probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
>>> {name: values.tolist() for name, values in output_columns(probabilities).items()}
{'prediction': [0, 2], 'confidence': [0.7, 0.6]}
"""

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shiftwatch.errors import SchemaError
from shiftwatch.io import to_table

PREDICTION = "prediction"
CONFIDENCE = "confidence"
OUTPUT_COLUMNS = (PREDICTION, CONFIDENCE)


def _as_outputs(outputs: npt.ArrayLike, n_rows: int | None) -> npt.NDArray[Any]:
    array = np.asarray(outputs)
    if array.ndim not in (1, 2):
        raise SchemaError(
            "'outputs' must hold one prediction per row or one row of class probabilities per "
            f"row; got shape {array.shape}."
        )
    if n_rows is not None and array.shape[0] != n_rows:
        raise SchemaError(f"'outputs' has {array.shape[0]} rows; the inputs have {n_rows}.")
    return array


def predicted_labels(outputs: npt.ArrayLike, n_rows: int | None = None) -> npt.NDArray[Any]:
    """One prediction per row: the predictions themselves, or the argmax of probabilities.

    ``n_rows``, when given, is the number of rows the outputs must have.

    >>> predicted_labels([[0.2, 0.8], [0.9, 0.1]]).tolist()
    [1, 0]
    """
    array = _as_outputs(outputs, n_rows)
    if array.ndim == 2:
        labels: npt.NDArray[Any] = np.argmax(array, axis=1)
        return labels
    return array


def output_columns(
    outputs: npt.ArrayLike, n_rows: int | None = None
) -> dict[str, npt.NDArray[Any]]:
    """The ``prediction`` column, and ``confidence`` when the outputs are probabilities.

    >>> output_columns(["cat", "dog"])
    {'prediction': array(['cat', 'dog'], dtype='<U3')}
    """
    array = _as_outputs(outputs, n_rows)
    columns = {PREDICTION: predicted_labels(array)}
    if array.ndim == 2:
        probabilities = array.astype(np.float64)
        columns[CONFIDENCE] = probabilities.max(axis=1)
    return columns


def with_outputs(inputs: Any, outputs: npt.ArrayLike) -> pa.Table:
    """The inputs as a table with the output columns appended (see :func:`output_columns`).

    >>> with_outputs({"x": [1.0, 2.0]}, [[0.4, 0.6], [0.8, 0.2]]).column_names
    ['x', 'prediction', 'confidence']
    """
    table = to_table(inputs, role="reference")
    columns = output_columns(outputs, table.num_rows)
    clash = sorted(set(columns) & set(table.column_names))
    if clash:
        raise SchemaError(
            f"The inputs already have column(s) {clash}, the names given to model outputs; "
            "rename them."
        )
    for name, values in columns.items():
        table = table.append_column(name, pa.array(values))
    return table
