"""Open Inference Protocol (KServe v2) bodies: named, typed tensors turned into rows.

A request ``{"inputs": [{"name", "shape", "datatype", "data"}, ...]}`` becomes one dict of
features per instance; a response ``{"outputs": [...]}`` one prediction per instance. ``data``
may be flat or nested: it is read in row-major order and reshaped by ``shape``, whose first
dimension is the batch.

How tensors become features:

- one 2-D input ``[N, F]``: ``F`` features named by ``feature_names`` or ``<tensor>_<j>``;
- otherwise each input ``[N]`` or ``[N, 1]`` is one feature named by the tensor, an input
  ``[N, F]`` is ``F`` features ``<tensor>_<j>``, and anything of higher rank is one vector
  feature (a nested list per instance);
- MLServer's request parameter ``content_type: "pd"`` (one input per data-frame column) makes
  every input one feature named by the tensor, ``[N, F]`` ones included (as vectors).

Of several outputs, the one named "predict_proba" or "probabilities" is read, else the first;
``[N]`` and ``[N, 1]`` give one label or number per instance, ``[N, C]`` a list of ``C``.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shiftwatch.service.payloads._common import (
    MAX_DEPTH,
    Invalid,
    as_list,
    as_object,
    as_text,
    check_features,
    check_rows,
    check_text,
    describe,
    flatten,
    required,
    unwrap,
)
from shiftwatch.service.records import PayloadError

PROBABILITY_OUTPUTS = ("predict_proba", "probabilities")

_INTEGERS = {
    "UINT8": (0, 2**8 - 1),
    "UINT16": (0, 2**16 - 1),
    "UINT32": (0, 2**32 - 1),
    "UINT64": (0, 2**64 - 1),
    "INT8": (-(2**7), 2**7 - 1),
    "INT16": (-(2**15), 2**15 - 1),
    "INT32": (-(2**31), 2**31 - 1),
    "INT64": (-(2**63), 2**63 - 1),
}
_FLOATS = ("FP16", "FP32", "FP64")
_DIM_MAX = 2**63 - 1
DATATYPES = ("BOOL", *_INTEGERS, *_FLOATS, "BYTES")


def _boolean(item: object) -> bool | None:
    if item is None or isinstance(item, bool):
        return item
    raise Invalid(f"expected true, false or null for BOOL, got {describe(item)}")


def _integer(datatype: str) -> Callable[[object], int | None]:
    low, high = _INTEGERS[datatype]

    def convert(item: object) -> int | None:
        if item is None:
            return None
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if isinstance(item, int) and not isinstance(item, bool) and low <= item <= high:
            return item
        raise Invalid(
            f"expected an integer in [{low}, {high}] for {datatype}, got {describe(item)}"
        )

    return convert


def number(item: object) -> float | None:
    """``item`` as a float if it is a finite number, None if null, else raise Invalid."""
    if item is None:
        return None
    if isinstance(item, int | float) and not isinstance(item, bool):
        try:
            result = float(item)
        except OverflowError:
            raise Invalid(f"number out of range, got {describe(item)}") from None
        if math.isfinite(result):
            return result
    raise Invalid(f"expected a finite number or null, got {describe(item)}")


def _bytes(item: object) -> str | None:
    if item is None:
        return None
    if isinstance(item, str):
        return check_text(item)
    raise Invalid(f"expected a string or null for BYTES, got {describe(item)}")


def _converter(datatype: str) -> Callable[[object], Any]:
    if datatype == "BOOL":
        return _boolean
    if datatype in _INTEGERS:
        return _integer(datatype)
    if datatype in _FLOATS:
        return number
    return _bytes


@dataclass(frozen=True)
class Tensor:
    """A tensor read from a payload: ``rows`` holds one entry per instance (the batch axis)."""

    name: str
    shape: tuple[int, ...]
    rows: list[Any]


def read_shape(raw: object, field: str) -> tuple[int, ...]:
    """A tensor shape: a batch dimension >= 0, then dimensions >= 1, at most 32 in all."""
    dims = as_list(raw, field)
    if not dims:
        raise PayloadError(field, "is empty; the first dimension must be the batch")
    if len(dims) > MAX_DEPTH:
        raise PayloadError(field, f"has {len(dims)} dimensions, more than {MAX_DEPTH}")
    for j, dim in enumerate(dims):
        least = 0 if j == 0 else 1
        if not isinstance(dim, int) or isinstance(dim, bool) or not least <= dim <= _DIM_MAX:
            expected = f"an integer in [{least}, 2**63 - 1]"
            raise PayloadError(f"{field}[{j}]", f"expected {expected}, got {describe(dim)}")
    check_rows(dims[0], field)
    return tuple(dims)


def reshape(flat: list[Any], shape: tuple[int, ...], field: str) -> list[Any]:
    """Split row-major ``flat`` into ``shape[0]`` rows nested by ``shape[1:]``.

    >>> reshape([1, 2, 3, 4, 5, 6], (3, 2), "data")
    [[1, 2], [3, 4], [5, 6]]
    >>> reshape([1, 2, 3], (2, 2), "data")
    Traceback (most recent call last):
    ...
    shiftwatch.service.records.PayloadError: data: holds 3 values but shape [2, 2] needs 4
    """
    total = math.prod(shape)
    if total != len(flat):
        need = str(total) if total < 10**18 else "more"
        raise PayloadError(field, f"holds {len(flat)} values but shape {list(shape)} needs {need}")
    if len(shape) == 1:
        return flat
    return _nest(flat, shape)


def _nest(flat: list[Any], shape: tuple[int, ...]) -> list[Any]:
    if len(shape) == 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nest(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def read_tensor(raw: object, field: str) -> Tensor:
    """Read and check one ``{"name", "shape", "datatype", "data"}`` tensor."""
    obj = as_object(raw, field)
    name = as_text(required(obj, "name", field), f"{field}.name")
    shape = read_shape(required(obj, "shape", field), f"{field}.shape")
    datatype = as_text(required(obj, "datatype", field), f"{field}.datatype")
    if datatype not in DATATYPES:
        raise PayloadError(
            f"{field}.datatype", f"expected one of {', '.join(DATATYPES)}, got {describe(datatype)}"
        )
    data = required(obj, "data", field)
    flat: list[Any] = []
    if isinstance(data, list):
        flatten(data, _converter(datatype), f"{field}.data", flat)
    else:  # a lone scalar for a one-element tensor
        try:
            flat.append(_converter(datatype)(data))
        except Invalid as bad:
            raise PayloadError(f"{field}.data", bad.message) from None
    return Tensor(name, shape, reshape(flat, shape, f"{field}.data"))


def _content_type(body: dict[str, Any], field: str) -> str | None:
    parameters = body.get("parameters")
    if parameters is None:
        return None
    kind = as_object(parameters, f"{field}.parameters").get("content_type")
    return None if kind is None else as_text(kind, f"{field}.parameters.content_type")


def _tensors(body: dict[str, Any], key: str, field: str) -> list[Any]:
    items = as_list(required(body, key, field), f"{field}.{key}")
    if not items:
        raise PayloadError(f"{field}.{key}", "holds no tensor")
    check_features(len(items), f"{field}.{key}")
    return items


def request_rows(
    body: dict[str, Any], feature_names: Sequence[str] | None, field: str = "body"
) -> list[dict[str, Any]]:
    """The features of each instance of an Open Inference Protocol request.

    >>> body = {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]}
    >>> request_rows(body, None)
    [{'x_0': 1.0, 'x_1': 2.0}, {'x_0': 3.0, 'x_1': 4.0}]
    """  # noqa: E501
    items = _tensors(body, "inputs", field)
    frame = _content_type(body, field) == "pd"
    tensors = [read_tensor(item, f"{field}.inputs[{i}]") for i, item in enumerate(items)]
    n = tensors[0].shape[0]
    for i, tensor in enumerate(tensors):
        if tensor.shape[0] != n:
            raise PayloadError(
                f"{field}.inputs[{i}].shape",
                f"has {tensor.shape[0]} instances but inputs[0] has {n}",
            )
    first = tensors[0]
    if len(tensors) == 1 and len(first.shape) == 2 and not frame:
        width = check_features(first.shape[1], f"{field}.inputs[0].shape")
        names = feature_names or [f"{first.name}_{j}" for j in range(width)]
        if len(names) != width:
            raise PayloadError(
                f"{field}.inputs[0].shape",
                f"gives {width} features but feature_names has {len(names)} names",
            )
        return [dict(zip(names, row, strict=True)) for row in first.rows]
    return _columns_to_rows(tensors, frame, n, field)


def _columns_to_rows(
    tensors: list[Tensor], frame: bool, n: int, field: str
) -> list[dict[str, Any]]:
    columns: dict[str, list[Any]] = {}

    def add(name: str, values: list[Any], i: int) -> None:
        if name in columns:
            raise PayloadError(f"{field}.inputs[{i}].name", f"feature {name!r} appears twice")
        columns[name] = values
        check_features(len(columns), f"{field}.inputs")

    for i, tensor in enumerate(tensors):
        rank = len(tensor.shape)
        if rank == 1:
            add(tensor.name, tensor.rows, i)
        elif rank == 2 and tensor.shape[1] == 1:
            add(tensor.name, [row[0] for row in tensor.rows], i)
        elif rank == 2 and not frame:
            check_features(tensor.shape[1], f"{field}.inputs[{i}].shape")
            for j in range(tensor.shape[1]):
                add(f"{tensor.name}_{j}", [row[j] for row in tensor.rows], i)
        else:
            add(tensor.name, tensor.rows, i)
    return [{name: values[k] for name, values in columns.items()} for k in range(n)]


def response_outputs(body: dict[str, Any], field: str = "body") -> list[Any]:
    """One prediction per instance of an Open Inference Protocol response.

    >>> body = {"model_name": "iris", "model_version": None, "id": "1", "parameters": None,
    ...         "outputs": [{"name": "predict", "shape": [2], "datatype": "INT64", "data": [1, 2]},
    ...                     {"name": "predict_proba", "shape": [2, 2], "datatype": "FP64",
    ...                      "data": [[0.9, 0.1], [0.2, 0.8]]}]}
    >>> response_outputs(body)
    [[0.9, 0.1], [0.2, 0.8]]
    """
    items = _tensors(body, "outputs", field)
    chosen = next(
        (
            k
            for k, item in enumerate(items)
            if isinstance(item, dict) and item.get("name") in PROBABILITY_OUTPUTS
        ),
        0,
    )
    tensor = read_tensor(items[chosen], f"{field}.outputs[{chosen}]")
    if len(tensor.shape) == 2:
        return [unwrap(row) for row in tensor.rows]
    return tensor.rows
