"""Tests of shiftwatch.monitor.Monitor: windows, calibration, alarms, errors versus expected.

Calibration (seeded simulations, stated tolerances). The monitor checks its window every
``check_every`` rows at ``alpha = check_every / ert``. Two quantities are tested on unshifted
data, each by a one-sided test at the 0.001 level (a correct monitor fails about once in a
thousand seeds):

* drifted checks, the stronger statement the union bound makes: the expected number of
  drifted checks per row is at most ``1 / ert``. Checks whose windows overlap are correlated,
  so their total is not Poisson; but the checks ``window / check_every`` apart look at
  disjoint rows and are independent Bernoulli(<= alpha) trials given the reference. Every
  check belongs to one of ``window / check_every`` such phases; each phase's count is
  tested against Binomial(checks in the phase, alpha) at 0.001 / phases (Bonferroni).
  The guarantee is over reference samples too (a given reference sample may sit a little
  off its population), so the rows are spread over 10 monitors, each with its own reference.
* alarms (ok -> drifting transitions) per row, with ``clear_after=1`` so that each run of
  drifted checks is one alarm: their count over T rows must not exceed what Poisson(T / ert)
  allows at 0.001. Alarms are at most drifted checks, so this is implied by the first
  statement in expectation; it is the contract a pager sees.

Measured while writing these tests (window 500, check_every 100, ert 5,000, one N(0, 1)
column): 129 drifted checks in 12,000 (0.0108 per check against alpha 0.02) over 12
references of 100,000 rows each; one reference alone ranged from 0.003 to 0.026.
"""

import math
import time

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from shiftwatch.detectors.error_rate import BernoulliCUSUM
from shiftwatch.errors import InvalidParameterError, SchemaError, ShiftwatchError
from shiftwatch.monitor import AlertEvent, AlertState, Monitor
from shiftwatch.profile import Profile

LEVEL = 0.001


