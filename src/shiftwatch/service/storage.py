"""Durable storage of events, violation counts and alert state (SQLAlchemy 2, SQL only bound).

SQLite by default, PostgreSQL by URL; the schema is created and upgraded by Alembic
(:mod:`shiftwatch.service.migrations`) when the store opens. An event batch is committed in one
transaction before the service answers, so an acknowledged event survives ``kill -9``. On
SQLite the database runs in WAL mode with ``synchronous=NORMAL``: a commit is durable against
a crash of the process (what the service promises); only a power cut may lose the last
commits. Each row of an event is unique by ``(model, event_id, row_index)``: a repeated event
id is stored once and counted as a duplicate.

>>> store = Store("sqlite://")
>>> rows = [StoredRow("e1", 0, 1.0, {"x": 1.5}, None, None)]
>>> store.add_rows("m", rows), store.add_rows("m", rows)
({('e1', 0)}, set())
>>> store.count_rows("m")
1
"""

import contextlib
import functools
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from shiftwatch.errors import InvalidParameterError

metadata = sa.MetaData()

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(256), nullable=False),
    sa.Column("row_index", sa.Integer, nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("event_time", sa.Float, nullable=True),
    sa.Column("inputs", sa.Text, nullable=True),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Column("label", sa.Text, nullable=True),
    sa.UniqueConstraint("model", "event_id", "row_index", name="uq_events_model_event_row"),
    sa.Index("ix_events_model_seq", "model", "seq"),
)

# ids of rows trimmed from ``events``: a retried event is still known as a duplicate long after
# its raw row has gone (kept for ``id_retention_rows`` ids per model)
seen_events = sa.Table(
    "seen_events",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(256), nullable=False),
    sa.Column("row_index", sa.Integer, nullable=False),
    sa.UniqueConstraint("model", "event_id", "row_index", name="uq_seen_model_event_row"),
    sa.Index("ix_seen_model_seq", "model", "seq"),
)

