"""A BentoML monitor that sends every record to ``shiftwatch serve``.

BentoML builds the class named by ``monitoring.type`` with ``cls(name, **monitoring.options)``
and, for each ``with bentoml.monitor(name) as mon:`` block, calls ``start_record()``, then
``log``/``log_batch``/``log_table`` for each column, then ``stop_record()``, which hands the
record to ``export_schema`` (once per new column set) and ``export_data``. This class keeps
that contract (BentoML's ``MonitorBase``) without importing BentoML, and forwards each row
of a record to ``shiftwatch.client.Client`` by role:

=============================  ===========================================================
BentoML column                 shiftwatch event field
=============================  ===========================================================
role ``feature``               ``inputs[name]``
role ``prediction``            ``outputs`` (several prediction columns: a list, in order)
role ``target``                ``label``
name ``request_id``            ``id`` (else BentoML's request id, when BentoML runs)
name ``timestamp``             ``timestamp`` (else the time of the record)
=============================  ===========================================================

Other roles are ignored (logged once). A record of ``log_batch`` columns is one event per row;
with BentoML's request id, the rows get ids ``"<request id>-<row>"``.

Configuration (``bentofile``/``bentoml_configuration.yaml``)::

    monitoring:
      enabled: true
      type: shiftwatch.integrations.bentoml.ShiftwatchMonitor
      options:
        url: http://shiftwatch.monitoring.svc:8000
        model: iris            # default: the monitor's name
        token: ${SHIFTWATCH_TOKEN}
        batch_size: 100        # and the other Client options

BentoML's own options for its default monitor (``log_path``, ``log_config_file``) are
accepted and ignored.

>>> monitor = ShiftwatchMonitor("iris", url="http://127.0.0.1:9", flush_interval=60.0)
>>> monitor.start_record()
>>> monitor.log(5.1, name="sepal length", role="feature", data_type="numerical")
>>> monitor.log("setosa", name="species", role="prediction", data_type="categorical")
>>> monitor.stop_record()
>>> monitor.columns_schema["species"]
{'name': 'species', 'role': 'prediction', 'type': 'categorical'}
>>> monitor.close(timeout=0.0)
"""

from __future__ import annotations

import collections
import contextvars
import functools
import importlib
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from shiftwatch.client import Client

__all__ = ["ShiftwatchMonitor"]

logger = logging.getLogger(__name__)

ROLES = ("feature", "prediction", "target")
CLIENT_OPTIONS = (
    "token",
    "batch_size",
    "flush_interval",
    "max_queue",
    "timeout",
    "retries",
    "backoff",
)
BENTOML_DEFAULT_OPTIONS = ("log_path", "log_config_file")
ID_COLUMN, TIME_COLUMN, TRACE_COLUMN = "request_id", "timestamp", "trace_id"

Columns = dict[str, dict[str, str]]


class _Record:
    """The columns and values logged between ``start_record`` and ``stop_record``."""

    __slots__ = ("columns", "data")

    def __init__(self) -> None:
        self.columns: Columns = {}
        self.data: collections.defaultdict[str, collections.deque[Any]] = collections.defaultdict(
            collections.deque
        )