def columns(data: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
    return {name: data[:, j] for j, name in enumerate(names)}


def reference_for(names: list[str], seed: int, n: int = 20_000) -> Profile:
    rng = np.random.default_rng(seed)
    return Profile.from_data(columns(rng.normal(size=(n, len(names))), names))


def assert_calibrated(
    *, seed: int, names: list[str], rows: int, window: int, check_every: int, ert: float
) -> None:
    """Log ``rows`` unshifted rows over 10 monitors (one check per batch); test as above."""
    runs, phases = 10, math.ceil(window / check_every)
    checks = rows // runs // check_every
    assert checks % phases == 0  # every run holds whole rounds of phases
    flags = np.zeros((runs, checks), dtype=bool)
    alarms = 0
    for run in range(runs):
        monitor = Monitor(
            reference_for(names, seed + run),
            window=window,
            check_every=check_every,
            ert=ert,
            clear_after=1,
        )
        rng = np.random.default_rng([seed, run])
        for check in range(checks):
            monitor.log(columns(rng.normal(size=(check_every, len(names))), names))
            flags[run, check] = monitor.last_drifted
        alarms += sum(event.kind == "alarm" for event in monitor.events)
    alpha = check_every / ert
    for phase in range(phases):
        in_phase = flags[:, phase::phases]
        count = int(in_phase.sum())
        p_value = stats.binom.sf(count - 1, in_phase.size, alpha)
        assert p_value > LEVEL / phases, (phase, count, in_phase.size, alpha)
    expected = rows / ert
    assert stats.poisson.sf(alarms - 1, expected) > LEVEL, (alarms, expected)
    assert alarms <= flags.sum()


def test_no_shift_drifted_checks_and_alarms_stay_within_ert() -> None:
    assert_calibrated(seed=20, names=["x"], rows=200_000, window=500, check_every=100, ert=5_000)


@pytest.mark.slow
def test_no_shift_calibration_with_three_columns_and_another_setting() -> None:
    assert_calibrated(
        seed=30, names=["a", "b", "c"], rows=600_000, window=1_000, check_every=250, ert=20_000
    )


def test_sustained_shift_gives_exactly_one_alarm_and_one_resolution() -> None:
    names = ["a", "b", "c"]
    batch, before, shifted, after = 20, 1_000, 10_000, 1_000
    window, check_every = 1_000, 500
    monitor = Monitor(reference_for(names, 1), window=window, check_every=check_every, ert=1e7)
    rng = np.random.default_rng(2)
    data = rng.normal(size=((before + shifted + after) * batch, 3))
    start, end = before * batch, (before + shifted) * batch
    data[start:end, 0] += 1.0  # a one-std shift of column a during 10,000 batches
    events = []
    for offset in range(0, data.shape[0], batch):
        events += monitor.log(columns(data[offset : offset + batch], names))
    assert [event.kind for event in events] == ["alarm", "resolved"]
    alarm, resolved = events
    assert alarm.source == resolved.source == "window"
    assert start < alarm.at_row <= start + window
    assert "a" in alarm.detail
    # resolved once the window holds no shifted row and clear_after clean checks followed
    assert end + window < resolved.at_row <= end + window + (monitor.clear_after + 1) * check_every
    assert monitor.state == AlertState.OK
    assert monitor.events == events


def test_detection_delay_of_a_one_std_shift_in_one_of_five_columns(record_property) -> None:
    names = [f"x{i}" for i in range(5)]
    window, check_every, warm_up = 500, 100, 2_000
    delays = []
    for seed in range(5):
        monitor = Monitor(
            reference_for(names, 100 + seed), window=window, check_every=check_every, ert=1e5
        )
        rng = np.random.default_rng(200 + seed)
        for _ in range(warm_up // check_every):
            assert monitor.log(columns(rng.normal(size=(check_every, 5)), names)) == []
        delay = None
        for step in range(1, 30):
            data = rng.normal(size=(check_every, 5))
            data[:, 2] += 1.0
            if monitor.log(columns(data, names)):
                delay = step * check_every
                break
        assert delay is not None
        delays.append(delay)
    record_property("delays_rows", delays)
    print(f"detection delay (rows) of a 1-std shift in 1 of 5 columns, window 500: {delays}")
    assert max(delays) <= window  # found before the window is all shifted


@pytest.mark.parametrize(("scores", "alpha"), [(True, 0.001), (False, 0.002)])
def test_check_report_carries_the_alpha_and_its_bound(scores: bool, alpha: float) -> None:
    monitor = Monitor(
        reference_for(["x"], 3), window=1_000, check_every=100, ert=50_000, scores=scores
    )
    monitor.log({"x": np.random.default_rng(4).normal(size=300)})
    report = monitor.check()
    assert report.alpha == pytest.approx(alpha)  # half the budget goes to the CUSUMs
    assert report.n_current == 300
    note = report.notes[-1]
    assert f"alpha = {alpha:g}" in note
    assert ("half of the budget" in note) is scores
    assert "every 100 rows" in note
    assert "50,000 rows between false alarms" in note
    assert "union bound" in note
    assert monitor.last_report is report


def test_check_before_any_row_is_not_drifted() -> None:
    monitor = Monitor(reference_for(["x"], 3), window=100)
    assert monitor.check().drifted is False
    assert monitor.state == AlertState.OK


def test_time_window_uses_the_timestamps() -> None:
    rng = np.random.default_rng(6)
    monitor = Monitor(reference_for(["x"], 5), duration=60.0, check_every=50, ert=1e6)
    for second in range(0, 600, 5):  # 50 rows every 5 seconds
        stamps = np.full(50, float(second))
        monitor.log({"x": rng.normal(size=50)}, timestamps=stamps)
    # the last 60 s hold 12 or 13 batches; buckets of 6 s may keep one more
    assert 12 * 50 <= monitor.check().n_current <= 14 * 50


# --- errors versus expected ----------------------------------------------------------------


def prediction_stream(seed: int, n: int, changes_at: int) -> tuple[np.ndarray, np.ndarray]:
    """Predicted classes (0..2) and labels; 5 % wrong, then 10 % from ``changes_at``."""
    rng = np.random.default_rng(seed)
    predicted = rng.integers(0, 3, n)
    rate = np.where(np.arange(n) < changes_at, 0.05, 0.10)
    wrong = rng.random(n) < rate
    labels = np.where(wrong, (predicted + 1) % 3, predicted)
    return predicted, labels


def first_error_alarm_row(batch: int, predicted: np.ndarray, labels: np.ndarray) -> int:
    detector = BernoulliCUSUM(0.05, ert=20_000)
    alarms = detector.update_many((predicted != labels).astype(float))
    assert alarms.size
    return (int(alarms[0]) // batch + 1) * batch  # the end of the batch holding it


def error_events(events: list[AlertEvent]) -> list[AlertEvent]:
    return [event for event in events if event.source == "errors"]


def error_monitor(**options: int) -> Monitor:
    return Monitor(
        reference_for(["x"], 9),
        window=1_000,
        check_every=10_000,  # these tests watch the errors: few window checks
        expected_error_rate=0.05,
        **{"ert": 20_000, **options},
    )


@pytest.mark.parametrize("as_probabilities", [False, True], ids=["labels", "probabilities"])
def test_errors_doubling_raise_an_error_alarm(as_probabilities: bool) -> None:
    batch, n = 100, 20_000
    predicted, labels = prediction_stream(7, n, changes_at=10_000)
    expected_row = first_error_alarm_row(batch, predicted, labels)
    assert expected_row > 10_000  # the stream is calm before the rise
    monitor = error_monitor()
    x = np.random.default_rng(8).normal(size=n)
    events = []
    for start in range(0, n, batch):
        chosen = predicted[start : start + batch]
        outputs = np.eye(3)[chosen] * 0.8 + 0.2 / 3 if as_probabilities else chosen
        events += monitor.log(
            {"x": x[start : start + batch]}, outputs=outputs, labels=labels[start : start + batch]
        )
    events = error_events(events)
    assert [e.kind for e in events] == ["alarm"]
    assert events[0].at_row == expected_row
    assert "0.05" in events[0].detail
    assert monitor.state == AlertState.DRIFTING


def test_late_labels_joined_by_id_give_the_same_alarm() -> None:
    batch, n = 100, 20_000
    predicted, labels = prediction_stream(7, n, changes_at=10_000)
    expected_row = first_error_alarm_row(batch, predicted, labels)
    monitor = error_monitor()
    x = np.random.default_rng(8).normal(size=n)
    events = []
    for start in range(0, n, batch):
        ids = [f"request-{i}" for i in range(start, start + batch)]
        events += monitor.log(
            {"x": x[start : start + batch]}, outputs=predicted[start : start + batch], ids=ids
        )
        events += monitor.log_labels(ids, labels[start : start + batch])
    assert [(e.kind, e.at_row) for e in error_events(events)] == [("alarm", expected_row)]


def test_late_labels_forget_old_ids_skip_unknown_and_repeated_ones() -> None:
    monitor = error_monitor(label_retention=100)
    x = np.random.default_rng(1).normal(size=300)
    monitor.log({"x": x}, outputs=np.zeros(300, dtype=int), ids=list(range(300)))
    assert len(monitor._predictions) == 100  # bounded: only the newest label_retention
    # ids 0..199 are forgotten: 200 wrong labels for them would alarm if they were joined
    assert monitor.log_labels([*range(200), "never-logged"], np.ones(201, dtype=int)) == []
    assert monitor.state == AlertState.OK
    # ids 200..299 are known: 100 errors in a row alarm; a repeated id is joined once
    events = monitor.log_labels([200, 200, *range(201, 300)], np.ones(101, dtype=int))
    assert [(e.kind, e.source) for e in events] == [("alarm", "errors")]
    # joined ids are forgotten: labelling them again is skipped
    assert monitor.log_labels(list(range(200, 300)), np.ones(100, dtype=int)) == []
    assert len(monitor._predictions) == 0


def test_errors_at_the_expected_rate_raise_no_error_alarm_with_a_long_ert() -> None:
    predicted, labels = prediction_stream(11, 20_000, changes_at=20_000)
    monitor = error_monitor(ert=10**6)  # a false alarm in 20,000 values: about 2 % of seeds
    x = np.random.default_rng(2).normal(size=20_000)
    for start in range(0, 20_000, 500):
        part = slice(start, start + 500)
        events = monitor.log({"x": x[part]}, outputs=predicted[part], labels=labels[part])
        assert error_events(events) == []


# --- errors in calls -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        pytest.param({}, "'window'", id="neither-window-nor-duration"),
        pytest.param({"window": 100, "duration": 60.0}, "'duration'", id="window-and-duration"),
        pytest.param({"window": 0}, "'window'", id="window-zero"),
        pytest.param({"window": 10.5}, "'window'", id="window-float"),
        pytest.param({"duration": -1.0}, "'duration'", id="duration-negative"),
        pytest.param({"window": 100, "check_every": 0}, "'check_every'", id="check-every-zero"),
        pytest.param({"window": 100, "check_every": 100, "ert": 100}, "'ert'", id="ert-small"),
        pytest.param({"window": 100, "ert": math.inf}, "'ert'", id="ert-infinite"),
        pytest.param({"window": 100, "buckets": 0}, "'buckets'", id="buckets-zero"),
        pytest.param({"window": 100, "clear_after": 0}, "'clear_after'", id="clear-after-zero"),
        pytest.param(
            {"window": 100, "label_retention": -5}, "'label_retention'", id="retention-negative"
        ),
        pytest.param(
            {"window": 100, "expected_error_rate": 0.0},
            "'expected_error_rate'",
            id="error-rate-zero",
        ),
        pytest.param(
            {"window": 100, "expected_error_rate": 0.8},
            "'expected_error_rate'",
            id="error-rate-too-high-for-the-cusum",
        ),
    ],
)
def test_bad_parameters_raise_naming_the_parameter(options: dict[str, float], named: str) -> None:
    with pytest.raises(InvalidParameterError, match=named) as caught:
        Monitor({"x": [0.0, 1.0, 2.0]}, **options)  # type: ignore[arg-type]
    assert "Monitor" in str(caught.value)


def test_ert_at_most_check_every_says_what_it_got() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        Monitor({"x": [0.0, 1.0]}, window=1_000, check_every=500, ert=400)
    message = str(caught.value)
    assert "'ert'" in message
    assert "check_every" in message
    assert "400" in message


def test_a_batch_missing_a_reference_column_is_refused() -> None:
    monitor = Monitor({"age": [30.0, 40.0], "plan": ["a", "b"]}, window=100)
    with pytest.raises(SchemaError, match="plan"):
        monitor.log({"age": [35.0]})
    assert monitor.n == 0


def test_extra_columns_are_ignored() -> None:
    monitor = Monitor({"age": [30.0, 40.0, 50.0]}, window=100, check_every=2)
    monitor.log(pa.table({"other": ["z", "z"], "age": [35.0, 45.0]}))
    assert monitor.check().n_current == 2


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param({"labels": [0, 1]}, InvalidParameterError, id="labels-without-outputs"),
        pytest.param({"outputs": [0, 1, 2]}, SchemaError, id="outputs-of-another-length"),
        pytest.param({"outputs": [0, 1], "labels": [0]}, SchemaError, id="labels-too-short"),
        pytest.param({"outputs": [0, 1], "ids": ["a"]}, SchemaError, id="ids-too-short"),
        pytest.param({"outputs": np.zeros((2, 3, 1))}, SchemaError, id="outputs-3d"),
    ],
)
def test_a_refused_batch_leaves_no_trace(call: dict[str, object], error: type) -> None:
    monitor = Monitor(
        {"x": [0.0, 1.0, 2.0]}, window=100, check_every=1, ert=1e6, expected_error_rate=0.1
    )
    with pytest.raises(error):
        monitor.log({"x": [0.5, 1.5]}, **call)  # type: ignore[arg-type]
    assert monitor.n == 0
    assert monitor.check().n_current == 0
    assert len(monitor._predictions) == 0


