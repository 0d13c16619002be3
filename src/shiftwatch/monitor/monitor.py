"""The monitor: a reference, a sliding window of summaries, detectors, and one alert state.

``log`` folds each batch into the window's bucket profiles (no raw rows are kept beyond a
staging batch of at most 1,000 rows) and, every ``check_every`` rows, compares the window with
the reference. Between checks, each numeric column's values are turned into normal scores
against the reference and summed per block of ``block_rows`` rows into a CUSUM
(:mod:`shiftwatch.monitor.scores`), which sees small lasting shifts that one window cannot.

A check is drifted when the window comparison is, or when a column's CUSUM alarmed since the
last check. The false-alarm budget is a documented bound, not a simulation: half of it goes to
the window (``alpha = check_every / (2 ert)`` per comparison) and half to the CUSUMs (each of
the ``m`` columns' has an ERT of ``2 m ert / block_rows`` blocks), so by the union bound the
expected number of drifted checks in any ``ert`` rows is at most one, and the mean number of
rows between false alarms is at least ``ert`` however correlated the overlapping windows are
(conservative, as the calibration benchmark shows). With ``scores=False``, or an ``ert`` so
long that the CUSUMs' share exceeds what their run-length equation solves (``MAX_ERT``
blocks), the window gets all of it (``alpha = check_every / ert``).

A drifted check turns the alert state from ok to drifting (one alarm); it turns back (one
resolution) after ``clear_after`` clean checks, by default once the window has been
entirely renewed.

Outputs. Give ``reference_outputs`` (the model's predictions or class probabilities on the
reference rows) and log ``outputs`` with each batch: the predicted class and the confidence
(the top probability) become the columns ``prediction`` and ``confidence``
(:mod:`shiftwatch.outputs`), checked and scored like the inputs. A reference profile made
from :func:`shiftwatch.outputs.with_outputs` does the same.

With ``outputs`` (one predicted label per row, or class probabilities) and labels, the
monitor also feeds a Bernoulli CUSUM of the errors against ``expected_error_rate``, whose
threshold gives the same ``ert``. Labels may come with the batch or later by id
(``log_labels``): predictions are kept by id, the newest ``label_retention`` of them.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from shiftwatch._validation import check_count, check_parameter
from shiftwatch.columns import ColumnKind
from shiftwatch.compare import compare
from shiftwatch.detectors.cusum import MAX_ERT
from shiftwatch.detectors.error_rate import BernoulliCUSUM
from shiftwatch.drift_report import DriftReport
from shiftwatch.errors import InvalidParameterError, SchemaError
from shiftwatch.io import to_table
from shiftwatch.monitor.alerts import AlertEvent, AlertState, Hysteresis
from shiftwatch.monitor.scores import ScoreStreams
from shiftwatch.monitor.windows import BucketedWindow
from shiftwatch.outputs import PREDICTION, output_columns, predicted_labels, with_outputs
from shiftwatch.profile import Profile
from shiftwatch.sketch.quantiles import DEFAULT_K

DEFAULT_ERT = 10_000
DEFAULT_LABEL_RETENTION = 100_000
DEFAULT_BLOCK_ROWS = 100
ERROR_RATE_RATIO = 1.5  # the rise in errors the error CUSUM is tuned to


class Monitor:
    """Watch the last ``window`` rows (or ``duration`` seconds) against a reference.

    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> monitor = Monitor({"x": rng.normal(size=20_000)}, window=1_000, ert=20_000)
    >>> events = []
    >>> for batch in range(40):
    ...     shift = 0.0 if batch < 20 else 1.0
    ...     events += monitor.log({"x": rng.normal(shift, size=100)})
    >>> [(event.kind, event.at_row) for event in events]
    [('alarm', 2100)]
    >>> monitor.state.value, monitor.check().drifted_columns
    ('drifting', ('x',))
    """

    def __init__(
        self,
        reference: Any,
        *,
        window: int | None = None,
        duration: float | None = None,
        check_every: int | None = None,
        ert: float = DEFAULT_ERT,
        buckets: int = 10,
        clear_after: int | None = None,
        expected_error_rate: float | None = None,
        label_retention: int = DEFAULT_LABEL_RETENTION,
        k: int = DEFAULT_K,
        reference_outputs: npt.ArrayLike | None = None,
        scores: bool = True,
        block_rows: int = DEFAULT_BLOCK_ROWS,
    ) -> None:
        owner = "Monitor"
        if (window is None) == (duration is None):
            raise InvalidParameterError(
                "Monitor takes exactly one of 'window' (rows) and 'duration' (seconds)."
            )
        self.window = None if window is None else check_count(owner, "window", window)
        self.duration = (
            None
            if duration is None
            else float(
                check_parameter(owner, "duration", duration, lambda d: d > 0, "a number > 0")
            )
        )
        self.buckets = check_count(owner, "buckets", buckets)
        default_every = max(1, (self.window or 10 * self.buckets) // self.buckets)
        self.check_every = check_count(
            owner, "check_every", default_every if check_every is None else check_every
        )
        self.ert = float(
            check_parameter(
                owner,
                "ert",
                ert,
                lambda e: math.isfinite(e) and e > self.check_every,
                "a finite number > check_every",
            )
        )
        self.block_rows = check_count(owner, "block_rows", block_rows)
        renewal = self.buckets if self.window is None else math.ceil(self.window / self.check_every)
        self.clear_after = check_count(
            owner, "clear_after", renewal if clear_after is None else clear_after
        )
        self.label_retention = check_count(owner, "label_retention", label_retention)
        # Profiled last: a bad parameter fails before a pass over a large reference.
        if reference_outputs is not None:
            if isinstance(reference, Profile):
                raise InvalidParameterError(
                    "'reference_outputs' go with reference data, not a Profile: profile the "
                    "data with its outputs, Profile.from_data(with_outputs(data, outputs))."
                )
            reference = with_outputs(reference, reference_outputs)
        self.reference = (
            reference if isinstance(reference, Profile) else Profile.from_data(reference, k=k)
        )
        self._names = list(self.reference.column_names)
        numeric = [n for n in self._names if self.reference[n].kind == ColumnKind.NUMERIC]
        ert_blocks = 2 * len(numeric) * self.ert / self.block_rows
        self._scores = (
            ScoreStreams(self.reference, numeric, block_rows=self.block_rows, ert_blocks=ert_blocks)
            if scores and numeric and ert_blocks <= MAX_ERT
            else None
        )
        window_share = 0.5 if self._scores is not None else 1.0
        self.alpha = window_share * self.check_every / self.ert
        self._window = BucketedWindow(
            self._names,
            window=self.window,
            duration=self.duration,
            buckets=self.buckets,
            k=k,
            numeric=numeric,
        )
        self._state = Hysteresis(self.clear_after)
        if expected_error_rate is not None:
            check_parameter(
                owner,
                "expected_error_rate",
                expected_error_rate,
                lambda p: 0 < p < 1 / ERROR_RATE_RATIO,
                f"a float in (0, {1 / ERROR_RATE_RATIO:.3g}) (the error CUSUM watches for a "
                f"rise by a factor {ERROR_RATE_RATIO:g}, which must stay below 1)",
            )
        self._errors = (
            None
            if expected_error_rate is None
            else BernoulliCUSUM(
                float(expected_error_rate), rate_ratio=ERROR_RATE_RATIO, ert=self.ert
            )
        )
        self._error_state = Hysteresis(self.clear_after)
        self._clean_labels = 0
        self._predictions: OrderedDict[Any, Any] = OrderedDict()
        self._since_check = 0
        self.n = 0
        self.events: list[AlertEvent] = []
        self.last_report: DriftReport | None = None
        self.last_window: Profile | None = None  # the window's profile at the last check
        self.last_drifted = False
        self.last_check_seconds: float | None = None

    @property
    def drift_scores(self) -> dict[str, float]:
        """Each numeric column's CUSUM of normal scores over its threshold (1 at an alarm).

        Empty with ``scores=False``. Rows still staged (fewer than 1,000) are not counted yet.
        """
        if self._scores is None:
            return {}
        return {
            name: detector.statistic / detector.threshold
            for name, detector in self._scores.detectors.items()
        }

    @property
    def state(self) -> AlertState:
        """Drifting while the window's alarm or the error alarm stands, else ok."""
        drifting = AlertState.DRIFTING in (self._state.state, self._error_state.state)
        return AlertState.DRIFTING if drifting else AlertState.OK

    def log(
        self,
        inputs: Any,
        *,
        outputs: npt.ArrayLike | None = None,
        labels: npt.ArrayLike | None = None,
        ids: Sequence[Any] | None = None,
        timestamps: npt.ArrayLike | None = None,
    ) -> list[AlertEvent]:
        """Log a batch of requests; return the alert state changes it caused."""
        table = to_table(inputs, role="logged")
        if outputs is not None and PREDICTION in self._names:
            for name, values in output_columns(outputs, table.num_rows).items():
                table = table.append_column(name, pa.array(values))
        present = set(table.column_names)
        absent = [name for name in self._names if name not in present]
        if absent:
            raise SchemaError(f"The logged batch lacks the reference's column(s) {absent}.")
        table = table.select(self._names)
        # check every argument before the window changes, so a refused batch leaves no trace
        predicted = None if outputs is None else predicted_labels(outputs, table.num_rows)
        label_array = None if labels is None else np.asarray(labels)
        if label_array is not None:
            if predicted is None:
                raise InvalidParameterError("'labels' need 'outputs' (the predictions) to score.")
            if label_array.shape[0] != table.num_rows:
                raise SchemaError(
                    f"'labels' has {label_array.shape[0]} rows; the inputs have {table.num_rows}."
                )
        if ids is not None and predicted is not None and len(ids) != table.num_rows:
            raise SchemaError(f"'ids' has {len(ids)} rows; the inputs have {table.num_rows}.")
        now = time.time() if timestamps is None else float(np.max(np.asarray(timestamps, float)))
        events: list[AlertEvent] = []
        for batch in table.to_batches():
            self._window.add(batch, now)
        if self._scores is not None:
            self._scores.add(table)
        self.n += table.num_rows
        self._since_check += table.num_rows
        if predicted is not None:
            if label_array is not None:
                events += self._observe_errors(predicted, label_array, now)
            if ids is not None and self._errors is not None:  # kept only to score labels
                self._remember(ids, predicted)
        if self._since_check >= self.check_every:
            self._since_check = 0
            events += self._check_window(now)
        self.events += events
        return events

    def log_labels(self, ids: Sequence[Any], labels: npt.ArrayLike) -> list[AlertEvent]:
        """Labels that arrived later, joined to earlier predictions by id.

        Ids never logged, already labelled, or older than the newest ``label_retention``
        predictions are skipped.
        """
        if self._errors is None:
            raise InvalidParameterError(
                "log_labels needs Monitor(expected_error_rate=...): the error rate it checks "
                "the labels against."
            )
        label_array = np.asarray(labels)
        if len(ids) != label_array.shape[0]:
            raise InvalidParameterError(
                f"log_labels takes one label per id: got {len(ids)} ids and "
                f"{label_array.shape[0]} labels."
            )
        known, joined = [], []
        for i, key in enumerate(ids):
            if key in self._predictions:  # an id repeated in ``ids`` is joined once
                known.append(i)
                joined.append(self._predictions.pop(key))
        predicted = np.array(joined)
        events = self._observe_errors(predicted, label_array[known], time.time())
        self.events += events
        return events

    def check(self) -> DriftReport:
        """Compare the window with the reference now, at the per-check ``alpha``."""
        self.last_window = self._window.profile()
        report = compare(self.reference, self.last_window, alpha=self.alpha)
        budget = "half of the budget, the other half to the column CUSUMs, " if self._scores else ""
        note = (
            f"Window of the last {self._window.n:,} rows checked at alpha = {self.alpha:.3g} "
            f"(every {self.check_every:,} rows, {budget}for a mean of at least "
            f"{self.ert:,.0f} rows between false alarms by the union bound over checks)."
        )
        self.last_report = replace(report, notes=(*report.notes, note))
        return self.last_report

    def restore_state(self, state: AlertState) -> None:
        """Set the window's alert state, as recorded before a restart (no event is raised).

        A service that replays its recent rows into a new monitor restores the state it had
        persisted, so that a standing alarm resolves once, and is not raised again.
        """
        self._state.state = AlertState(state)

    def _check_window(self, now: float) -> list[AlertEvent]:
        started = time.perf_counter()
        report = self.check()
        self.last_check_seconds = time.perf_counter() - started
        score_alarms = [] if self._scores is None else self._scores.flush()
        self.last_drifted = report.drifted or bool(score_alarms)
        change = self._state.observe(self.last_drifted)
        if change is None:
            return []
        if change == "alarm":
            found = [f"drifted columns: {', '.join(report.drifted_columns)}"] * report.drifted
            found += [
                "CUSUM of scores: " + ", ".join(f"{name} {way}" for name, way in score_alarms)
            ] * bool(score_alarms)
            detail = "; ".join(found)
        else:
            detail = f"{self.clear_after} clean checks in a row"
        return [AlertEvent(change, "window", self.n, now, detail)]

    def _observe_errors(
        self, predicted: npt.NDArray[Any], labels: npt.NDArray[Any], now: float
    ) -> list[AlertEvent]:
        if self._errors is None:
            return []
        wrong = (predicted != labels).astype(np.float64)
        alarms = self._errors.update_many(wrong).tolist()
        rate = self._errors.expected_rate
        events = []
        previous = -1
        for position in [*alarms, wrong.size]:
            # Each run of check_every labelled values without an alarm is a clean check.
            self._clean_labels += position - previous - 1
            while self._clean_labels >= self.check_every:
                self._clean_labels -= self.check_every
                if self._error_state.observe(False) == "resolved":
                    detail = f"errors back to the expected rate {rate:g}"
                    events.append(AlertEvent("resolved", "errors", self.n, now, detail))
            if position < wrong.size:
                self._clean_labels = 0
                if self._error_state.observe(True) == "alarm":
                    detail = f"more errors than the expected rate {rate:g}"
                    events.append(AlertEvent("alarm", "errors", self.n, now, detail))
            previous = position
        return events

    def _remember(self, ids: Sequence[Any], predicted: npt.NDArray[Any]) -> None:
        for key, value in zip(ids, predicted.tolist(), strict=True):
            self._predictions[key] = value
            self._predictions.move_to_end(key)
        while len(self._predictions) > self.label_retention:
            self._predictions.popitem(last=False)
