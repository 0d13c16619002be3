"""Stable 64-bit hashes of category values, computed a whole array at a time.

The hash of a value never depends on the process, the platform, the chunk it arrived in or the
Arrow type it came as: numbers hash by their float64 value (so 1, 1.0 and True share a hash,
as they share a Python dict key), strings by their UTF-8 bytes (the first and last 32 bytes and
the length: two long strings that agree on all three share a hash, which costs a grouped test
only a little power). The mixer is splitmix64's finaliser.
"""

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shiftwatch.errors import InvalidParameterError

HashArray = npt.NDArray[np.uint64]

_EDGE_BYTES = 32
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_STRING_SEED = np.uint64(0x9E3779B97F4A7C15)
_NUMBER_SEED = np.uint64(0xD1B54A32D192ED03)


def _mix(z: HashArray) -> HashArray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: HashArray = z ^ (z >> np.uint64(31))
    return mixed


def _fnv_bytes(
    data: npt.NDArray[np.uint8],
    hashes: HashArray,
    starts: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
) -> HashArray:
    """Fold ``counts[i]`` bytes of ``data`` from ``starts[i]`` into ``hashes[i]`` (FNV-1a)."""
    last = max(data.size - 1, 0)
    padded = data if data.size else np.zeros(1, dtype=np.uint8)
    for position in range(int(counts.max(initial=0))):
        byte = padded[np.minimum(starts + position, last)].astype(np.uint64)
        hashes = np.where(position < counts, (hashes ^ byte) * _FNV_PRIME, hashes)
    return hashes


def _hash_strings(array: pa.Array) -> HashArray:
    plain = array.cast(pa.large_string()) if array.type != pa.large_string() else array
    plain = plain.fill_null("")
    buffers = plain.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[
        plain.offset : plain.offset + len(plain) + 1
    ]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    starts, lengths = offsets[:-1], np.diff(offsets)
    head = np.minimum(lengths, _EDGE_BYTES)
    tail_start = np.maximum(starts + _EDGE_BYTES, starts + lengths - _EDGE_BYTES)
    tail = starts + lengths - tail_start
    hashes = np.full(len(plain), _FNV_OFFSET, dtype=np.uint64)
    hashes = _fnv_bytes(data, hashes, starts, head)
    hashes = _fnv_bytes(data, hashes, tail_start, np.maximum(tail, 0))
    return _mix(hashes ^ lengths.astype(np.uint64) ^ _STRING_SEED)


def _hash_numbers(values: npt.NDArray[np.float64]) -> HashArray:
    normalised = np.where(values == 0, 0.0, values)  # -0.0 == 0.0
    bits = np.ascontiguousarray(normalised, dtype=np.float64).view(np.uint64)
    return _mix(bits ^ _NUMBER_SEED)


def _to_array(values: list[object]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if all(isinstance(v, bool | int | float) for v in values):  # booleans beside numbers
            return pa.array([float(v) for v in values])  # type: ignore[arg-type]
        # Text beside numbers (never within one column's family): hash the text forms.
        return pa.array([f"{type(v).__name__}:{v}" for v in values])


def stable_hash(values: pa.Array | list[object]) -> HashArray:
    """64-bit hashes of strings, numbers or booleans (nulls hash as the empty string).

    >>> stable_hash(pa.array([1, 2])).tolist() == stable_hash(pa.array([1.0, 2.0])).tolist()
    True
    >>> tokyo, again, kyoto = stable_hash(["tokyo", "tokyo", "kyoto"]).tolist()
    >>> tokyo == again, tokyo == kyoto
    (True, False)
    """
    array = values if isinstance(values, pa.Array) else _to_array(values)
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    data_type = array.type
    if (
        pa.types.is_string(data_type)
        or pa.types.is_large_string(data_type)
        or pa.types.is_string_view(data_type)
    ):
        return _hash_strings(array)
    if (
        pa.types.is_boolean(data_type)
        or pa.types.is_integer(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_decimal(data_type)
        or pa.types.is_null(data_type)
    ):
        as_float = array.cast(pa.float64(), safe=False).fill_null(0.0)
        return _hash_numbers(np.asarray(as_float.to_numpy(zero_copy_only=False), dtype=np.float64))
    raise InvalidParameterError(
        f"Categories are hashed from strings, numbers or booleans. Got Arrow type {data_type}."
    )
