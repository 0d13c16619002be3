"""Profile a Parquet dataset on a Dask cluster: partitions in parallel, merged as a tree.

A partition is a group of row groups of one file (read from the files' footers), so one large
file still splits. Each task streams its row groups a batch at a time into one profile and
returns the profile's bytes; merge tasks combine ``SPLIT_EVERY`` of those at a time, on the
workers, until one is left. The driver holds futures, never partition profiles, and receives
one profile at the end.

The result is the profile ``Profile.from_data`` computes in one process over the same files:
row, null, missing and infinite counts and exact category counts are equal, moments equal up
to floating-point rounding, quantiles within the sketches' rank error (KLL merges are
randomised). Files must share their column names; a column's type family must agree.

Workers read the files themselves: on a remote cluster they must see the driver's paths (a
shared file system) and have shiftwatch installed. Dask is imported when the function runs,
never by ``import shiftwatch``.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pyarrow as pa

from shiftwatch._validation import check_count, check_parameter
from shiftwatch.columns import value_family
from shiftwatch.errors import (
    FormatError,
    IncompatibleError,
    InvalidParameterError,
    NoDataError,
    SchemaError,
)
from shiftwatch.io.chunks import DEFAULT_BATCH_ROWS, dataset_paths
from shiftwatch.io.files import file_format
from shiftwatch.profile import Profile, RowsCallback, check_profile_parameters
from shiftwatch.sketch.frequencies import DEFAULT_MAX_LEVELS
from shiftwatch.sketch.quantiles import DEFAULT_K

if TYPE_CHECKING:
    from dask.typing import Key

    from distributed import Client, Future

SPLIT_EVERY = 8
INSTALL = "pip install 'shiftwatch[dask]'"
_OWNER = "profile_parquet"


@dataclass(frozen=True)
class _Part:
    """Row groups of one file, profiled by one task."""

    path: str
    row_groups: tuple[int, ...]
    rows: int


def profile_parquet(
    data: str | Path,
    *,
    client: "Client | None" = None,
    scheduler: str | None = None,
    workers: int | None = None,
    k: int = DEFAULT_K,
    max_levels: int = DEFAULT_MAX_LEVELS,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    row_groups_per_task: int = 1,
    on_progress: RowsCallback | None = None,
) -> Profile:
    """Profile a Parquet file, folder or glob pattern on Dask; equal to ``Profile.from_data``.

    Where it runs: an existing ``client``, the scheduler at address ``scheduler``
    (``"tcp://host:8786"``), or a local cluster of ``workers`` processes started and closed
    here (one per core when none of the three is given). ``row_groups_per_task`` sets the
    partition size; ``k``, ``max_levels`` and ``batch_rows`` mean what they mean for
    :meth:`Profile.from_data <shiftwatch.profile.Profile.from_data>`, and so does
    ``on_progress(rows_done, total_rows)``, called as partitions finish.

    >>> import tempfile
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> from shiftwatch.distributed import profile_parquet
    >>> folder = Path(tempfile.mkdtemp())
    >>> for day in range(3):
    ...     table = pa.table({"age": [30.0 + day, 40.0, 50.0], "plan": ["a", "b", "b"]})
    ...     pq.write_table(table, folder / f"day-{day}.parquet")
    >>> profile = profile_parquet(folder, workers=1)
    >>> profile.n, profile["plan"].frequencies.counts, profile["age"].quantiles.get_quantile(0.5)
    (9, {'a': 3, 'b': 6}, 40.0)
    """
    distributed = _import_distributed()
    _check_parameters(client, scheduler, workers, k, max_levels, batch_rows, row_groups_per_task)
    names, parts = _plan(data, row_groups_per_task)
    if not parts:
        raise NoDataError("The profiled data has no rows.")
    with _connect(distributed, client, scheduler, workers) as connected:
        root, finished = _submit(
            connected,
            parts,
            k=k,
            max_levels=max_levels,
            batch_rows=batch_rows,
            track=distributed.as_completed if on_progress is not None else None,
        )
        if on_progress is not None:
            total, done = sum(part.rows for part in parts), 0
            for rows in finished:
                done += rows
                on_progress(done, total)
        merged = Profile.from_bytes(root.result())
    return Profile({name: merged[name] for name in names}, merged.n)


def _import_distributed() -> ModuleType:
    try:
        import distributed
    except ImportError as error:
        raise ImportError(f"{_OWNER} needs Dask's distributed scheduler: {INSTALL}") from error
    return distributed


def _check_parameters(
    client: "Client | None",
    scheduler: str | None,
    workers: int | None,
    k: int,
    max_levels: int,
    batch_rows: int,
    row_groups_per_task: int,
) -> None:
    places = {"client": client, "scheduler": scheduler, "workers": workers}
    given = [name for name, value in places.items() if value is not None]
    if len(given) > 1:
        raise InvalidParameterError(
            f"{_OWNER} runs on one of a client, a scheduler address or a number of local "
            f"workers. Got {' and '.join(given)}."
        )
    if scheduler is not None:
        check_parameter(_OWNER, "scheduler", scheduler, _is_address, "a scheduler address")
    if workers is not None:
        check_count(_OWNER, "workers", workers)
    check_profile_parameters(_OWNER, k, max_levels, batch_rows)
    check_count(_OWNER, "row_groups_per_task", row_groups_per_task)


def _is_address(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


# planning, on the driver: footers only ------------------------------------------------


def _plan(data: str | Path, row_groups_per_task: int) -> tuple[list[str], list[_Part]]:
    """The dataset's column names and its partitions, from the files' footers."""
    paths = _parquet_paths(data)
    names = _footer(paths[0])[0].names
    families: dict[str, tuple[str, Path]] = {}
    parts: list[_Part] = []
    for path in paths:
        schema, row_counts = _footer(path)
        _check_columns(path, schema, (paths[0], names), families)
        groups = [index for index, rows in enumerate(row_counts) if rows > 0]
        for start in range(0, len(groups), row_groups_per_task):
            chosen = tuple(groups[start : start + row_groups_per_task])
            parts.append(_Part(str(path), chosen, sum(row_counts[i] for i in chosen)))
    return names, parts


def _parquet_paths(data: str | Path) -> list[Path]:
    paths = dataset_paths(data)
    for found in paths:
        if file_format(found) != "parquet":
            raise FormatError(f"{_OWNER} reads Parquet files only; '{found}' is not one.")
    return [found.resolve() for found in paths]  # workers may start in another folder


def _footer(path: Path) -> tuple[pa.Schema, list[int]]:
    """A file's Arrow schema and the row count of each of its row groups."""
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as file:
            metadata = file.metadata
            counts = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
            return file.schema_arrow, counts
    except (pa.ArrowException, OSError) as error:
        raise FormatError(f"Cannot read the Parquet file '{path}': {error}") from error


