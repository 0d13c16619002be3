"""Sliding windows kept as per-bucket profiles, never as raw rows.

A window is cut into ``buckets`` buckets; each holds the profile of its rows. Logged rows are
staged in small batches (at most ``stage_rows`` rows, so memory stays bounded) and folded into
the open bucket's column profiles; when a bucket is full (count window) or its time span has
passed (time window), it is sealed. The window's profile is the merge of the buckets it
covers, so answering "the last N requests" costs a merge of ``buckets`` small profiles,
whatever the history.

The count window covers the last ``window`` rows to within one bucket: it drops its oldest
bucket as soon as the newer buckets hold ``window`` rows, so it covers at least ``window`` rows
(once that many were logged) and fewer than ``window`` plus one bucket's rows.
"""

import math
from collections import deque
from collections.abc import Collection, Iterator

import pyarrow as pa

from shiftwatch.profile import ColumnProfile, Profile

DEFAULT_STAGE_ROWS = 1_000


class _Bucket:
    """The column profiles of one bucket, fed by record batches."""

    def __init__(
        self, names: list[str], numeric: frozenset[str], k: int, max_levels: int, start: float
    ) -> None:
        self.start = start
        self.n = 0
        self._columns = {
            name: ColumnProfile(
                name, k=k, max_levels=max_levels, count_numeric_levels=name not in numeric
            )
            for name in names
        }

    def add(self, batch: pa.RecordBatch) -> None:
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            self._columns[name].update(column)
        self.n += batch.num_rows

    def profile(self) -> Profile:
        return Profile(self._columns, self.n)


class BucketedWindow:
    """The last ``window`` rows, or the last ``duration`` seconds, as bucket profiles.

    ``numeric`` names the numeric columns whose level counts are not needed (the reference
    tests them as numeric): their buckets keep moments and quantiles only.

    >>> window = BucketedWindow(["x"], window=100, buckets=4)
    >>> for start in range(0, 300, 30):
    ...     window.add(pa.record_batch({"x": [float(v) for v in range(start, start + 30)]}), 0.0)
    >>> profile = window.profile()
    >>> profile.n, profile["x"].moments.max
    (100, 299.0)
    """

    def __init__(
        self,
        names: list[str],
        *,
        window: int | None = None,
        duration: float | None = None,
        buckets: int = 10,
        k: int = 2000,
        max_levels: int = 4096,
        stage_rows: int = DEFAULT_STAGE_ROWS,
        numeric: Collection[str] = (),
    ) -> None:
        self.names = names
        self._numeric = frozenset(numeric)
        self.window = window
        self.duration = duration
        self.buckets = buckets
        self._k, self._max_levels = k, max_levels
        self._bucket_rows = None if window is None else max(1, math.ceil(window / buckets))
        self._bucket_seconds = None if duration is None else duration / buckets
        self._stage_rows = min(stage_rows, self._bucket_rows or stage_rows)
        self._sealed: deque[_Bucket] = deque()
        self._open: _Bucket | None = None
        self._staged: list[pa.RecordBatch] = []
        self._staged_rows = 0
        self._staged_time = 0.0

    def add(self, batch: pa.RecordBatch, now: float) -> None:
        """Log rows that arrived at time ``now`` (seconds)."""
        if self._bucket_seconds is not None:
            self._flush()
            self._roll(now)
        for piece in self._split(batch):
            self._staged.append(piece)
            self._staged_rows += piece.num_rows
            if self._open is None:
                self._open = _Bucket(self.names, self._numeric, self._k, self._max_levels, now)
            if self._staged_rows >= self._stage_rows or self._bucket_full():
                self._flush()
            if self._bucket_full():
                self._seal()
            self._drop_old_rows()

    def _split(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        """Cut a batch where the open bucket fills (count windows only)."""
        if self._bucket_rows is None:
            yield batch
            return
        offset = 0
        while offset < batch.num_rows:
            room = self._bucket_rows - self._pending_rows()
            piece = batch.slice(offset, room)
            offset += piece.num_rows
            yield piece

    def _pending_rows(self) -> int:
        return (0 if self._open is None else self._open.n) + self._staged_rows

    def _bucket_full(self) -> bool:
        return self._bucket_rows is not None and self._pending_rows() >= self._bucket_rows

    def _flush(self) -> None:
        if self._staged and self._open is not None:
            # batches logged apart may type a column apart (int64 then double, or all null):
            # promoted to one type, as a column of one batch would be
            table = pa.concat_tables(
                [pa.Table.from_batches([batch]) for batch in self._staged],
                promote_options="permissive",
            ).combine_chunks()
            for batch in table.to_batches():
                self._open.add(batch)
        self._staged, self._staged_rows = [], 0

    def _seal(self) -> None:
        if self._open is not None:
            self._sealed.append(self._open)
            self._open = None

    def _drop_old_rows(self) -> None:
        """Count windows: drop the oldest bucket while the newer rows still fill the window."""
        if self.window is not None:
            while self._sealed and self.n - self._sealed[0].n >= self.window:
                self._sealed.popleft()

    def _roll(self, now: float) -> None:
        """Time windows: seal the open bucket when its span has passed, drop expired ones."""
        assert self._bucket_seconds is not None
        assert self.duration is not None
        if self._open is not None and now >= self._open.start + self._bucket_seconds:
            self._seal()
        while self._sealed and self._sealed[0].start + self._bucket_seconds <= now - self.duration:
            self._sealed.popleft()

    def profile(self) -> Profile:
        """The profile of the rows the window covers now (staged rows included)."""
        self._flush()
        parts = [bucket.profile() for bucket in self._sealed]
        if self._open is not None and self._open.n:
            parts.append(self._open.profile())
        # Start from an empty profile so that the result never shares the open bucket's state.
        merged = Profile.from_batches(self.names, [], k=self._k, max_levels=self._max_levels)
        for part in parts:
            merged = merged.merge(part)
        return merged

    @property
    def n(self) -> int:
        """Rows the window covers now."""
        return sum(bucket.n for bucket in self._sealed) + self._pending_rows()
