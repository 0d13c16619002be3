"""CUSUM: Page's recursion as oracle, published run lengths, calibration by simulation.

Calibration: in-control run lengths are close to exponential, so over ``n`` values the number
of false alarms is close to Poisson with mean ``n / ERT``. A measured ERT is accepted as at
least the configured one unless a one-sided Poisson test says, at the 0.001 level, that the
alarms are too many; and the run-length equation is accepted unless a two-sided test rejects
it at 0.001 (a correct implementation fails each about once in a thousand seeds).
"""

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from shiftwatch.detectors import cusum
from shiftwatch.detectors.cusum import CUSUM, cusum_run_length, cusum_threshold
from shiftwatch.errors import InvalidParameterError
from tests.detectors.streams import alarms_in_chunks, alarms_one_by_one, shifted_streams

LAWS = settings(max_examples=80, deadline=None, database=None)


def page_cusum(values: np.ndarray, *, mean: float, std: float, k: float, h: float) -> list:
    """Page's two-sided tabular CUSUM, one value at a time: (position, direction) of alarms."""
    up = down = 0.0
    alarms = []
    for i, x in enumerate(values.tolist()):
        u = (x - mean) / std
        up, down = max(0.0, up + u - k), max(0.0, down - u - k)
        if up > h or down > h:
            alarms.append((i, "up" if up > h else "down"))
            up = down = 0.0
    return alarms


@st.composite
def detectors(draw: st.DrawFn) -> CUSUM:
    k = draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))
    threshold = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0, 5.5]))
    if draw(st.booleans()):
        return CUSUM(mean=0.0, std=draw(st.sampled_from([0.5, 1.0, 3.0])), k=k, threshold=threshold)
    return CUSUM(warmup=draw(st.integers(2, 30)), k=k, threshold=threshold)


# --- law: update_many is repeated update --------------------------------------------------------


@LAWS
@given(shifted_streams(), detectors(), st.lists(st.integers(0, 10_000), max_size=6))
def test_update_many_in_any_chunks_gives_the_alarms_of_update(
    stream: np.ndarray, detector: CUSUM, cuts: list[int]
) -> None:
    whole = pickle.loads(pickle.dumps(detector)).update_many(stream).tolist()
    chunked_detector = pickle.loads(pickle.dumps(detector))
    chunked = alarms_in_chunks(chunked_detector, stream, cuts)
    one_by_one = alarms_one_by_one(detector, stream)
    assert whole == chunked == one_by_one
    assert chunked_detector.statistic == detector.statistic
    assert chunked_detector.drift_detected == detector.drift_detected
    assert chunked_detector.n == detector.n == stream.size


@LAWS
@given(shifted_streams(), detectors(), st.lists(st.integers(0, 10_000), max_size=6))
def test_re_basing_the_sums_changes_no_alarm_split(
    stream: np.ndarray, detector: CUSUM, cuts: list[int]
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cusum, "_BLOCK", 8)  # re-base every 8 values, windows of at most 8
        whole = pickle.loads(pickle.dumps(detector)).update_many(stream).tolist()
        chunked = alarms_in_chunks(pickle.loads(pickle.dumps(detector)), stream, cuts)
        assert whole == chunked == alarms_one_by_one(detector, stream)


# --- oracle: Page's recursion and published run lengths -----------------------------------------


@pytest.mark.parametrize(
    ("k", "h", "shift"),
    [
        pytest.param(0.5, 4.0, 0.0, id="k=0.5,h=4,in-control"),
        pytest.param(0.5, 2.0, 1.0, id="k=0.5,h=2,shifts"),
        pytest.param(0.0, 6.0, 0.3, id="k=0,h=6,shifts"),
        pytest.param(1.0, 3.0, -0.8, id="k=1,h=3,shifts-down"),
    ],
)
def test_alarms_and_directions_match_pages_recursion(k: float, h: float, shift: float) -> None:
    rng = np.random.default_rng(11)
    stream = 5.0 + 2.0 * rng.normal(size=30_000)
    stream[10_000:20_000] += 2.0 * shift
    expected = page_cusum(stream, mean=5.0, std=2.0, k=k, h=h)
    assert len(expected) > 10
    found = CUSUM(mean=5.0, std=2.0, k=k, threshold=h).update_many(stream)
    assert found.tolist() == [i for i, _ in expected]
    # Cut the stream after each alarm: the detector then shows that alarm's direction.
    detector = CUSUM(mean=5.0, std=2.0, k=k, threshold=h)
    chunks = np.split(stream, [i + 1 for i, _ in expected])
    for chunk, (_, direction) in zip(chunks, expected, strict=False):
        detector.update_many(chunk)
        assert detector.drift_detected and detector.direction == direction


