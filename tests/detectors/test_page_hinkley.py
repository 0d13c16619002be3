"""PageHinkley: river's detector as oracle (transcribed), its ERT table, delay for a shift.

The transcription below is river 0.26.1's ``drift.PageHinkley.update`` line by line; it gave
the same alarms as river itself on 300 random streams (8,945 alarms) with random parameters.
ERTs are checked against the table in the module docstring: run lengths are close to
exponential, so the number of alarms over ``n`` values is close to Poisson with mean
``n / ERT``; the tolerance (5%) is more than 3 standard errors of simulation and table.
"""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.detectors.page_hinkley import PageHinkley
from shiftwatch.errors import InvalidParameterError
from tests.detectors.streams import alarms_in_chunks, alarms_one_by_one, shifted_streams

LAWS = settings(max_examples=80, deadline=None, database=None)


def river_page_hinkley(
    stream: np.ndarray, *, delta: float, threshold: float, alpha: float, min_n: int, mode: str
) -> list[int]:
    """river 0.26.1's drift.PageHinkley, one value at a time: the alarm positions."""
    alarms = []
    n, mean, up, down, low, high, detected = 0.0, 0.0, 0.0, 0.0, math.inf, -1.0, False
    for i, x in enumerate(stream.tolist()):
        if detected:
            n, mean, up, down, low, high, detected = 0.0, 0.0, 0.0, 0.0, math.inf, -1.0, False
        n += 1.0
        mean += (1.0 / n) * (x - mean)
        deviation = x - mean
        up = alpha * up + deviation - delta
        down = alpha * down + deviation + delta
        low, high = min(low, up), max(high, down)
        if n >= min_n:
            rise, fall = up - low, high - down
            if mode == "up":
                detected = rise > threshold
            elif mode == "down":
                detected = fall > threshold
            else:
                detected = rise > threshold or fall > threshold
            if detected:
                alarms.append(i)
    return alarms


@st.composite
def detectors(draw: st.DrawFn) -> PageHinkley:
    return PageHinkley(
        delta=draw(st.sampled_from([0.0, 0.005, 0.5])),
        threshold=draw(st.sampled_from([0.5, 2.0, 5.0, 20.0])),
        alpha=draw(st.sampled_from([1.0, 1 - 0.0001, 0.9])),
        min_n=draw(st.integers(1, 40)),
        mode=draw(st.sampled_from(["up", "down", "both"])),
    )


# --- law: update_many is repeated update --------------------------------------------------------


@LAWS
@given(shifted_streams(), detectors(), st.lists(st.integers(0, 10_000), max_size=6))
def test_update_many_in_any_chunks_gives_the_alarms_of_update(
    stream: np.ndarray, detector: PageHinkley, cuts: list[int]
) -> None:
    whole = pickle.loads(pickle.dumps(detector)).update_many(stream).tolist()
    chunked_detector = pickle.loads(pickle.dumps(detector))
    chunked = alarms_in_chunks(chunked_detector, stream, cuts)
    one_by_one = alarms_one_by_one(detector, stream)
    assert whole == chunked == one_by_one
    assert chunked_detector.statistic == detector.statistic
    assert chunked_detector.drift_detected == detector.drift_detected
    assert chunked_detector.n == detector.n == stream.size


# --- oracle: river ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parameters",
    [
        pytest.param({}, id="defaults"),
        pytest.param({"threshold": 20.0}, id="threshold=20"),
        pytest.param({"threshold": 5.0, "mode": "up"}, id="up"),
        pytest.param({"threshold": 5.0, "mode": "down", "min_n": 1}, id="down,min_n=1"),
        pytest.param({"threshold": 8.0, "alpha": 1.0, "delta": 0.0}, id="alpha=1,delta=0"),
        pytest.param({"threshold": 3.0, "alpha": 0.9, "delta": 0.5}, id="alpha=0.9"),
    ],
)
def test_alarms_match_river(parameters: dict) -> None:
    rng = np.random.default_rng(21)
    stream = 40.0 + rng.normal(size=60_000)
    stream[20_000:30_000] += 1.0
    stream[40_000:] -= 0.5
    detector = PageHinkley(**parameters)
    expected = river_page_hinkley(
        stream,
        delta=detector.delta,
        threshold=detector.threshold,
        alpha=detector.alpha,
        min_n=detector.min_n,
        mode=detector.mode,
    )
    assert len(expected) >= 3
    assert detector.update_many(stream).tolist() == expected


def test_random_parameters_match_river() -> None:
    rng = np.random.default_rng(22)
    for _ in range(40):
        stream = rng.normal(size=int(rng.integers(1, 3_000))) * rng.uniform(0.1, 5)
        stream[int(rng.integers(0, stream.size)) :] += rng.normal() * 3
        parameters = {
            "delta": float(rng.choice([0.0, 0.005, 0.1])),
            "threshold": float(rng.uniform(1, 30)),
            "alpha": float(rng.choice([1.0, 1 - 1e-4, 0.99])),
            "min_n": int(rng.integers(1, 50)),
            "mode": str(rng.choice(["up", "down", "both"])),
        }
        found = PageHinkley(**parameters).update_many(stream).tolist()
        assert found == river_page_hinkley(stream, **parameters), parameters