def _check_columns(
    path: Path,
    schema: pa.Schema,
    first: tuple[Path, list[str]],
    families: dict[str, tuple[str, Path]],
) -> None:
    """Refuse a file whose columns differ from the first file's, or change a value family.

    ``families`` maps each column to its first non-null family and the file that set it.
    """
    duplicated = sorted({name for name in schema.names if schema.names.count(name) > 1})
    if duplicated:
        raise SchemaError(f"'{path}' has duplicated column names: {duplicated}.")
    first_path, names = first
    if set(schema.names) != set(names):
        raise IncompatibleError(
            f"The files of a dataset must have the same columns: '{path}' lacks "
            f"{sorted(set(names) - set(schema.names))} and adds "
            f"{sorted(set(schema.names) - set(names))}, compared with '{first_path}'."
        )
    for name in schema.names:
        family = value_family(schema.field(name).type)
        if family == "empty":
            continue
        seen, where = families.setdefault(name, (family, path))
        if family != seen:
            raise IncompatibleError(
                f"Column {name!r} holds {family} values in '{path}' and {seen} values in '{where}'."
            )


# running ------------------------------------------------------------------------------


@contextmanager
def _connect(
    distributed: ModuleType, client: "Client | None", scheduler: str | None, workers: int | None
) -> Iterator["Client"]:
    """The given client, a client of the given scheduler, or a local cluster's, closed after."""
    if client is not None:
        yield client
    elif scheduler is not None:
        try:
            connected = distributed.Client(scheduler)
        except (OSError, ValueError) as error:
            raise InvalidParameterError(
                f"The 'scheduler' parameter of {_OWNER} must be the address of a running Dask "
                f"scheduler. Got {scheduler!r}, which failed: {error}"
            ) from None
        with connected:
            yield connected
    else:
        with _without_malloc_trim():
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # Without a dashboard the scheduler still serves /health and /metrics, by
                # default on port 8787 (a warning when another cluster holds it): any free port.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
        with cluster, distributed.Client(cluster) as connected:
            yield connected


