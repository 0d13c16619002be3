"""One watched model inside the service: its reference, schema and monitor, fed complete rows.

Rows arrive whole (shiftwatch's own events) or in halves (a model server's request, then its
response); only complete rows reach the monitor: rows with inputs, and with outputs when the
model's reference profiles outputs too (``reference_outputs``). Every row is validated
against the schema of the reference's inputs, and the violations are counted per column and
rule (values that cannot take their column's type count as ``type`` and enter the monitor as
missing). Predictions and labels the monitor could not take are refused by :meth:`check`
before anything is stored. Windows run on the server's receipt time: a client's clock steers
nothing. Calls are serialised by a lock: the monitor is not thread-safe.
"""

import threading
import warnings
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shiftwatch.errors import SchemaError, ShiftwatchWarning
from shiftwatch.io import to_table
from shiftwatch.monitor import AlertEvent, AlertState, Monitor
from shiftwatch.outputs import (
    CONFIDENCE,
    OUTPUT_COLUMNS,
    PREDICTION,
    AccuracyEstimate,
    AccuracyEstimator,
)
from shiftwatch.profile import Profile
from shiftwatch.schema import Schema
from shiftwatch.service.limits import storable_name
from shiftwatch.service.predictions import PredictionForm, Where, check_labels
from shiftwatch.service.rows import rows_to_table
from shiftwatch.service.settings import ModelSettings
from shiftwatch.service.storage import StoredRow

ACCURACY_ROWS = 10_000  # newest rows whose probabilities the accuracy estimate reads
MAX_UNEXPECTED_NAMES = 100  # distinct unexpected input names kept per model; more: "(other)"
OTHER_COLUMNS = "(other)"
TIMESTAMP = "(timestamp)"  # the column name clock_skew violations are counted under
OUTPUTS = "(outputs)"  # ... and rows sent whole without the outputs their model watches


@dataclass
class Ingested:
    """What feeding rows did: violation counts per ``(column, rule)`` and alert changes."""

    violations: Counter[tuple[str, str]] = field(default_factory=Counter)
    events: list[AlertEvent] = field(default_factory=list)
    fed: int = 0
    checked: bool = False


def row_key(event_id: str, row_index: int) -> str:
    """The id a row's prediction is remembered by: the event id, then ``#i`` after row 0."""
    return event_id if row_index == 0 else f"{event_id}#{row_index}"


def _calibrated(path: str) -> AccuracyEstimator:
    """An accuracy estimator fitted on a file of labelled reference predictions.

    The file holds a ``label`` column (class indices) and the class probabilities in the
    other columns, in class order.
    """
    table = to_table(path, role="calibration")
    if "label" not in table.column_names:
        raise SchemaError(
            f"The calibration file {path} needs a 'label' column (the true class index) "
            "beside the class probabilities."
        )
    labels = table.column("label").to_numpy(zero_copy_only=False)
    columns = [name for name in table.column_names if name != "label"]
    probabilities = np.column_stack(
        [table.column(name).to_numpy(zero_copy_only=False) for name in columns]
    )
    return AccuracyEstimator().fit(probabilities, labels)


def _outputs_profile(path: str) -> Profile:
    """The profile of a model's reference outputs, checked once at start.

    It holds ``prediction``, and ``confidence`` when the model sends class probabilities
    (what ``output_columns`` makes).
    """
    profile = Profile.load(path)
    names = set(profile.column_names)
    if PREDICTION not in names or not names <= set(OUTPUT_COLUMNS):
        raise SchemaError(
            f"The reference outputs {path} hold the columns {sorted(names)}; expected "
            f"'{PREDICTION}' (and '{CONFIDENCE}' for class probabilities), as "
            "shiftwatch.outputs.output_columns makes them. For a model server that returns "
            "labels only, profile the labels alone."
        )
    return profile