def test_direction_is_the_side_that_raised_the_alarm() -> None:
    detector = CUSUM(mean=0.0, std=1.0, threshold=3.0)
    assert detector.direction is None
    detector.update_many([2.0, 2.0, 2.0])
    assert detector.drift_detected and detector.direction == "up"
    assert detector.statistic == pytest.approx(4.5)
    detector.update_many([-2.0, -2.0, -2.0])
    assert detector.drift_detected and detector.direction == "down"
    detector.update(0.0)
    assert not detector.drift_detected and detector.statistic == 0.0
    assert detector.direction == "down"  # the last alarm's, until the next one


@pytest.mark.parametrize(
    ("h", "in_control", "one_std"),
    [pytest.param(4.0, 168, 8.38, id="h=4"), pytest.param(5.0, 465, 10.4, id="h=5")],
)
def test_run_lengths_match_published_values(h: float, in_control: float, one_std: float) -> None:
    # Montgomery, Introduction to Statistical Quality Control, two-sided CUSUM with k = 1/2.
    assert cusum_run_length(h, k=0.5) == pytest.approx(in_control, rel=0.005)
    assert cusum_run_length(h, k=0.5, shift=1.0) == pytest.approx(one_std, rel=0.005)


@pytest.mark.parametrize(
    ("k", "ert"),
    [
        pytest.param(0.0, 500.0, id="k=0,ert=500"),
        pytest.param(0.25, 10.0, id="k=0.25,ert=10"),
        pytest.param(0.5, 10_000.0, id="k=0.5,ert=10000"),
        pytest.param(1.0, 1e9, id="k=1,ert=1e9"),
        pytest.param(2.0, 500.0, id="k=2,ert=500"),
    ],
)
def test_threshold_solves_the_run_length_equation(k: float, ert: float) -> None:
    h = cusum_threshold(ert, k=k)
    # the run-length equation is solved to 1e-7 relative
    assert cusum_run_length(h, k=k) == pytest.approx(ert, rel=1e-7)
    assert CUSUM(mean=0.0, std=1.0, k=k, ert=ert).threshold == h


def test_default_is_an_ert_of_ten_thousand() -> None:
    assert CUSUM().threshold == pytest.approx(cusum_threshold(10_000), rel=1e-12)
    assert CUSUM(threshold=3.0).threshold == 3.0


# --- calibration by simulation ------------------------------------------------------------------


