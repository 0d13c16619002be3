"""Profiles: the summaries of every column of a data set, mergeable and saved as a small file.

A profile is built in one streaming pass over chunks of rows, so its memory is bounded
whatever the row count; two profiles of disjoint parts merge into the profile of the whole.
What each column keeps:

| family   | summaries                                                            |
|----------|----------------------------------------------------------------------|
| numeric  | moments, KLL quantiles, exact counts while at most ``max_levels`` levels |
| boolean  | counts                                                               |
| text     | counts (exact, then hashed groups), moments of string lengths        |
| datetime | moments and quantiles of the underlying integers                     |
| other    | row and null counts                                                  |

The file (``save`` / ``load``) is gzip-compressed JSON holding the serialised sketches, with a
format name and version; nothing is pickled.
"""

import base64
import gzip
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from shiftwatch._validation import check_count, check_parameter, is_count
from shiftwatch.columns import (
    ColumnKind,
    category_tally,
    column_family,
    decoded,
    is_integer_type,
    kind_from_summary,
)
from shiftwatch.errors import FormatError, IncompatibleError, NoDataError, SchemaError
from shiftwatch.io.chunks import DEFAULT_BATCH_ROWS, iter_chunks
from shiftwatch.sketch import Frequencies, Moments, QuantileSketch
from shiftwatch.sketch.frequencies import DEFAULT_MAX_LEVELS
from shiftwatch.sketch.quantiles import DEFAULT_K, MAX_K, MIN_K
from shiftwatch.stats._checks import FloatArray

if TYPE_CHECKING:
    from shiftwatch.schema import Schema

FORMAT = "shiftwatch.profile"
FORMAT_VERSION = 1
PROFILE_SUFFIX = ".swp"
MIN_MAX_LEVELS = 100

RowsCallback = Callable[[int, int | None], None]

_SKETCH_TYPES: dict[str, Any] = {
    "moments": Moments,
    "quantiles": QuantileSketch,
    "frequencies": Frequencies,
    "lengths": Moments,
}