def test_log_labels_needs_one_label_per_id() -> None:
    monitor = error_monitor()
    with pytest.raises(InvalidParameterError, match="2 ids and 1 labels"):
        monitor.log_labels(["a", "b"], [1])


def test_errors_are_shiftwatch_errors() -> None:
    with pytest.raises(ShiftwatchError):
        Monitor({"x": [0.0]}, window=10, duration=1.0)


def test_log_sustains_its_rate_without_checks() -> None:
    """A smoke bound only (the benchmark measures throughput): 20 columns, 100-row batches."""
    names = [f"c{i}" for i in range(20)]
    rng = np.random.default_rng(0)
    monitor = Monitor(reference_for(names, 0, n=5_000), window=10_000, check_every=10**9, ert=1e10)
    batches = [columns(rng.normal(size=(100, 20)), names) for _ in range(10)]
    for part in batches:
        monitor.log(part)
    start = time.perf_counter()
    for step in range(500):
        monitor.log(batches[step % 10])
    rows_per_second = 500 * 100 / (time.perf_counter() - start)
    assert rows_per_second > 20_000  # 10x below the benchmark's figure: a guard, not a claim


def test_an_error_alarm_resolves_after_clean_runs_of_labels() -> None:
    """Errors back at the expected rate: one resolution after clear_after x check_every labels."""
    rng = np.random.default_rng(13)
    monitor = error_monitor(clear_after=3, ert=1_000_000)  # no false alarm in 60,000 rows
    predicted = rng.integers(0, 3, 60_000)
    rate = np.where((np.arange(60_000) >= 10_000) & (np.arange(60_000) < 20_000), 0.2, 0.05)
    labels = np.where(rng.random(60_000) < rate, (predicted + 1) % 3, predicted)
    x = rng.normal(size=60_000)
    events = []
    for start in range(0, 60_000, 1_000):
        rows = slice(start, start + 1_000)
        events += monitor.log({"x": x[rows]}, outputs=predicted[rows], labels=labels[rows])
    kinds = [(e.kind, e.at_row) for e in error_events(events)]
    assert [k for k, _ in kinds] == ["alarm", "resolved"], kinds
    assert 10_000 < kinds[0][1] <= 12_000
    # 3 clean runs of check_every = 10,000 labels after the last alarm in the bad stretch
    assert 50_000 <= kinds[1][1] <= 60_000
    assert monitor.state == AlertState.OK