def false_alarms(detector: CUSUM, n: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    return sum(detector.update_many(rng.normal(size=1_000_000)).size for _ in range(n // 10**6))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ert", "n"),
    [pytest.param(500, 5_000_000, id="ert=500"), pytest.param(5_000, 25_000_000, id="ert=5000")],
)
def test_measured_ert_is_at_least_the_configured_ert(ert: float, n: int) -> None:
    alarms = false_alarms(CUSUM(mean=0.0, std=1.0, ert=ert), n, seed=20261126 + ert)
    expected = n / ert  # ~10,000 and ~5,000 alarms: the measured ERT is within ~1% and ~1.4%
    too_many = stats.poisson.sf(alarms - 1, expected)
    assert too_many > 0.001, f"measured ERT {n / alarms:.0f} < {ert} ({alarms} alarms)"
    too_few = stats.poisson.cdf(alarms, expected)
    assert too_few > 0.001, f"measured ERT {n / alarms:.0f} >> {ert}: equation off"


def test_measured_ert_is_at_least_the_configured_ert_for_other_k() -> None:
    for k, seed in [(0.25, 1), (1.0, 2)]:
        alarms = false_alarms(CUSUM(mean=0.0, std=1.0, k=k, ert=200), 2_000_000, seed)
        assert stats.poisson.sf(alarms - 1, 10_000) > 0.001, (k, alarms)
        assert stats.poisson.cdf(alarms, 10_000) > 0.001, (k, alarms)


def test_delay_for_a_one_std_shift_matches_the_run_length_equation() -> None:
    # After each alarm both sums restart at 0, so on a shifted stream the gaps between alarms
    # are independent zero-state delays: ~6,000 of them, the mean within ~0.6%.
    detector = CUSUM(mean=0.0, std=1.0, ert=10_000)
    alarms = detector.update_many(np.random.default_rng(3).normal(loc=1.0, size=100_000))
    delays = np.diff(np.concatenate([[-1], alarms]))
    expected = cusum_run_length(detector.threshold, k=0.5, shift=1.0)  # 16.48
    assert delays.mean() == pytest.approx(expected, rel=0.03)
    assert delays.mean() < 17.5


# --- estimated level ----------------------------------------------------------------------------


def test_warmup_estimates_the_level_and_raises_no_alarm() -> None:
    rng = np.random.default_rng(4)
    warmup = 10.0 + 3.0 * rng.normal(size=2_000)
    warmup[[100, 500]] = [1e3, -1e3]  # would alarm at once against the true level
    detector = CUSUM(warmup=2_000)
    assert detector.update_many(warmup).size == 0
    assert detector.n == 2_000 and detector.level is not None
    mean, std = detector.level
    assert (mean, std) == (pytest.approx(warmup.mean()), pytest.approx(warmup.std(ddof=1)))
    assert detector.update_many(10.0 + 3.0 * rng.normal(size=1_000)).size == 0
    shifted = detector.update_many(10.0 + std + 3.0 * rng.normal(size=1_000))
    assert shifted.size > 0 and detector.direction == "up"


def test_warmup_split_across_calls_gives_the_same_level() -> None:
    values = np.random.default_rng(5).normal(size=300)
    whole, split = CUSUM(warmup=200), CUSUM(warmup=200)
    whole.update_many(values)
    for chunk in np.array_split(values, 9):
        split.update_many(chunk)
    assert whole.level == split.level


def test_a_known_mean_with_an_estimated_std() -> None:
    detector = CUSUM(mean=100.0, warmup=50)
    detector.update_many(np.full(50, 102.0) + np.random.default_rng(6).normal(size=50))
    assert detector.level is not None
    assert detector.level[0] == 100.0 and 0.5 < detector.level[1] < 1.5


def test_a_warmup_without_spread_alarms_at_any_change() -> None:
    detector = CUSUM(warmup=10)
    detector.update_many(np.full(10, 3.0))
    assert detector.update_many(np.full(100, 3.0)).size == 0
    assert detector.update_many([3.001]).tolist() == [0]


# --- parameters, data, reset --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "name"),
    [
        pytest.param({"mean": math.nan}, "mean", id="mean-nan"),
        pytest.param({"mean": "0"}, "mean", id="mean-str"),
        pytest.param({"std": 0.0}, "std", id="std-zero"),
        pytest.param({"std": -1.0}, "std", id="std-negative"),
        pytest.param({"warmup": 1}, "warmup", id="warmup-one"),
        pytest.param({"warmup": 10.0}, "warmup", id="warmup-float"),
        pytest.param({"k": -0.1}, "k", id="k-negative"),
        pytest.param({"k": math.inf}, "k", id="k-inf"),
        pytest.param({"threshold": 0.0}, "threshold", id="threshold-zero"),
        pytest.param({"threshold": True}, "threshold", id="threshold-bool"),
        pytest.param({"threshold": 4.0, "ert": 500}, "threshold", id="threshold-and-ert"),
        pytest.param({"ert": 1.0}, "ert", id="ert-below-h-zero"),
        pytest.param({"ert": math.inf}, "ert", id="ert-inf"),
        pytest.param({"ert": 1e12}, "ert", id="ert-too-large"),
        pytest.param({"k": 0.0, "ert": 1e6}, "ert", id="ert-unreachable"),
    ],
)
def test_bad_parameters_raise_an_error_naming_them(parameters: dict, name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of CUSUM"):
        CUSUM(**parameters)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_raise(bad: float) -> None:
    detector = CUSUM(mean=0.0, std=1.0)
    with pytest.raises(InvalidParameterError, match="position 2"):
        detector.update_many([0.0, 1.0, bad])
    with pytest.raises(InvalidParameterError, match="finite"):
        detector.update(bad)


def test_empty_input_changes_nothing() -> None:
    detector = CUSUM(mean=0.0, std=1.0)
    assert detector.update_many([]).tolist() == []
    assert detector.n == 0 and detector.statistic == 0.0


def test_reset_forgets_the_sums_and_the_estimated_level() -> None:
    stream = np.random.default_rng(8).normal(loc=0.4, size=5_000)
    detector = CUSUM(warmup=100, threshold=3.0)
    first = detector.update_many(stream).tolist()
    detector.reset()
    assert detector.n == 0 and detector.level is None and detector.direction is None
    assert detector.update_many(stream).tolist() == first