class ShiftwatchMonitor:
    """A BentoML monitor (``monitoring.type``) that forwards records to a shiftwatch server.

    Parameters
    ----------
    name
        The monitor's name (``bentoml.monitor(name)``); the model name by default.
    url
        The shiftwatch server's base URL.
    model
        The model name on the server (default: ``name``).
    client
        A ``Client`` to use instead of building one from ``url`` and the options.
    **options
        ``Client`` options (``token``, ``batch_size``, ``flush_interval``, ``max_queue``,
        ``timeout``, ``retries``, ``backoff``); BentoML's ``log_path`` and
        ``log_config_file`` are ignored, any other option is ignored with a warning.

    Records of concurrent requests do not mix: the open record lives in a context variable,
    as in BentoML, so each thread and each asyncio task has its own.

    >>> monitor = ShiftwatchMonitor("iris", url="http://127.0.0.1:9", flush_interval=60.0)
    >>> monitor.start_record()
    >>> monitor.log_batch([5.1, 6.2], name="sepal length", role="feature", data_type="numerical")
    >>> monitor.log_batch([0, 2], name="class", role="prediction", data_type="categorical")
    >>> monitor.stop_record()  # two events queued
    >>> monitor.client.stats.dropped
    0
    >>> monitor.close(timeout=0.0)

    """

    PRESERVED_COLUMNS: tuple[str, ...] = (TIME_COLUMN, ID_COLUMN, TRACE_COLUMN)

    def __init__(
        self,
        name: str,
        url: str | None = None,
        *,
        model: str | None = None,
        client: Client | None = None,
        **options: Any,
    ) -> None:
        self.name = name
        self.columns_schema: Columns | None = None
        client_options = {k: v for k, v in options.items() if k in CLIENT_OPTIONS}
        unknown = sorted(set(options) - set(CLIENT_OPTIONS) - set(BENTOML_DEFAULT_OPTIONS))
        if unknown:
            logger.warning("ShiftwatchMonitor %r ignores unknown options %s", name, unknown)
        if client is None:
            if url is None:
                raise TypeError(f"ShiftwatchMonitor {name!r} needs a 'url' option (or a client).")
            client = Client(url, model or name, **client_options)
        self.client = client
        self._record: contextvars.ContextVar[_Record | None] = contextvars.ContextVar(
            f"shiftwatch_bentoml_record_{name}", default=None
        )
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    # --- BentoML's MonitorBase contract -------------------------------------------------------

    def start_record(self) -> None:
        """Open a record (BentoML calls this on entering ``with bentoml.monitor(...)``)."""
        self._record.set(_Record())

    def log(self, data: Any, name: str, role: str, data_type: str) -> None:
        """Add one value of column ``name`` (its role and BentoML data type) to the record."""
        record = self._record.get()
        if record is None:
            self._warn_once("no-record", "ShiftwatchMonitor.log called outside a record")
            return
        if name not in record.columns:
            record.columns[name] = {"name": name, "role": role, "type": data_type}
        record.data[name].append(data)

    def log_batch(self, data_batch: Iterable[Any], name: str, role: str, data_type: str) -> None:
        """Add a column of values, one per row of the record."""
        try:
            values = list(data_batch)
        except TypeError:
            self._warn_once("batch", "ShiftwatchMonitor.log_batch got a value that is not iterable")
            return
        for value in values:
            self.log(value, name, role, data_type)

    def log_table(self, data: Iterable[Iterable[Any]], schema: Mapping[str, str]) -> None:
        """Add rows; ``schema`` maps each column name, in row order, to its role.

        BentoML declares this method without implementing it; here each row of ``data``
        becomes a row of the record.

        >>> monitor = ShiftwatchMonitor("iris", url="http://127.0.0.1:9", flush_interval=60.0)
        >>> monitor.start_record()
        >>> roles = {"sepal length": "feature", "class": "prediction"}
        >>> monitor.log_table([[5.1, 0], [6.2, 2]], roles)
        >>> monitor.stop_record()
        >>> sorted(monitor.columns_schema)
        ['class', 'sepal length']
        >>> monitor.close(timeout=0.0)
        """
        for row in data:
            for (name, role), value in zip(schema.items(), row, strict=False):
                self.log(value, name, role, "unknown")

    def stop_record(self) -> None:
        """Close the record and export it (BentoML calls this on leaving the ``with`` block)."""
        record = self._record.get()
        self._record.set(None)
        if record is None or not record.data:
            return
        schema = None
        with self._lock:
            known = self.columns_schema or {}
            new = {k: v for k, v in record.columns.items() if k not in known}
            if new:
                schema = self.columns_schema = {**known, **new}
        if schema is not None:
            self.export_schema(schema)
        self.export_data(record.data)

    def export_schema(self, columns_schema: Columns) -> None:
        """Note the columns' roles (``{name: {"name", "role", "type"}}``); nothing is sent."""
        ignored = sorted(
            name
            for name, column in columns_schema.items()
            if column.get("role") not in ROLES and name not in self.PRESERVED_COLUMNS
        )
        if ignored:
            self._warn_once(
                f"roles-{ignored}",
                "ShiftwatchMonitor %r ignores columns whose role is not one of %s: %s",
                self.name,
                ROLES,
                ignored,
            )

    def export_data(self, datas: Mapping[str, Iterable[Any]]) -> None:
        """Send the record: one event per row, fields taken by role."""
        columns = {name: list(values) for name, values in datas.items()}
        roles = {name: column["role"] for name, column in (self.columns_schema or {}).items()}
        rows = max((len(values) for values in columns.values()), default=0)
        request_id = None if ID_COLUMN in columns else _bentoml_request_id()
        for i in range(rows):
            row = {name: values[i] for name, values in columns.items() if i < len(values)}
            event_id = row.get(ID_COLUMN)
            if event_id is None and request_id is not None:
                event_id = request_id if rows == 1 else f"{request_id}-{i}"
            inputs = {k: v for k, v in row.items() if roles.get(k) == "feature"}
            predictions = [v for k, v in row.items() if roles.get(k) == "prediction"]
            targets = [v for k, v in row.items() if roles.get(k) == "target"]
            self.client.log(
                inputs,
                outputs=predictions[0] if len(predictions) == 1 else predictions or None,
                label=targets[0] if targets else None,
                id=None if event_id is None else str(event_id),
                timestamp=row.get(TIME_COLUMN),
            )

    # --- shiftwatch's side ------------------------------------------------------------------

    def close(self, timeout: float | None = 10.0) -> None:
        """Send what is queued and stop the client (also done at interpreter exit)."""
        self.client.close(timeout)

    def __repr__(self) -> str:
        return f"ShiftwatchMonitor(name={self.name!r}, client={self.client!r})"

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message, *args)


def _bentoml_request_id() -> str | None:
    """BentoML's id of the request being served, when BentoML runs this monitor."""
    context = _bentoml_trace_context()
    request_id = getattr(context, "request_id", None)
    return None if request_id is None else str(request_id)


@functools.cache
def _bentoml_trace_context() -> Any:
    """BentoML's trace context (``bentoml._internal.context.trace_context``), or None."""
    try:
        return importlib.import_module("bentoml._internal.context").trace_context
    except (ImportError, AttributeError):
        return None