class ColumnProfile:
    """The summaries of one column; built by :class:`Profile`, read by ``compare``.

    ``n`` counts rows, ``nulls`` null values, ``missing`` nulls plus NaN, ``infinite`` the
    infinities of a numeric column (kept out of the moments and quantiles).
    """

    def __init__(
        self, name: str, *, k: int, max_levels: int, count_numeric_levels: bool = True
    ) -> None:
        self.name = name
        self.count_numeric_levels = count_numeric_levels
        self.k = k
        self.max_levels = max_levels
        self.family = "empty"
        self.data_type = "null"
        self.dictionary = True
        self.integer = True
        self.n = 0
        self.nulls = 0
        self.missing = 0
        self.infinite = 0
        self.moments: Moments | None = None
        self.quantiles: QuantileSketch | None = None
        self.frequencies: Frequencies | None = None
        self.lengths: Moments | None = None

    # building -------------------------------------------------------------------------

    def _adopt(self, family: str, data_type: pa.DataType, rows_before: int) -> None:
        """Take the family of the first non-null chunk; refuse another family later."""
        if self.family == "empty":
            self.family, self.data_type = family, str(data_type)
            if family in ("numeric", "datetime"):
                self.moments, self.quantiles = Moments(), QuantileSketch(self.k)
            if family in ("boolean", "text") or (family == "numeric" and self.count_numeric_levels):
                self.frequencies = Frequencies(self.max_levels)
            if family == "text":
                self.lengths = Moments()
        elif family != self.family:
            raise SchemaError(
                f"Column {self.name!r} holds {self.family} values before row {rows_before} "
                f"and {family} values from there."
            )

    def update(self, column: pa.Array | pa.ChunkedArray) -> None:
        """Add the values of one chunk of this column."""
        chunk = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
        family = column_family(chunk)
        rows_before = self.n
        self.n += len(chunk)
        self.nulls += chunk.null_count
        if family == "empty":
            self.missing += chunk.null_count
            return
        self._adopt(family, chunk.type, rows_before)
        self.dictionary = self.dictionary and pa.types.is_dictionary(chunk.type)
        self.integer = self.integer and is_integer_type(chunk.type)
        if family == "numeric":
            self._update_numbers(chunk)
        elif family == "datetime":
            self.missing += chunk.null_count
            self._update_sketches(_as_float(_temporal_integers(chunk)))
        elif family in ("boolean", "text"):
            self._update_categories(chunk)
            if family == "text":
                assert self.lengths is not None
                lengths = pc.utf8_length(decoded(chunk).drop_null())
                self.lengths.update(_as_float(lengths))
        else:
            self.missing += chunk.null_count

    def _update_sketches(self, values: FloatArray) -> npt.NDArray[np.bool_]:
        """Feed finite values to moments and quantiles; return the mask of NaN values."""
        assert self.moments is not None
        assert self.quantiles is not None
        nan = np.isnan(values)
        finite = values[np.isfinite(values)]
        self.moments.update(finite)
        self.quantiles.update(finite)
        return nan

    def _update_numbers(self, chunk: pa.ChunkedArray) -> None:
        values = _as_float(chunk)
        nan = self._update_sketches(values)
        self.missing += int(nan.sum())
        self.infinite += int(np.isinf(values).sum())
        if self.frequencies is not None:
            tally = category_tally(chunk)
            if len(tally.values) > self.max_levels:
                self.frequencies = None  # too many levels to count as categories
            else:
                self.frequencies.update_counts(tally.values, tally.counts)
                if not self.frequencies.exact:
                    self.frequencies = None

    def _update_categories(self, chunk: pa.ChunkedArray, *, count_missing: bool = True) -> None:
        assert self.frequencies is not None
        tally = category_tally(chunk)
        if count_missing:
            self.missing += tally.n_missing
        self.frequencies.update_counts(tally.values, tally.counts)

    # reading --------------------------------------------------------------------------

    @property
    def kind(self) -> ColumnKind:
        """The inferred kind, by the same rules as for raw data (see :mod:`shiftwatch.columns`)."""
        return kind_from_summary(
            self.family,
            dictionary=self.dictionary,
            integer=self.integer,
            n_valid=self.n - self.nulls,
            distinct=self._distinct,
        )

    def _distinct(self) -> int:
        if self.frequencies is None:
            return self.max_levels + 1
        return self.frequencies.distinct

    # combining and persisting ---------------------------------------------------------

    def merge(self, other: "ColumnProfile") -> "ColumnProfile":
        """A new summary of both inputs."""
        families = {self.family, other.family} - {"empty"}
        if len(families) > 1:
            raise IncompatibleError(
                f"Column {self.name!r} holds {self.family} values in one profile and "
                f"{other.family} values in the other."
            )
        if (self.k, self.max_levels) != (other.k, other.max_levels):
            raise IncompatibleError(
                f"Column {self.name!r} was profiled with k={self.k}, max_levels="
                f"{self.max_levels} in one profile and k={other.k}, max_levels="
                f"{other.max_levels} in the other: profile both with the same settings."
            )
        first, second = (self, other) if self.family != "empty" else (other, self)
        merged = ColumnProfile(self.name, k=first.k, max_levels=first.max_levels)
        for attribute in ("family", "data_type", "dictionary", "integer"):
            setattr(merged, attribute, getattr(first, attribute))
        for attribute in ("n", "nulls", "missing", "infinite"):
            setattr(merged, attribute, getattr(self, attribute) + getattr(other, attribute))
        for attribute in _SKETCH_TYPES:
            mine, theirs = getattr(first, attribute), getattr(second, attribute)
            if second.family == "empty":  # nothing to add: a copy of the first's summary
                combined = None if mine is None else type(mine).deserialize(mine.serialize())
            else:
                combined = None if mine is None or theirs is None else mine.merge(theirs)
            setattr(merged, attribute, combined)
        if second.family != "empty":
            merged.dictionary = first.dictionary and second.dictionary
            merged.integer = first.integer and second.integer
            frequencies = merged.frequencies
            if merged.family == "numeric" and frequencies is not None and not frequencies.exact:
                merged.frequencies = None  # as in from_data: too many levels to count
        return merged

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: plain fields and base64 of each serialised sketch."""
        state: dict[str, Any] = {
            "name": self.name,
            "k": self.k,
            "max_levels": self.max_levels,
            "family": self.family,
            "data_type": self.data_type,
            "dictionary": self.dictionary,
            "integer": self.integer,
            "n": self.n,
            "nulls": self.nulls,
            "missing": self.missing,
            "infinite": self.infinite,
        }
        for attribute in _SKETCH_TYPES:
            sketch = getattr(self, attribute)
            if sketch is not None:
                state[attribute] = base64.b64encode(sketch.serialize()).decode("ascii")
        return state

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Self:
        """Rebuild a column profile from :meth:`to_dict`'s output."""
        column = cls(state["name"], k=state["k"], max_levels=state["max_levels"])
        for field in ("family", "data_type", "dictionary", "integer", "n", "nulls", "missing"):
            setattr(column, field, state[field])
        column.infinite = state["infinite"]
        for attribute, sketch_type in _SKETCH_TYPES.items():
            if attribute in state:
                setattr(
                    column, attribute, sketch_type.deserialize(base64.b64decode(state[attribute]))
                )
        return column

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ColumnProfile):
            return False
        mine, theirs = self.to_dict(), other.to_dict()
        return all(
            mine.get(f) == theirs.get(f) for f in mine.keys() - _SKETCH_TYPES.keys()
        ) and all(getattr(self, f) == getattr(other, f) for f in _SKETCH_TYPES)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return (
            f"ColumnProfile({self.name!r}, {self.kind.value}, n={self.n}, missing={self.missing})"
        )