def test_late_labels_need_an_expected_error_rate() -> None:
    monitor = Monitor({"x": np.arange(100.0)}, window=50)
    monitor.log({"x": np.arange(10.0)}, outputs=np.zeros(10, dtype=int), ids=list(range(10)))
    with pytest.raises(InvalidParameterError, match="expected_error_rate"):
        monitor.log_labels(list(range(10)), np.zeros(10, dtype=int))


def probabilities(rng: np.random.Generator, n: int, confidence: float) -> np.ndarray:
    """Three-class probabilities whose top class is uniform and holds about ``confidence``."""
    top = np.clip(rng.normal(confidence, 0.05, n), 0.34, 0.99)
    rest = (1 - top) / 2
    out = np.repeat(rest[:, None], 3, axis=1)
    out[np.arange(n), rng.integers(0, 3, n)] = top
    return out


def test_outputs_become_prediction_and_confidence_columns_and_a_drop_in_confidence_alarms() -> None:
    rng = np.random.default_rng(21)
    reference = {"x": rng.normal(size=20_000)}
    monitor = Monitor(
        reference,
        reference_outputs=probabilities(rng, 20_000, 0.8),
        window=1_000,
        check_every=250,
        ert=1e6,
    )
    assert monitor.reference.column_names == ("x", "prediction", "confidence")
    assert set(monitor.drift_scores) == {"x", "confidence"}
    events = []
    for step in range(80):
        confidence = 0.8 if step < 40 else 0.7  # the inputs stay put; the model grows unsure
        events += monitor.log(
            {"x": rng.normal(size=100)}, outputs=probabilities(rng, 100, confidence)
        )
    assert [event.kind for event in events] == ["alarm"]
    assert 4_000 < events[0].at_row <= 5_000
    assert "confidence" in events[0].detail
    assert monitor.drift_scores["confidence"] > monitor.drift_scores["x"]