@contextmanager
def _without_malloc_trim() -> Iterator[None]:
    """Start workers with glibc's adaptive memory thresholds, not Dask's trim setting.

    Dask sets ``MALLOC_TRIM_THRESHOLD_`` for the workers it spawns, which fixes glibc's mmap
    threshold too: every freed batch buffer goes back to the system and is faulted in again,
    a third more CPU time for a profile. The cluster started here lives for one call.
    """
    import dask

    key = "distributed.nanny.pre-spawn-environ"
    environ = {k: v for k, v in dask.config.get(key).items() if k != "MALLOC_TRIM_THRESHOLD_"}
    with dask.config.set({key: environ}):
        yield


def _submit(
    client: "Client",
    parts: list[_Part],
    *,
    k: int,
    max_levels: int,
    batch_rows: int,
    track: Callable[[list["Future[bytes]"]], Iterator["Future[bytes]"]] | None,
) -> tuple["Future[bytes]", Iterator[int]]:
    """The future of the merged profile, and the row counts of partitions as they finish.

    Partition futures are not returned, so that the workers drop each partition's profile
    once it is merged; ``track`` (``as_completed``) holds each only until it is done.
    """
    futures = client.map(
        _profile_part,
        [part.path for part in parts],
        [part.row_groups for part in parts],
        k=k,
        max_levels=max_levels,
        batch_rows=batch_rows,
        pure=False,
    )
    root = _merge_tree(client, futures)
    if track is None:
        return root, iter(())
    rows = {future.key: part.rows for future, part in zip(futures, parts, strict=True)}
    return root, _rows_finished(track(futures), rows)


def _merge_tree(client: "Client", futures: list["Future[bytes]"]) -> "Future[bytes]":
    """One future of the merge of all, built ``SPLIT_EVERY`` at a time on the workers.

    Merges outrank partitions (``priority=1``), so a group is merged as soon as it is done
    instead of after every partition: the workers hold few partition profiles at a time.
    """
    level = futures
    while len(level) > 1:
        level = [
            client.submit(_merge_parts, *level[i : i + SPLIT_EVERY], priority=1, pure=False)
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    return level[0]


def _rows_finished(finished: Iterator["Future[bytes]"], rows: dict["Key", int]) -> Iterator[int]:
    """Each partition's row count as it finishes; stops at an error, which the merge raises."""
    for future in finished:
        if future.status == "error":
            return
        yield rows[future.key]


# tasks, on the workers ----------------------------------------------------------------


def _profile_part(
    path: str, row_groups: tuple[int, ...], k: int, max_levels: int, batch_rows: int
) -> bytes:
    """Profile some row groups of one file, a batch of rows at a time."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        batches = _read(path, row_groups, batch_rows)
        profile = Profile.from_batches(names, batches, k=k, max_levels=max_levels)
    except SchemaError as error:
        raise SchemaError(f"'{path}', row groups {list(row_groups)}: {error}") from None
    except (pa.ArrowException, OSError) as error:
        raise FormatError(
            f"Cannot read row groups {list(row_groups)} of '{path}': {error}"
        ) from error
    return profile.to_bytes()


def _read(path: str, row_groups: tuple[int, ...], batch_rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of some row groups of one file; reading errors name the file."""
    import pyarrow.parquet as pq

    def failed(error: Exception) -> FormatError:
        return FormatError(f"Cannot read row groups {list(row_groups)} of '{path}': {error}")

    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise failed(error) from error
    with file:
        # One thread per task: Dask runs the tasks in parallel, one per core it was given.
        batches = file.iter_batches(
            batch_size=batch_rows, row_groups=list(row_groups), use_threads=False
        )
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowException, OSError) as error:
                raise failed(error) from error
            yield batch


def _merge_parts(*parts: bytes) -> bytes:
    """Merge profiles' bytes, in order, into one profile's bytes."""
    merged = Profile.from_bytes(parts[0])
    for part in parts[1:]:
        merged = merged.merge(Profile.from_bytes(part))
    return merged.to_bytes()