violation_counts = sa.Table(
    "violation_counts",
    metadata,
    sa.Column("model", sa.String(64), primary_key=True),
    sa.Column("column_name", sa.String(256), primary_key=True),
    sa.Column("rule", sa.String(32), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

alert_states = sa.Table(
    "alert_states",
    metadata,
    sa.Column("model", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("since", sa.Float, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("delivered", sa.Boolean, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("final", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_alerts_model_at", "model", "at"),
)


checks = sa.Table(
    "checks",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("window_rows", sa.Integer, nullable=False),
    sa.Column("drifted", sa.Boolean, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("columns", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text, nullable=True),
    sa.Index("ix_checks_model_id", "model", "id"),
)

INSERT_CHUNK = 1_000  # rows per SQLite INSERT: 8,000 parameters, under its limit of 32,766
_INSERTED = (
    "model",
    "event_id",
    "row_index",
    "received_at",
    "event_time",
    "inputs",
    "outputs",
    "label",
)

# PostgreSQL's: each column's values as one array parameter (psycopg parses a statement's
# placeholders anew unless it is short, and a 100-row VALUES list is not)
_UNNEST_INSERT = (
    f"INSERT INTO events ({', '.join(_INSERTED)}) SELECT * FROM unnest("
    "%b::text[], %b::text[], %b::int[], %b::float8[], %b::float8[], %b::text[], %b::text[], "
    "%b::text[]) ON CONFLICT (model, event_id, row_index) DO NOTHING RETURNING event_id, row_index"
)

CHECKS_KEPT = 10_000  # window checks kept (the newest ids, all models), for the dashboard


@dataclass(frozen=True)
class StoredCheck:
    """One window check: when, rows, verdict, state, and per column its numbers.

    ``columns`` maps each column to ``{"p_value", "drift_score", "drifted"}``; ``outputs``
    holds what the model's outputs looked like (``mean_confidence`` of the window, and the
    label-free ``estimated_accuracy`` with ``accuracy_low`` and ``accuracy_high``), when known.
    """

    at: float
    window_rows: int
    drifted: bool
    state: str
    columns: dict[str, dict[str, Any]]
    outputs: dict[str, float] | None = None


class StoredRow(NamedTuple):
    """One row of an event, as stored: JSON values (``None`` where the part has not come).

    A named tuple, not a frozen dataclass: ingest builds one per event, and a frozen
    dataclass takes five times as long to build.
    """

    event_id: str
    row_index: int
    event_time: float | None
    inputs: dict[str, Any] | None
    outputs: Any | None
    label: Any | None
    received_at: float | None = None
    """When the server received the row (set on rows read back from the store)."""


@dataclass(frozen=True)
class StoredAlert:
    """One alert state change, as recorded and sent."""

    id: int
    model: str
    source: str
    status: str
    at: float
    detail: str
    delivered: bool
    attempts: int
    error: str | None = None
    """Why the last delivery failed (None: delivered, or not tried yet)."""
    final: bool = False
    """Never to be tried again (its body could not be built)."""


def _dumps(value: Any) -> str | None:
    """JSON text, by orjson (ten times faster than json).

    NaN and infinity become null (missing values); integers beyond 64 bits, which orjson
    refuses, go through json.
    """
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


def _stored_row(row: sa.Row[Any]) -> StoredRow:
    return StoredRow(
        row.event_id,
        row.row_index,
        row.event_time,
        _loads(row.inputs),
        _loads(row.outputs),
        _loads(row.label),
        float(row.received_at),
    )


def _stored_alert(row: sa.Row[Any]) -> StoredAlert:
    return StoredAlert(
        int(row.id),
        row.model,
        row.source,
        row.status,
        float(row.at),
        row.detail,
        bool(row.delivered),
        int(row.attempts),
        row.error,
        bool(row.final),
    )


@functools.lru_cache(maxsize=16)
def _insert_rows_sql(count: int) -> str:
    """SQLite's ``INSERT`` of ``count`` event rows, values bound by position."""
    row = "(" + ", ".join(["?"] * len(_INSERTED)) + ")"
    return (
        f"INSERT INTO events ({', '.join(_INSERTED)}) VALUES {', '.join([row] * count)} "
        "ON CONFLICT (model, event_id, row_index) DO NOTHING RETURNING event_id, row_index"
    )


def _on_connect_sqlite(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # up to 64 MiB of page cache per connection (the default is 2 MiB), filled only by pages
    # read: past a million stored events the unique index no longer fits in 2 MiB, and every
    # insert went to the OS for pages (24,000 events/s at 1M stored rows with it, 20,700
    # without; benchmarks/service_load.py)
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _hint(url: sa.URL) -> str:
    """What to check when a database cannot be opened."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).resolve().parent
        if not folder.is_dir():
            return f" (the folder {folder} does not exist)"
        return f" (can this user write to {folder}?)"
    return " (is the server running, and does the URL name a database it has?)"


class Store:
    """The service's database: open (creating or upgrading the schema), write, read."""

    def __init__(self, url: str) -> None:
        options: dict[str, Any] = {}
        if url.startswith("postgresql"):  # a server connection may drop; a SQLite file cannot
            options = {"pool_pre_ping": True}
        elif url in ("sqlite://", "sqlite:///:memory:"):  # one database shared by every thread
            options = {
                "poolclass": sa.StaticPool,
                "connect_args": {"check_same_thread": False},
            }
        try:
            self.engine = sa.create_engine(url, **options)
        except (sa.exc.ArgumentError, ImportError) as error:
            raise InvalidParameterError(
                f"Cannot use the database URL {url!r}: {error}. Expected e.g. "
                "sqlite:///shiftwatch.db or postgresql+psycopg://user@host/db."
            ) from None
        self.dialect = self.engine.dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise InvalidParameterError(
                f"The database {self.dialect!r} is not supported; use SQLite or PostgreSQL."
            )
        if self.dialect == "postgresql" and self.engine.dialect.driver != "psycopg":
            raise InvalidParameterError(
                f"The database URL {url!r} asks for the {self.engine.dialect.driver} driver; "
                "shiftwatch talks to PostgreSQL through psycopg 3: postgresql+psycopg://..."
            )
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _on_connect_sqlite)
        # SQLite takes one writer at a time and makes the others poll (sleeping 1 ms, then
        # longer): queueing writers on a lock here wakes each as soon as the last one commits.
        self._write_lock = (
            threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        )
        try:
            upgrade(self.engine)
        except (sa.exc.SQLAlchemyError, OSError) as error:
            self.engine.dispose()
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise InvalidParameterError(
                f"Cannot open the database {self.engine.url.render_as_string()}: {reason}"
                f"{_hint(self.engine.url)}"
            ) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A write transaction, committed on leaving (one at a time on SQLite)."""
        with self._write_lock, self.engine.begin() as connection:
            yield connection

    def _insert(self, table: sa.Table) -> Any:
        return (sqlite if self.dialect == "sqlite" else postgresql).insert(table)

    def add_rows(
        self, model: str, rows: Sequence[StoredRow], received_at: float = 0.0
    ) -> set[tuple[str, int]]:
        """Store whole rows in one transaction; return the ``(event_id, row_index)`` of new ones.

        An id stored before, or twice in ``rows``, is stored once. This is the ingest's hot
        path, so it sends ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` straight to the
        driver, values bound (never in the text): on SQLite as multi-row ``VALUES`` of
        :data:`INSERT_CHUNK` rows, on PostgreSQL as one ``unnest`` of an array per column.
        SQLAlchemy's own bulk insert cost twice as much per row.
        """
        columns = (
            [model] * len(rows),
            [row.event_id for row in rows],
            [row.row_index for row in rows],
            [float(received_at)] * len(rows),
            [None if row.event_time is None else float(row.event_time) for row in rows],
            [_dumps(row.inputs) for row in rows],
            [_dumps(row.outputs) for row in rows],
            [_dumps(row.label) for row in rows],
        )
        statements: list[tuple[str, Sequence[Any]]] = []
        if self.dialect == "postgresql":  # one array per column: a short statement, cached
            statements.append((_UNNEST_INSERT, columns))
        else:
            flat = [value for row in zip(*columns, strict=True) for value in row]
            size = INSERT_CHUNK * len(_INSERTED)
            for start in range(0, len(flat), size):
                chunk = tuple(flat[start : start + size])
                statements.append((_insert_rows_sql(len(chunk) // len(_INSERTED)), chunk))
        new: set[tuple[str, int]] = set()
        with self._writing() as connection:
            for statement, parameters in statements:
                answer = connection.exec_driver_sql(statement, parameters)
                new.update((event_id, row_index) for event_id, row_index in answer)
        return new

    def add_part(
        self, model: str, rows: Sequence[StoredRow], part: str, received_at: float
    ) -> list[StoredRow]:
        """Store one half of events (``part`` "inputs" or "outputs"), joined to the other.

        A row whose half was already stored is left as it is (a duplicate). Returns the rows
        that received their half now, as stored (with the other half when it had come).
        """
        column = {"inputs": events.c.inputs, "outputs": events.c.outputs}[part]
        stored: list[StoredRow] = []
        with self._writing() as connection:
            for row in rows:
                value = _dumps(row.inputs if part == "inputs" else row.outputs)
                statement = (
                    self._insert(events)
                    .values(
                        model=model,
                        event_id=row.event_id,
                        row_index=row.row_index,
                        received_at=received_at,
                        event_time=row.event_time,
                        **{part: value},
                    )
                    .on_conflict_do_update(
                        index_elements=["model", "event_id", "row_index"],
                        set_={part: value},
                        where=column.is_(None),
                    )
                    .returning(*events.c)
                )
                stored += [_stored_row(found) for found in connection.execute(statement)]
        return stored

    def remove_rows(self, model: str, keys: Sequence[tuple[str, int]]) -> None:
        """Delete rows by ``(event_id, row_index)``: the undo of :meth:`add_rows`."""
        self._remove(model, keys, None)

    def remove_part(self, model: str, keys: Sequence[tuple[str, int]], part: str) -> None:
        """Clear one half of rows (deleting rows left with neither): the undo of add_part."""
        self._remove(model, keys, part)

    def _remove(self, model: str, keys: Sequence[tuple[str, int]], part: str | None) -> None:
        with self._writing() as connection:
            for event_id, row_index in keys:
                where = (
                    events.c.model == model,
                    events.c.event_id == event_id,
                    events.c.row_index == row_index,
                )
                if part is not None:
                    connection.execute(sa.update(events).where(*where).values({part: None}))
                connection.execute(
                    sa.delete(events).where(
                        *where,
                        *([] if part is None else [events.c.inputs.is_(None)]),
                        *([] if part is None else [events.c.outputs.is_(None)]),
                    )
                )

    def set_labels(
        self, model: str, labels: Sequence[tuple[str, int, Any]]
    ) -> list[tuple[str, int]]:
        """Attach labels to stored rows by ``(event_id, row_index, label)``.

        Returns the ``(event_id, row_index)`` of the rows found, each once.
        """
        found: dict[tuple[str, int], None] = {}
        with self._writing() as connection:
            for event_id, row_index, label in labels:
                statement = (
                    sa.update(events)
                    .where(
                        events.c.model == model,
                        events.c.event_id == event_id,
                        events.c.row_index == row_index,
                    )
                    .values(label=_dumps(label))
                    .returning(events.c.event_id, events.c.row_index)
                )
                found.update(
                    dict.fromkeys((row[0], row[1]) for row in connection.execute(statement))
                )
        return list(found)

    def count_event_rows(self, model: str, event_id: str) -> int:
        """How many rows of one event are stored (0: none, or trimmed)."""
        statement = (
            sa.select(sa.func.count())
            .select_from(events)
            .where(events.c.model == model, events.c.event_id == event_id)
        )
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def count_rows(self, model: str) -> int:
        """Rows stored for ``model``."""
        statement = sa.select(sa.func.count()).select_from(events).where(events.c.model == model)
        with self.engine.connect() as connection:
            return int(connection.execute(statement).scalar_one())

    def latest_rows(self, model: str, limit: int) -> Iterator[StoredRow]:
        """The newest ``limit`` rows of ``model`` with inputs, oldest first (for replay)."""
        newest = (
            sa.select(events.c.seq)
            .where(events.c.model == model, events.c.inputs.is_not(None))
            .order_by(events.c.seq.desc())
            .limit(limit)
            .subquery()
        )
        statement = (
            sa.select(events)
            .where(events.c.seq.in_(sa.select(newest.c.seq)))
            .order_by(events.c.seq)
            .execution_options(yield_per=10_000)
        )
        with self.engine.connect() as connection:
            for row in connection.execute(statement):
                yield _stored_row(row)

    def rows_since(self, model: str, since: float) -> Iterator[StoredRow]:
        """Rows of ``model`` with inputs received at or after ``since`` (server time)."""
        statement = (
            sa.select(events)
            .where(
                events.c.model == model,
                events.c.inputs.is_not(None),
                events.c.received_at >= since,
            )
            .order_by(events.c.seq)
            .execution_options(yield_per=10_000)
        )
        with self.engine.connect() as connection:
            for row in connection.execute(statement):
                yield _stored_row(row)

    def trim(self, model: str, keep: int, keep_ids: int | None = None) -> int:
        """Delete all but the newest ``keep`` rows of ``model``; return how many went.

        The ids of the rows deleted are kept in ``seen_events`` (the newest ``keep_ids`` of
        them; all when None), so that :meth:`seen` still knows them as stored.
        """
        cutoff = (
            sa.select(events.c.seq)
            .where(events.c.model == model)
            .order_by(events.c.seq.desc())
            .offset(keep)
            .limit(1)
            .scalar_subquery()
        )
        old = sa.and_(events.c.model == model, events.c.seq <= cutoff)
        remember = (
            self._insert(seen_events)
            .from_select(
                ["model", "event_id", "row_index"],
                sa.select(events.c.model, events.c.event_id, events.c.row_index)
                .where(old)
                .order_by(events.c.seq),
            )
            .on_conflict_do_nothing()
        )
        with self._writing() as connection:
            connection.execute(remember)
            removed = int(connection.execute(sa.delete(events).where(old)).rowcount or 0)
            if keep_ids is not None:
                oldest_kept = (
                    sa.select(seen_events.c.seq)
                    .where(seen_events.c.model == model)
                    .order_by(seen_events.c.seq.desc())
                    .offset(keep_ids)
                    .limit(1)
                    .scalar_subquery()
                )
                connection.execute(
                    sa.delete(seen_events).where(
                        seen_events.c.model == model, seen_events.c.seq <= oldest_kept
                    )
                )
        return removed

    def has_trimmed(self, model: str) -> bool:
        """Whether any id of ``model`` was trimmed (then :meth:`seen` is worth asking)."""
        statement = sa.select(seen_events.c.seq).where(seen_events.c.model == model).limit(1)
        with self.engine.connect() as connection:
            return connection.execute(statement).first() is not None

    def seen(self, model: str, keys: Sequence[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of ``keys`` (``(event_id, row_index)``) were stored and trimmed since."""
        found: set[tuple[str, int]] = set()
        ids = sorted({event_id for event_id, _ in keys})
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 500):
                statement = sa.select(seen_events.c.event_id, seen_events.c.row_index).where(
                    seen_events.c.model == model,
                    seen_events.c.event_id.in_(ids[start : start + 500]),
                )
                found.update((row[0], row[1]) for row in connection.execute(statement))
        return found & set(keys)

    def add_violations(self, model: str, counts: dict[tuple[str, str], int]) -> None:
        """Add to the stored violation counts per ``(column, rule)``."""
        if not counts:
            return
        with self._writing() as connection:
            for (column, rule), count in counts.items():
                statement = (
                    self._insert(violation_counts)
                    .values(model=model, column_name=column, rule=rule, count=count)
                    .on_conflict_do_update(
                        index_elements=["model", "column_name", "rule"],
                        set_={"count": violation_counts.c["count"] + count},
                    )
                )
                connection.execute(statement)

    def violations(self, model: str) -> dict[tuple[str, str], int]:
        """The violation counts of ``model`` per ``(column, rule)``."""
        statement = sa.select(violation_counts).where(violation_counts.c.model == model)
        with self.engine.connect() as connection:
            return {
                (row.column_name, row.rule): int(row._mapping["count"])
                for row in connection.execute(statement)
            }

    def alert_state(self, model: str, source: str) -> str | None:
        """The last recorded state ("ok" or "drifting") of one alert source, if any."""
        statement = sa.select(alert_states.c.state).where(
            alert_states.c.model == model, alert_states.c.source == source
        )
        with self.engine.connect() as connection:
            value = connection.execute(statement).scalar_one_or_none()
        return None if value is None else str(value)

    def firing_states(self) -> list[tuple[str, str, float, str]]:
        """``(model, source, since, detail)`` of every alert source in the drifting state."""
        statement = sa.select(
            alert_states.c.model, alert_states.c.source, alert_states.c.since, alert_states.c.detail
        ).where(alert_states.c.state == "drifting")
        with self.engine.connect() as connection:
            return [
                (row[0], row[1], float(row[2]), row[3]) for row in connection.execute(statement)
            ]

    def record_alert(self, model: str, source: str, status: str, at: float, detail: str) -> int:
        """Record a state change (and the new state) in one transaction; return its id."""
        state = "drifting" if status == "firing" else "ok"
        upsert = (
            self._insert(alert_states)
            .values(model=model, source=source, state=state, since=at, detail=detail)
            .on_conflict_do_update(
                index_elements=["model", "source"],
                set_={"state": state, "since": at, "detail": detail},
            )
        )
        record = (
            sa.insert(alerts)
            .values(
                model=model,
                source=source,
                status=status,
                at=at,
                detail=detail,
                delivered=False,
                attempts=0,
            )
            .returning(alerts.c.id)
        )
        with self._writing() as connection:
            connection.execute(upsert)
            return int(connection.execute(record).scalar_one())

    def mark_alert(
        self,
        alert_id: int,
        *,
        delivered: bool,
        attempts: int,
        error: str | None = None,
        final: bool = False,
    ) -> None:
        """Record a delivery's outcome: why it failed, and whether it is never to be retried."""
        statement = (
            sa.update(alerts)
            .where(alerts.c.id == alert_id)
            .values(delivered=delivered, attempts=attempts, error=error, final=final)
        )
        with self._writing() as connection:
            connection.execute(statement)

    def firing_time(self, model: str, source: str, *, before: int) -> float | None:
        """When the newest ``firing`` of one alert source recorded before id ``before`` began."""
        statement = (
            sa.select(alerts.c.at)
            .where(
                alerts.c.model == model,
                alerts.c.source == source,
                alerts.c.status == "firing",
                alerts.c.id < before,
            )
            .order_by(alerts.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            value = connection.execute(statement).scalar_one_or_none()
        return None if value is None else float(value)

    def alerts(self, model: str, limit: int = 100) -> list[StoredAlert]:
        """The newest ``limit`` alerts of ``model``, newest first."""
        statement = (
            sa.select(alerts)
            .where(alerts.c.model == model)
            .order_by(alerts.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [_stored_alert(row) for row in connection.execute(statement)]

    def undelivered_alerts(self) -> list[StoredAlert]:
        """Alerts not delivered yet and not given up for good, oldest first (sent again)."""
        statement = (
            sa.select(alerts)
            .where(alerts.c.delivered.is_(False), alerts.c.final.is_(False))
            .order_by(alerts.c.id)
        )
        with self.engine.connect() as connection:
            return [_stored_alert(row) for row in connection.execute(statement)]

    def add_check(self, model: str, check: StoredCheck) -> None:
        """Record a window check; keep those within the newest :data:`CHECKS_KEPT` ids.

        Ids count checks of every model, so a model keeps fewer when several share a server.
        """
        with self._writing() as connection:
            inserted = connection.execute(
                sa.insert(checks)
                .values(
                    model=model,
                    at=check.at,
                    window_rows=check.window_rows,
                    drifted=check.drifted,
                    state=check.state,
                    columns=_dumps(check.columns),
                    outputs=_dumps(check.outputs),
                )
                .returning(checks.c.id)
            ).scalar_one()
            if inserted % 100 == 0:  # now and then, not at every check
                connection.execute(
                    sa.delete(checks).where(
                        checks.c.model == model, checks.c.id <= inserted - CHECKS_KEPT
                    )
                )

    def checks(self, model: str, limit: int) -> list[StoredCheck]:
        """The newest ``limit`` checks of ``model``, oldest first."""
        statement = (
            sa.select(checks)
            .where(checks.c.model == model)
            .order_by(checks.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            found = [
                StoredCheck(
                    float(row.at),
                    int(row.window_rows),
                    bool(row.drifted),
                    row.state,
                    _loads(row.columns),
                    _loads(row.outputs),
                )
                for row in connection.execute(statement)
            ]
        return found[::-1]

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision`` (Alembic; by default the newest)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
