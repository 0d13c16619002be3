"""ADWIN: river as the oracle, update against update_many, run lengths and delays.

Calibration tests accept a measured mean run length unless a one-sided test says, at the
0.001 level, that the true mean is below the claim: the run lengths are independent (the
detector starts afresh after each alarm), so their mean is compared with the claim through
its standard error (z < -3.09 fails).
"""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.detectors.adwin import ADWIN
from shiftwatch.errors import InvalidParameterError

Z_0001 = 3.090  # one-sided 0.001 quantile of the standard normal


def oracle_stream(kind: str) -> np.ndarray:
    if kind == "normal":
        rng = np.random.default_rng(2026)
        return np.concatenate([rng.normal(mean, 1.0, 1000) for mean in (0.0, 1.0, 0.3, -0.5)])
    if kind == "bernoulli":
        rng = np.random.default_rng(2027)
        return np.concatenate([(rng.random(750) < p).astype(float) for p in (0.1, 0.3, 0.1, 0.5)])
    rng = np.random.default_rng(2028)
    return rng.integers(0, 8, 2000) + np.repeat([0.0, 2.0, 1.0, 3.0], 500)


# Expected values from river 0.26.1 (pip install river==0.26.1, numpy 2.4.6): each value fed
# to river.drift.ADWIN(**params).update, recording the indexes where drift_detected was True,
# then width, estimation and variance (river's variance is the sum of squared deviations).
ORACLE = [
    pytest.param(
        "normal", {}, [1055, 2143, 3071], (928, -0.4708811948021974, 935.224872305707),
        id="defaults-normal",
    ),
    pytest.param(
        "bernoulli",
        {"delta": 0.05, "clock": 4, "max_buckets": 3, "min_window_length": 2, "grace_period": 20},
        [971, 1707, 2271],
        (728, 0.5384615384615384, 180.9230769230768),
        id="bernoulli-clock4-buckets3",
    ),
    pytest.param(
        "integers",
        {"delta": 0.3, "clock": 1, "max_buckets": 2, "min_window_length": 1, "grace_period": 0},
        [285, 506, 1019, 1238, 1386, 1517, 1656, 1938],
        (61, 6.131147540983607, 246.9508196721311),
        id="integers-clock1-buckets2",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "params", "alarms", "state"), ORACLE)
def test_alarms_and_window_match_river(
    kind: str, params: dict[str, float], alarms: list[int], state: tuple[int, float, float]
) -> None:
    stream = oracle_stream(kind)
    one_by_one = ADWIN(**params)
    found = []
    for i, x in enumerate(stream):
        one_by_one.update(x)
        if one_by_one.drift_detected:
            found.append(i)
    at_once = ADWIN(**params)
    assert found == alarms
    assert at_once.update_many(stream).tolist() == alarms
    for detector in (one_by_one, at_once):
        width, estimation, squared_deviations = state
        assert detector.width == width
        assert detector.estimation == estimation  # the same arithmetic, to the bit
        assert detector.variance * detector.width == pytest.approx(squared_deviations, rel=1e-12)


# -- update and update_many agree -------------------------------------------------------------

PARAMS = st.fixed_dictionaries(
    {
        "delta": st.sampled_from([0.002, 0.05, 0.3]),
        "clock": st.sampled_from([1, 5, 32]),
        "max_buckets": st.sampled_from([2, 3, 5]),
        "min_window_length": st.sampled_from([1, 5, 12]),
        "grace_period": st.sampled_from([0, 10, 100]),
    }
)