class WatchedModel:
    """A model's reference (inputs, and outputs when given), schema and monitor."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings
        self.name = settings.name
        self.inputs_reference = Profile.load(settings.reference)
        reference = self.inputs_reference
        if settings.reference_outputs is not None:
            reference = reference.join(_outputs_profile(settings.reference_outputs))
        self.watches_outputs = PREDICTION in reference
        self.schema = Schema.from_profile(self.inputs_reference)
        self.feature_names = list(settings.feature_names or self.inputs_reference.column_names)
        self.monitor = Monitor(
            reference,
            window=settings.window,
            duration=settings.duration,
            check_every=settings.check_every,
            ert=settings.ert,
            expected_error_rate=settings.expected_error_rate,
            label_retention=settings.label_retention,
        )
        self.lock = threading.Lock()
        self._unexpected: set[str] = set()
        self._known_names = frozenset(self.inputs_reference.column_names)
        self.accuracy = None if settings.calibration is None else _calibrated(settings.calibration)
        self.form = PredictionForm.of(reference)
        self._recent: deque[npt.NDArray[np.float64]] = deque()
        self._recent_rows = 0
        self.accuracy_rows = min(settings.window or ACCURACY_ROWS, ACCURACY_ROWS)

    def complete(self, row: StoredRow, whole: bool = False) -> bool:
        """Whether the row holds what the monitor needs: inputs, and outputs when watched.

        ``whole``: the row came whole (shiftwatch's events, BentoML), so no other half will
        follow: it is complete with its inputs, and outputs it lacks are fed as missing.
        """
        if row.inputs is None:
            return False
        return whole or row.outputs is not None or not self.watches_outputs

    @property
    def uses_outputs(self) -> bool:
        """Whether the monitor reads the predictions (watched outputs, or an error rate)."""
        return self.watches_outputs or self.settings.expected_error_rate is not None

    def check(self, rows: Sequence[StoredRow], outputs: Where, labels: Where) -> None:
        """Raise :class:`PayloadError` at the first prediction or label the monitor can't take.

        Called before the rows are stored, so that a stored row is always a monitored one.
        ``outputs`` and ``labels`` name a row's fields for the error.
        """
        if self.uses_outputs:
            classes = self.form.check([row.outputs for row in rows], outputs)
            if classes is not None and self.form.classes is None:
                self.form = replace(self.form, classes=classes)
        if self.settings.expected_error_rate is not None:
            check_labels([row.label for row in rows], labels)

    def ingest(self, rows: Sequence[StoredRow], now: float, *, whole: bool = False) -> Ingested:
        """Validate and feed complete rows received at ``now`` (server time, seconds).

        Rows without their other half are left for it (see :meth:`complete`). Whole rows sent
        without outputs to a model that watches them are monitored with their outputs missing
        (the missing-value checks of ``prediction`` and ``confidence`` see them) and counted
        as ``missing`` violations of the column ``(outputs)``.
        """
        done = Ingested()
        rows = [row for row in rows if self.complete(row, whole)]
        if not rows:
            return done
        groups = [rows]
        if self.watches_outputs:
            groups = [
                [row for row in rows if row.outputs is not None],
                [row for row in rows if row.outputs is None],
            ]
        with self.lock:
            before = self.monitor.last_report
            for group in groups:
                if group:
                    self._feed(group, now, done)
            done.checked = self.monitor.last_report is not before
        done.fed = len(rows)
        return done

    def _feed(self, rows: list[StoredRow], now: float, done: Ingested) -> None:
        inputs = [row.inputs or {} for row in rows]
        table, counts = rows_to_table(inputs, self.inputs_reference)
        done.violations.update(counts)
        self._count_unexpected(inputs, done.violations)
        done.violations.update(self.schema.check(table, max_per_rule=0).counts)
        ids = [row_key(row.event_id, row.row_index) for row in rows]
        outputs = None
        if self.uses_outputs:
            present = [row.outputs for row in rows]
            if all(value is not None for value in present):
                outputs = np.asarray(present)
        if self.watches_outputs and outputs is None:
            for name in OUTPUT_COLUMNS:
                if name in self.monitor.reference:
                    table = table.append_column(name, pa.nulls(table.num_rows))
            done.violations[(OUTPUTS, "missing")] += len(rows)
        if self.accuracy is not None and outputs is not None and outputs.ndim == 2:
            self._remember_probabilities(outputs)
        done.events += self.monitor.log(
            table,
            outputs=outputs,
            ids=ids if outputs is not None else None,
            timestamps=[now],
        )
        labelled = [(key, row.label) for key, row in zip(ids, rows, strict=True)]
        labelled = [(key, label) for key, label in labelled if label is not None]
        if labelled and outputs is not None and self.settings.expected_error_rate:
            keys, labels = zip(*labelled, strict=True)
            done.events += self.monitor.log_labels(list(keys), np.asarray(labels))

    def accuracy_estimate(self) -> AccuracyEstimate | None:
        """The label-free accuracy of the newest rows (up to :data:`ACCURACY_ROWS`).

        None without a calibration file, or before any probabilities came. An estimate whose
        calibration does not hold says so in ``reliable`` and ``reason`` (not as a warning).
        """
        if self.accuracy is None or not self._recent:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShiftwatchWarning)
            return self.accuracy.estimate(np.concatenate(list(self._recent)))

    def outputs_at_check(self) -> dict[str, float] | None:
        """What the model's outputs looked like at the last window check, for the history.

        ``mean_confidence``: the window's mean confidence (when the outputs are watched);
        ``estimated_accuracy``, ``accuracy_low``, ``accuracy_high``: the label-free estimate
        of the newest rows (with a calibration file), and ``accuracy_reliable`` (1.0, or 0.0
        when it is not to be trusted). None when neither is known.
        """
        found: dict[str, float] = {}
        window = self.monitor.last_window
        moments = None if window is None or CONFIDENCE not in window else window[CONFIDENCE].moments
        if moments is not None and moments.n > 0:
            found["mean_confidence"] = moments.mean
        estimate = self.accuracy_estimate()
        if estimate is not None:
            found["estimated_accuracy"] = estimate.value
            found["accuracy_low"] = estimate.low
            found["accuracy_high"] = estimate.high
            found["accuracy_reliable"] = float(estimate.reliable)
        return found or None

    def _remember_probabilities(self, outputs: npt.NDArray[Any]) -> None:
        """Keep the rows that are probabilities (numbers in [0, 1]) for the accuracy estimate.

        Other rows (a score of 1.5, a missing value) are left out of it: the monitor sees
        them, and the estimate of the others stands.
        """
        if outputs.dtype.kind not in "fiub":
            return
        probabilities = outputs.astype(np.float64)
        probabilities = probabilities[((probabilities >= 0) & (probabilities <= 1)).all(axis=1)]
        if not len(probabilities):
            return
        self._recent.append(probabilities)
        self._recent_rows += len(probabilities)
        while self._recent_rows - len(self._recent[0]) >= self.accuracy_rows:
            self._recent_rows -= len(self._recent.popleft())

    def label(self, labels: Sequence[tuple[str, Any]]) -> list[AlertEvent]:
        """Labels of earlier predictions, by event id (errors against the expected rate)."""
        if self.settings.expected_error_rate is None or not labels:
            return []
        keys, values = zip(*labels, strict=True)
        with self.lock:
            return self.monitor.log_labels(list(keys), np.asarray(values))

    def restore(self, state: str | None) -> None:
        """After a replay, take the alert state recorded before the restart."""
        if state is not None:
            self.monitor.restore_state(AlertState(state))

    def _count_unexpected(
        self, inputs: list[dict[str, Any]], counts: Counter[tuple[str, str]]
    ) -> None:
        known = self._known_names
        if not set().union(*inputs) - known:  # the usual batch: one pass, nothing to count
            return
        for row in inputs:
            for key in row.keys() - known:
                if (
                    key not in self._unexpected
                    and len(self._unexpected) < MAX_UNEXPECTED_NAMES
                    and storable_name(key)
                ):
                    self._unexpected.add(key)
                name = key if key in self._unexpected else OTHER_COLUMNS
                counts[(name, "unexpected_column")] += 1