def _temporal_integers(chunk: pa.ChunkedArray) -> pa.ChunkedArray:
    """The integers under dates, times, timestamps and durations (in their own unit)."""
    width = pa.int32() if chunk.type.bit_width == 32 else pa.int64()
    return pa.chunked_array([piece.view(width) for piece in chunk.chunks], type=width)


def _as_float(chunk: pa.ChunkedArray) -> FloatArray:
    """float64 values with nulls as NaN."""
    plain = decoded(chunk)
    as_float = plain if plain.type == pa.float64() else plain.cast(pa.float64(), safe=False)
    values: FloatArray = np.asarray(as_float.to_numpy(), dtype=np.float64)
    return values


def check_profile_parameters(owner: str, k: int, max_levels: int, batch_rows: int) -> None:
    """Check the settings every way of profiling takes, naming ``owner`` in the message."""
    check_parameter(
        owner,
        "k",
        k,
        lambda v: is_count(v) and MIN_K <= v <= MAX_K,
        f"an int in [{MIN_K}, {MAX_K}]",
    )
    check_count(owner, "max_levels", max_levels, MIN_MAX_LEVELS)
    check_count(owner, "batch_rows", batch_rows)


class Profile:
    """Summaries of every column of a data set: mergeable, bounded in memory, saved as a file.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> first = Profile.from_data({"age": rng.normal(40, 10, 5000), "plan": ["a", "b"] * 2500})
    >>> second = Profile.from_data({"age": rng.normal(40, 10, 5000), "plan": ["b"] * 5000})
    >>> whole = first.merge(second)
    >>> whole.n, whole["plan"].frequencies.counts, whole["age"].kind.value
    (10000, {'a': 2500, 'b': 7500}, 'numeric')
    >>> round(whole["age"].quantiles.get_quantile(0.5))
    40
    """

    def __init__(
        self,
        columns: Mapping[str, ColumnProfile],
        n: int,
        *,
        schema: Mapping[str, Any] | None = None,
    ) -> None:
        self._columns = dict(columns)
        self.n = n
        self._schema_state = None if schema is None else dict(schema)

    @classmethod
    def from_data(
        cls,
        data: Any,
        *,
        k: int = DEFAULT_K,
        max_levels: int = DEFAULT_MAX_LEVELS,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        on_progress: RowsCallback | None = None,
    ) -> Self:
        """Profile ``data`` in one pass over chunks of rows.

        ``data`` is anything :func:`shiftwatch.compare` reads, or a folder or glob pattern of
        Parquet files. ``k`` sets the quantile sketches' size and error (see
        :mod:`shiftwatch.sketch.quantiles`), ``max_levels`` how many categories are counted
        exactly. ``on_progress(rows_done, total_rows_or_None)`` is called after each chunk.
        """
        check_profile_parameters("Profile.from_data", k, max_levels, batch_rows)
        chunks = iter_chunks(data, role="profiled", batch_rows=batch_rows)
        profile = cls.from_batches(
            chunks.schema.names,
            chunks.batches,
            k=k,
            max_levels=max_levels,
            total_rows=chunks.total_rows,
            on_progress=on_progress,
        )
        if profile.n == 0:
            raise NoDataError("The profiled data has no rows.")
        return profile

    @classmethod
    def from_batches(
        cls,
        names: Sequence[str],
        batches: Iterable[pa.RecordBatch],
        *,
        k: int = DEFAULT_K,
        max_levels: int = DEFAULT_MAX_LEVELS,
        total_rows: int | None = None,
        on_progress: RowsCallback | None = None,
    ) -> Self:
        """Profile record batches whose columns are ``names`` (the loop under ``from_data``).

        >>> batch = pa.record_batch({"x": [1.5, 2.5]})
        >>> Profile.from_batches(["x"], [batch, batch]).n
        4
        """
        columns = {name: ColumnProfile(name, k=k, max_levels=max_levels) for name in names}
        if len(columns) != len(names):
            raise SchemaError(f"The profiled data has duplicated column names: {list(names)}.")
        rows = 0
        for batch in batches:
            if batch.schema.names != list(names):
                raise SchemaError(
                    f"The profiled data changes columns after row {rows}: "
                    f"{list(names)} before, {batch.schema.names} from there."
                )
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                columns[name].update(column)
            rows += batch.num_rows
            if on_progress is not None:
                on_progress(rows, total_rows)
        return cls(columns, rows)

    @property
    def schema(self) -> "Schema":
        """The validation rules saved with this profile, else those its summaries imply.

        >>> profile = Profile.from_data({"age": [31.0, 45.0]})
        >>> profile.schema.columns["age"].minimum, profile.schema.columns["age"].maximum
        (29.6, 46.4)
        """
        from shiftwatch.schema import Schema

        if self._schema_state is not None:
            return Schema.from_dict(self._schema_state)
        return Schema.from_profile(self)

    def with_schema(self, schema: "Schema") -> "Profile":
        """The same summaries with ``schema`` as the rules to save (an edited schema, say)."""
        if set(schema.columns) != set(self._columns):
            raise IncompatibleError(
                f"The schema's columns {sorted(schema.columns)} are not the profile's "
                f"{sorted(self._columns)}."
            )
        return Profile(self._columns, self.n, schema=schema.to_dict())

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the profiled columns, in data order."""
        return tuple(self._columns)

    def __getitem__(self, name: str) -> ColumnProfile:
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(
                f"No column {name!r} in this profile; it has {list(self._columns)}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def merge(self, other: "Profile") -> "Profile":
        """A new profile of both data sets; they must have the same columns.

        A schema saved with either profile is not carried over: the merged profile's schema is
        the one its merged summaries imply.
        """
        if not isinstance(other, Profile):
            raise IncompatibleError(f"Profile.merge takes a Profile. Got {type(other).__name__}.")
        if set(self._columns) != set(other._columns):
            only_self = sorted(set(self._columns) - set(other._columns))
            only_other = sorted(set(other._columns) - set(self._columns))
            raise IncompatibleError(
                "Profiles merge only with the same columns: "
                f"only in the first {only_self}, only in the second {only_other}."
            )
        merged = {name: column.merge(other[name]) for name, column in self._columns.items()}
        return Profile(merged, self.n + other.n)

    def join(self, other: "Profile") -> "Profile":
        """A new profile with the columns of both, which must describe the same rows.

        Use it to add the profile of a model's outputs to the profile of its inputs.

        >>> inputs = Profile.from_data({"x": [1.0, 2.0]})
        >>> outputs = Profile.from_data({"prediction": ["a", "b"]})
        >>> inputs.join(outputs).column_names
        ('x', 'prediction')
        """
        if not isinstance(other, Profile):
            raise IncompatibleError(f"Profile.join takes a Profile. Got {type(other).__name__}.")
        shared = sorted(set(self._columns) & set(other._columns))
        if shared:
            raise IncompatibleError(f"Profiles join only with other columns; both have {shared}.")
        if self.n != other.n:
            raise IncompatibleError(
                f"Profiles join only when they describe the same rows: {self.n} and {other.n}."
            )
        return Profile({**self._columns, **other._columns}, self.n)

    # persisting -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The profile file's bytes (gzip-compressed JSON, with no timestamp inside)."""
        from shiftwatch import __version__

        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "written_by": f"shiftwatch {__version__}",
            "n": self.n,
            "columns": [column.to_dict() for column in self._columns.values()],
        }
        if self._schema_state is not None:
            document["schema"] = self._schema_state
        text = json.dumps(document, separators=(",", ":"), allow_nan=False)
        return gzip.compress(text.encode("utf-8"), mtime=0)

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "the profile") -> Self:
        """Read a profile from :meth:`to_bytes`'s output."""
        try:
            document = json.loads(gzip.decompress(data))
        except (OSError, EOFError, ValueError) as error:
            raise FormatError(f"{source} is not a shiftwatch profile: {error}.") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise FormatError(f"{source} is not a shiftwatch profile (no {FORMAT!r} header).")
        version = document.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise FormatError(
                f"{source} has profile format version {version!r}, written by "
                f"{document.get('written_by', 'another program')}; this shiftwatch reads "
                f"versions up to {FORMAT_VERSION}. Upgrade shiftwatch to read it."
            )
        try:
            columns = [ColumnProfile.from_dict(state) for state in document["columns"]]
            return cls(
                {c.name: c for c in columns}, int(document["n"]), schema=document.get("schema")
            )
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, FormatError):
                raise
            raise FormatError(f"{source} is a damaged shiftwatch profile: {error!r}.") from None

    def save(self, path: str | Path) -> None:
        """Write the profile to ``path`` (by convention ``*.swp``), its schema included."""
        saved = self if self._schema_state is not None else self.with_schema(self.schema)
        Path(path).write_bytes(saved.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read a profile written by :meth:`save`."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise FormatError(f"Cannot read the profile '{path}': {error.strerror}.") from None
        return cls.from_bytes(data, source=f"'{path}'")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Profile)
            and self.n == other.n
            and list(self._columns.items()) == list(other._columns.items())
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Profile(n={self.n}, columns={len(self._columns)})"