def test_statistic_and_direction() -> None:
    detector = PageHinkley(threshold=5.0, min_n=1, delta=0.0)
    assert detector.direction is None
    detector.update_many([0.0, 0.0, 0.0, 0.0])
    assert detector.statistic == 0.0 and not detector.drift_detected
    assert detector.update_many([10.0]).tolist() == [0] and detector.direction == "up"
    assert detector.statistic == 8.0  # 10 - the mean 2
    detector.update(10.0)  # the first value after the restart: its own mean
    assert not detector.drift_detected and detector.statistic == 0.0
    detector.reset()
    detector.update_many([0.0, 0.0, 0.0, 0.0])
    detector.update(-10.0)
    assert detector.drift_detected and detector.direction == "down"


def test_no_alarm_before_min_n_values_since_the_restart() -> None:
    stream = np.concatenate([np.zeros(5), np.full(100, 100.0)])
    alarms = PageHinkley(threshold=1.0, min_n=10).update_many(stream)
    assert alarms[0] == 9
    assert np.all(np.diff(alarms) >= 10)


# --- the ERT table and the delay ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "table_ert", "n"),
    [
        pytest.param(20.0, 248, 2_000_000, id="threshold=20"),  # ~8,000 alarms
        pytest.param(50.0, 1_593, 10_000_000, id="threshold=50"),  # ~6,300 alarms
    ],
)
def test_measured_ert_matches_the_table(threshold: float, table_ert: float, n: int) -> None:
    rng = np.random.default_rng(20261126 + int(threshold))
    detector = PageHinkley(threshold=threshold)
    alarms = sum(detector.update_many(rng.normal(size=1_000_000)).size for _ in range(n // 10**6))
    assert n / alarms == pytest.approx(table_ert, rel=0.05)


def test_ert_scales_with_the_data_when_threshold_and_delta_do() -> None:
    values = np.random.default_rng(23).normal(size=200_000)
    unit = PageHinkley(threshold=20.0).update_many(values)
    scaled = PageHinkley(threshold=20.0 * 8, delta=0.005 * 8).update_many(1e3 + 8 * values)
    assert abs(unit.size - scaled.size) <= 2  # the same up to rounding near the threshold
    assert np.mean(np.isin(unit, scaled)) > 0.99


def test_delay_for_a_one_std_shift_matches_the_table() -> None:
    rng = np.random.default_rng(24)
    delays = []
    while len(delays) < 1_000:
        detector = PageHinkley()
        if detector.update_many(rng.normal(size=200)).size:
            continue  # the table's delays are for 200 in-control values since the restart
        alarms = detector.update_many(rng.normal(loc=1.0, size=1_000))
        delays.append(int(alarms[0]) + 1)
    assert np.mean(delays) == pytest.approx(46.0, rel=0.05)  # standard error ~0.9%
    assert max(delays) < 150


# --- parameters, data, reset --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"delta": -0.1}, "delta", id="delta-negative"),
        pytest.param({"delta": math.nan}, "delta", id="delta-nan"),
        pytest.param({"threshold": 0.0}, "threshold", id="threshold-zero"),
        pytest.param({"threshold": math.inf}, "threshold", id="threshold-inf"),
        pytest.param({"threshold": "50"}, "threshold", id="threshold-str"),
        pytest.param({"alpha": 0.0}, "alpha", id="alpha-zero"),
        pytest.param({"alpha": 1.5}, "alpha", id="alpha-above-one"),
        pytest.param({"min_n": 0}, "min_n", id="min_n-zero"),
        pytest.param({"min_n": 3.0}, "min_n", id="min_n-float"),
        pytest.param({"min_n": True}, "min_n", id="min_n-bool"),
        pytest.param({"mode": "sideways"}, "mode", id="mode-unknown"),
    ],
)
def test_bad_parameters_raise_an_error_naming_them(parameters: dict, name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of PageHinkley"):
        PageHinkley(**parameters)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_raise(bad: float) -> None:
    detector = PageHinkley()
    with pytest.raises(InvalidParameterError, match="position 1"):
        detector.update_many([0.0, bad])
    with pytest.raises(InvalidParameterError, match="finite"):
        detector.update(bad)


def test_empty_input_changes_nothing() -> None:
    detector = PageHinkley()
    assert detector.update_many([]).tolist() == []
    assert detector.n == 0 and detector.statistic == 0.0


def test_reset_forgets_everything_seen() -> None:
    stream = np.random.default_rng(25).normal(size=20_000)
    detector = PageHinkley(threshold=20.0)
    first = detector.update_many(stream).tolist()
    assert first
    detector.reset()
    assert detector.n == 0 and detector.direction is None and detector.statistic == 0.0
    assert detector.update_many(stream).tolist() == first