@st.composite
def shifted_streams(draw: st.DrawFn) -> np.ndarray:
    """Segments of normal or 0/1 values with different means (a seeded rng draws the values)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    segments = draw(st.lists(st.integers(0, 1200), min_size=1, max_size=5))
    means = draw(st.lists(st.floats(-3, 3), min_size=len(segments), max_size=len(segments)))
    if draw(st.booleans()):
        parts = [rng.normal(mean, 1.0, size) for mean, size in zip(means, segments, strict=True)]
    else:
        rates = [1 / (1 + math.exp(-mean)) for mean in means]
        parts = [
            (rng.random(size) < p).astype(float) for p, size in zip(rates, segments, strict=True)
        ]
    return np.concatenate(parts)


def window(detector: ADWIN) -> tuple[int, float, float]:
    return detector.width, detector.estimation, detector.variance


@settings(max_examples=100, deadline=None)
@given(stream=shifted_streams(), params=PARAMS, data=st.data())
def test_update_many_raises_the_alarms_of_repeated_update(
    stream: np.ndarray, params: dict[str, float], data: st.DataObject
) -> None:
    one_by_one = ADWIN(**params)
    expected = []
    for i, x in enumerate(stream.tolist()):
        one_by_one.update(x)
        if one_by_one.drift_detected:
            expected.append(i)
    at_once = ADWIN(**params)
    assert at_once.update_many(stream).tolist() == expected
    assert window(at_once) == window(one_by_one)
    assert at_once.drift_detected == one_by_one.drift_detected
    cuts = sorted(data.draw(st.lists(st.integers(0, stream.size), max_size=6)))
    in_chunks, found = ADWIN(**params), []
    for start, stop in zip([0, *cuts], [*cuts, stream.size], strict=True):
        found += (in_chunks.update_many(stream[start:stop]) + start).tolist()
    assert found == expected
    assert window(in_chunks) == window(one_by_one)
    assert in_chunks.n == one_by_one.n == stream.size


def test_long_stream_with_many_batches_agrees() -> None:
    rng = np.random.default_rng(5)
    means = rng.choice([0.0, 0.4, 1.0, -0.7], size=40)
    stream = np.concatenate([rng.normal(mean, 1.0, rng.integers(200, 5000)) for mean in means])
    one_by_one, expected = ADWIN(delta=0.01), []
    for i, x in enumerate(stream.tolist()):
        one_by_one.update(x)
        if one_by_one.drift_detected:
            expected.append(i)
    at_once = ADWIN(delta=0.01)
    assert len(expected) > 20
    assert at_once.update_many(stream).tolist() == expected
    assert window(at_once) == window(one_by_one)


# -- the window ------------------------------------------------------------------------------


def test_window_holds_every_value_until_an_alarm() -> None:
    stream = np.random.default_rng(1).normal(3.0, 2.0, 5000)
    detector = ADWIN()
    assert detector.update_many(stream).size == 0
    assert detector.width == detector.n == 5000
    assert detector.estimation == pytest.approx(stream.mean(), rel=1e-12)
    assert detector.variance == pytest.approx(stream.var(), rel=1e-9)


def test_after_an_alarm_the_window_keeps_the_newest_values_then_starts_afresh() -> None:
    rng = np.random.default_rng(3)
    stream = np.concatenate([rng.normal(0.0, 1.0, 3000), rng.normal(2.0, 1.0, 600)])
    detector = ADWIN()
    alarms = detector.update_many(stream)
    assert alarms.size == 1 and 3000 <= alarms[0] < 3100
    detector.reset()
    detector.update_many(stream[: alarms[0] + 1])
    assert detector.drift_detected
    kept = stream[alarms[0] + 1 - detector.width : alarms[0] + 1]
    assert 0 < detector.width < 3000
    assert detector.estimation == pytest.approx(kept.mean(), rel=1e-9)
    assert detector.variance == pytest.approx(kept.var(), rel=1e-6)
    detector.update(5.0)
    assert not detector.drift_detected
    assert (detector.width, detector.estimation, detector.variance) == (1, 5.0, 0.0)


def test_empty_window() -> None:
    detector = ADWIN()
    assert (detector.width, detector.estimation, detector.variance, detector.n) == (0, 0.0, 0.0, 0)
    assert detector.update_many([]).size == 0
    assert not detector.drift_detected


def test_reset_forgets_everything() -> None:
    stream = oracle_stream("normal")
    detector = ADWIN()
    first = detector.update_many(stream)
    detector.reset()
    assert (detector.n, detector.width, detector.drift_detected) == (0, 0, False)
    assert detector.update_many(stream).tolist() == first.tolist()


def test_pickle_keeps_the_window() -> None:
    stream = oracle_stream("normal")
    detector = ADWIN(delta=0.01)
    detector.update_many(stream[:1500])
    copy = pickle.loads(pickle.dumps(detector))
    assert copy.update_many(stream[1500:]).tolist() == detector.update_many(stream[1500:]).tolist()
    assert window(copy) == window(detector)


def test_repr_shows_the_configuration() -> None:
    assert repr(ADWIN()) == (
        "ADWIN(delta=0.002, clock=32, max_buckets=5, min_window_length=5, grace_period=10, "
        "n=0, width=0)"
    )
    assert repr(ADWIN(ert=1000)).startswith("ADWIN(ert=1000, clock=32")
    assert ADWIN(ert=1000).delta == 0.032
    assert ADWIN().delta == 0.002


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "name"),
    [
        pytest.param({"delta": 0.0}, "delta", id="delta-zero"),
        pytest.param({"delta": 1.0}, "delta", id="delta-one"),
        pytest.param({"delta": "0.1"}, "delta", id="delta-string"),
        pytest.param({"ert": 32}, "ert", id="ert-at-clock"),
        pytest.param({"ert": math.inf}, "ert", id="ert-infinite"),
        pytest.param({"ert": True}, "ert", id="ert-bool"),
        pytest.param({"clock": 0}, "clock", id="clock-zero"),
        pytest.param({"clock": 2.0}, "clock", id="clock-float"),
        pytest.param({"max_buckets": 1}, "max_buckets", id="max-buckets-one"),
        pytest.param({"min_window_length": 0}, "min_window_length", id="min-window-zero"),
        pytest.param({"grace_period": -1}, "grace_period", id="grace-negative"),
    ],
)
def test_bad_parameters_are_refused_by_name(params: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of ADWIN"):
        ADWIN(**params)  # type: ignore[arg-type]


def test_delta_and_ert_together_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="at most one of 'delta' and 'ert'"):
        ADWIN(delta=0.01, ert=1000)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_values_are_refused(bad: float) -> None:
    detector = ADWIN()
    detector.update_many([1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="position 0"):
        detector.update(bad)
    with pytest.raises(InvalidParameterError, match="position 2"):
        detector.update_many([1.0, 2.0, bad])
    with pytest.raises(InvalidParameterError, match="position 999"):
        detector.update_many(np.r_[np.ones(999), bad])
    assert (detector.n, detector.width) == (2, 2)


def test_update_takes_numpy_and_integer_scalars() -> None:
    detector = ADWIN()
    for x in (1, np.int64(2), np.float32(3.5), 4.0):
        detector.update(x)
    assert (detector.n, detector.width, detector.estimation) == (4, 4, 10.5 / 4)


# -- detection and false alarms -------------------------------------------------------------


def run_lengths(detector: ADWIN, make: str, runs: int, seed: int) -> np.ndarray:
    """The first ``runs`` numbers of values between false alarms (the first from the start)."""
    rng = np.random.default_rng(seed)
    lengths: list[int] = []
    seen, last = 0, -1
    while len(lengths) < runs:
        chunk = rng.normal(size=200_000) if make == "normal" else rng.random(200_000) < 0.1
        for alarm in detector.update_many(chunk).tolist():
            lengths.append(seen + alarm - last)
            last = seen + alarm
        seen += chunk.size
    return np.array(lengths[:runs])


def assert_mean_at_least(lengths: np.ndarray, claim: float) -> None:
    standard_error = lengths.std(ddof=1) / math.sqrt(lengths.size)
    z = (lengths.mean() - claim) / standard_error
    assert z > -Z_0001, f"mean run {lengths.mean():.0f} ± {standard_error:.0f} < {claim}"


@pytest.mark.parametrize("make", ["normal", "bernoulli"])
def test_mean_run_length_is_at_least_ert(make: str) -> None:
    lengths = run_lengths(ADWIN(ert=500), make, runs=30, seed=11)
    assert_mean_at_least(lengths, 500)


@pytest.mark.parametrize(
    ("delta", "make", "seed"),
    [
        pytest.param(0.3, "normal", 21, id="delta=0.3-normal"),
        pytest.param(0.3, "bernoulli", 22, id="delta=0.3-bernoulli"),
        pytest.param(0.05, "normal", 23, id="delta=0.05-normal"),
    ],
)
def test_mean_run_length_is_at_least_clock_over_delta(delta: float, make: str, seed: int) -> None:
    lengths = run_lengths(ADWIN(delta=delta), make, runs=40, seed=seed)
    assert_mean_at_least(lengths, 32 / delta)


@pytest.mark.parametrize(
    ("shift", "most"),
    [pytest.param(1.0, 60, id="shift=1sd"), pytest.param(0.5, 150, id="shift=0.5sd")],
)
def test_detection_delay_on_a_mean_shift(shift: float, most: float) -> None:
    """Mean delay over 100 runs (10,000 values before the shift) at the default delta."""
    rng = np.random.default_rng(17)
    delays = []
    for _ in range(100):
        stream = rng.normal(size=12_000)
        stream[10_000:] += shift
        alarms = ADWIN().update_many(stream)
        after = alarms[alarms >= 10_000]
        assert after.size, "the shift was missed"
        delays.append(after[0] - 10_000 + 1)
    assert np.mean(delays) <= most