def test_a_profile_made_with_outputs_watches_them_too() -> None:
    from shiftwatch.outputs import with_outputs

    rng = np.random.default_rng(22)
    labels = rng.choice(["cat", "dog"], 10_000, p=[0.7, 0.3])
    profile = Profile.from_data(with_outputs({"x": rng.normal(size=10_000)}, labels))
    monitor = Monitor(profile, window=1_000, check_every=500, ert=1e6)
    events = []
    for step in range(20):
        mix = [0.7, 0.3] if step < 10 else [0.3, 0.7]  # the class mix flips
        events += monitor.log(
            {"x": rng.normal(size=100)}, outputs=rng.choice(["cat", "dog"], 100, p=mix)
        )
    assert [event.kind for event in events] == ["alarm"]
    assert "prediction" in events[0].detail


def test_reference_outputs_need_data_not_a_profile_and_free_names() -> None:
    profile = reference_for(["x"], 1, n=100)
    with pytest.raises(InvalidParameterError, match="with_outputs"):
        Monitor(profile, window=10, reference_outputs=np.zeros(100))
    with pytest.raises(SchemaError, match=r"\['prediction'\]"):
        Monitor({"prediction": [1.0, 2.0]}, window=10, reference_outputs=[0, 1])


def test_a_small_lasting_shift_is_caught_by_the_scores_not_the_window() -> None:
    names = ["a", "b", "c"]
    found = {}
    for scores in (False, True):
        monitor = Monitor(
            reference_for(names, 31, n=100_000),
            window=1_000,
            check_every=500,
            ert=1e6,
            scores=scores,
        )
        rng = np.random.default_rng(32)
        for step in range(200):
            data = rng.normal(size=(500, 3))
            data[:, 1] += 0.1 if step >= 20 else 0.0  # a tenth of a std from row 10,000 on
            if monitor.log(columns(data, names)):
                found[scores] = (step + 1) * 500 - 10_000
                break
    print(f"rows to find a 0.1-std shift: {found}")
    assert found[True] <= 20_000
    assert found.get(False, 10**9) > 2 * found[True]
