"""Tests of shiftwatch.detectors.error_rate: the Bernoulli CUSUM on prediction errors.

Calibration and delays are checked by simulation with stated seeds. Under control the mean
run length between false alarms must not be below ``ert``: the measured mean is accepted
unless a one-sided z-test says, at the 0.001 level (z < -3.09), that the true mean is below
``ert``. It must also match the Markov-chain ``arl0`` within 4 standard errors, and the
measured delay at a stated rise must match the Markov-chain ``arl(rate)`` within 4 standard
errors (a correct implementation fails either about once in 16,000 seeds).
"""

import doctest
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiftwatch.detectors import error_rate
from shiftwatch.detectors.error_rate import BernoulliCUSUM, average_run_length
from shiftwatch.errors import InvalidParameterError

Z_ONE_SIDED_0_001 = 3.090
CHUNK = 1 << 20


def simulated_run_lengths(
    detector: BernoulliCUSUM, rate: float, runs: int, rng: np.random.Generator
) -> np.ndarray:
    """Feed values with error rate ``rate`` until ``runs`` alarms; the values per alarm."""
    detector.reset()
    lengths: list[np.ndarray] = []
    collected, last, offset = 0, -1, 0
    while collected < runs:
        alarms = detector.update_many(rng.random(CHUNK) < rate) + offset
        gaps = np.diff(np.concatenate([[last], alarms]))
        lengths.append(gaps)
        collected += gaps.size
        last = int(alarms[-1]) if alarms.size else last
        offset += CHUNK
    return np.concatenate(lengths)[:runs]


def mean_and_error(lengths: np.ndarray) -> tuple[float, float]:
    return float(lengths.mean()), float(lengths.std(ddof=1) / math.sqrt(lengths.size))


def dense_average_run_length(rate: float, up: int, down: int, states: int) -> float:
    """The same chain solved densely, built one transition at a time (an independent oracle)."""
    chain = np.zeros((states, states))
    for state in range(states):
        if state + up < states:
            chain[state, state + up] += rate
        chain[state, max(state - down, 0)] += 1 - rate
    return float(np.linalg.solve(np.eye(states) - chain, np.ones(states))[0])


def survival_average_run_length(rate: float, up: int, down: int, states: int) -> float:
    """Sum of P(run length > t) by pushing the state distribution forward (another oracle)."""
    distribution = np.zeros(states)
    distribution[0] = 1.0
    total = 0.0
    while distribution.sum() > 1e-13:
        total += distribution.sum()
        moved = np.zeros(states)
        moved[up:] += rate * distribution[: states - up]
        np.add.at(moved, np.maximum(np.arange(states) - down, 0), (1 - rate) * distribution)
        distribution = moved
    return total


# --- the Markov chain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "up", "down", "states"),
    [
        pytest.param(0.05, 76, 5, 300, id="p=0.05,up=76,down=5"),
        pytest.param(0.2, 70, 23, 400, id="p=0.2,up=70,down=23"),
        pytest.param(0.3, 70, 23, 400, id="p=0.3,shifted"),
        pytest.param(0.01, 80, 1, 250, id="p=0.01,down=1"),
        pytest.param(0.9, 3, 2, 17, id="p=0.9,tiny"),
    ],
)
def test_average_run_length_matches_a_dense_solve(
    rate: float, up: int, down: int, states: int
) -> None:
    expected = dense_average_run_length(rate, up, down, states)
    assert average_run_length(rate, up, down, states) == pytest.approx(expected, rel=1e-9)


def test_average_run_length_matches_the_run_length_distribution() -> None:
    expected = survival_average_run_length(0.3, 7, 3, 40)
    assert average_run_length(0.3, 7, 3, 40) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("states", [1, 5, 9])
def test_below_one_errors_worth_every_error_is_an_alarm(states: int) -> None:
    assert average_run_length(0.04, 9, 1, states) == pytest.approx(25.0, rel=1e-12)
    assert average_run_length(0.0, 9, 1, states) == math.inf


@pytest.mark.parametrize(
    ("expected_rate", "ert"),
    [
        pytest.param(0.05, 1_000, id="p0=0.05,ert=1000"),
        pytest.param(0.2, 10_000, id="p0=0.2,ert=10000"),
        pytest.param(0.003, 50_000, id="p0=0.003,ert=50000"),
    ],
)
def test_threshold_is_the_smallest_reaching_ert(expected_rate: float, ert: float) -> None:
    detector = BernoulliCUSUM(expected_rate, ert=ert)
    below = average_run_length(expected_rate, detector._up, detector._down, detector._states - 1)
    assert below < ert <= detector.arl0
    assert detector.arl0 < 1.02 * ert  # one unit above the smallest threshold is not far off


def test_ert_below_one_over_the_rate_alarms_at_every_error() -> None:
    detector = BernoulliCUSUM(0.01, ert=50)
    assert detector.arl0 == pytest.approx(100.0)
    stream = np.zeros(500)
    stream[[3, 40, 41, 300]] = 1
    assert detector.update_many(stream).tolist() == [3, 40, 41, 300]


def test_increments_are_the_log_likelihood_ratio_within_the_stated_rounding() -> None:
    for expected_rate, rate_ratio in [(0.05, 1.5), (0.2, 2.0), (0.001, 1.5), (0.6, 1.6)]:
        detector = BernoulliCUSUM(expected_rate, rate_ratio=rate_ratio, threshold=5.0)
        p0, p1 = expected_rate, expected_rate * rate_ratio
        gamma = math.log((1 - p0) / (1 - p1)) / math.log(p1 * (1 - p0) / (p0 * (1 - p1)))
        rounded = detector._down / (detector._up + detector._down)
        assert rounded == pytest.approx(gamma, rel=error_rate.ROUNDING)
        error_step = math.log(p1 / p0) + math.log((1 - p0) / (1 - p1))
        assert (detector._up + detector._down) * detector._unit == pytest.approx(error_step)


def test_statistic_is_the_textbook_recursion_in_log_likelihood_ratio() -> None:
    detector = BernoulliCUSUM(0.1, threshold=1e6)  # never alarms here
    rng = np.random.default_rng(3)
    stream = rng.random(3_000) < np.repeat([0.1, 0.3, 0.05], 1_000)
    unit = detector._unit
    statistic = 0.0
    for x in stream:
        statistic = max(0.0, statistic + (detector._up * unit if x else -detector._down * unit))
        detector.update(x)
        assert detector.statistic == pytest.approx(statistic, rel=1e-9, abs=1e-9)


# --- calibration and delays by simulation ---------------------------------------------------


@pytest.mark.parametrize(
    ("expected_rate", "ert", "runs", "seed"),
    [
        pytest.param(0.05, 1_000, 4_000, 101, id="p0=0.05,ert=1000"),
        pytest.param(0.2, 1_000, 4_000, 102, id="p0=0.2,ert=1000"),
        pytest.param(0.05, 10_000, 1_500, 103, id="p0=0.05,ert=10000"),
        pytest.param(0.2, 10_000, 1_500, 104, id="p0=0.2,ert=10000"),
    ],
)
def test_mean_run_length_under_control_is_at_least_ert(
    expected_rate: float, ert: float, runs: int, seed: int
) -> None:
    detector = BernoulliCUSUM(expected_rate, ert=ert)
    lengths = simulated_run_lengths(detector, expected_rate, runs, np.random.default_rng(seed))
    mean, error = mean_and_error(lengths)
    assert (mean - ert) / error > -Z_ONE_SIDED_0_001, f"mean run length {mean:.0f} < {ert}"
    assert abs(mean - detector.arl0) <= 4 * error, f"{mean:.0f} vs {detector.arl0:.0f}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("expected_rate", "ert", "runs", "seed"),
    [
        pytest.param(0.01, 10_000, 3_000, 105, id="p0=0.01,ert=10000"),
        pytest.param(0.05, 100_000, 500, 106, id="p0=0.05,ert=100000"),
    ],
)
def test_mean_run_length_under_control_is_at_least_ert_slow(
    expected_rate: float, ert: float, runs: int, seed: int
) -> None:
    test_mean_run_length_under_control_is_at_least_ert(expected_rate, ert, runs, seed)


@pytest.mark.parametrize(
    ("expected_rate", "rise", "seed"),
    [
        pytest.param(0.05, 1.5, 201, id="p0=0.05,+50%"),
        pytest.param(0.05, 2.0, 202, id="p0=0.05,x2"),
        pytest.param(0.2, 1.5, 203, id="p0=0.2,+50%"),
        pytest.param(0.2, 2.0, 204, id="p0=0.2,x2"),
    ],
)
def test_delay_from_a_fresh_start_matches_the_markov_chain(
    expected_rate: float, rise: float, seed: int
) -> None:
    detector = BernoulliCUSUM(expected_rate, ert=10_000)
    rate = expected_rate * rise
    lengths = simulated_run_lengths(detector, rate, 4_000, np.random.default_rng(seed))
    mean, error = mean_and_error(lengths)
    assert abs(mean - detector.arl(rate)) <= 4 * error, f"{mean:.1f} vs {detector.arl(rate):.1f}"


@pytest.mark.parametrize(
    ("expected_rate", "rise", "seed"),
    [
        pytest.param(0.05, 1.5, 301, id="p0=0.05,+50%"),
        pytest.param(0.05, 2.0, 302, id="p0=0.05,x2"),
    ],
)
def test_delay_after_a_shift_in_a_running_stream_is_at_most_the_fresh_start_delay(
    expected_rate: float, rise: float, seed: int
) -> None:
    # 2,000 in-control values, then the rise; runs with a false alarm before it are dropped.
    # The statistic is >= 0 at the shift, so the delay cannot be longer than from zero.
    detector = BernoulliCUSUM(expected_rate, ert=10_000)
    rng = np.random.default_rng(seed)
    rate, before, after = (
        expected_rate * rise,
        2_000,
        20 * round(detector.arl(expected_rate * rise)),
    )
    delays = []
    for _ in range(1_000):
        detector.reset()
        alarms = detector.update_many(
            np.concatenate([rng.random(before) < expected_rate, rng.random(after) < rate])
        )
        if alarms.size and alarms[0] >= before:
            delays.append(alarms[0] - before + 1)
    mean, error = mean_and_error(np.array(delays, dtype=float))
    assert len(delays) >= 750
    assert mean <= detector.arl(rate) + Z_ONE_SIDED_0_001 * error
    assert mean >= 0.5 * detector.arl(rate)


# --- update versus update_many ------------------------------------------------------------------


@st.composite
def streams_in_chunks(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    segments = draw(
        st.lists(st.tuples(st.integers(0, 600), st.sampled_from([0.0, 0.02, 0.1, 0.3, 1.0])),
                 min_size=1, max_size=6)
    )  # fmt: skip
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    stream = np.concatenate([rng.random(n) < rate for n, rate in segments])
    cuts = sorted(draw(st.lists(st.integers(0, stream.size), max_size=12)))
    return stream, [b - a for a, b in zip([0, *cuts], [*cuts, stream.size], strict=True)]


DETECTORS = [
    BernoulliCUSUM(0.05, ert=300),
    BernoulliCUSUM(0.1, rate_ratio=2.0, threshold=2.5),
    BernoulliCUSUM(0.01, ert=2_000),
]


@settings(max_examples=150, deadline=None, database=None)
@given(data=streams_in_chunks(), which=st.integers(0, len(DETECTORS) - 1))
def test_update_many_in_chunks_gives_the_alarms_of_repeated_update(
    data: tuple[np.ndarray, list[int]], which: int
) -> None:
    stream, chunks = data
    one, many = pickle.loads(pickle.dumps(DETECTORS[which])), DETECTORS[which]
    one.reset()
    many.reset()
    expected = []
    for position, x in enumerate(stream.tolist()):
        one.update(x)
        if one.drift_detected:
            expected.append(position)
    found, start = [], 0
    for size in chunks:
        found.extend((many.update_many(stream[start : start + size]) + start).tolist())
        start += size
        if size:
            assert many.drift_detected == (bool(found) and found[-1] == start - 1)
    assert found == expected
    assert (many.n, many.statistic) == (one.n, one.statistic)


def test_long_stream_whole_and_in_chunks_and_one_by_one_agree() -> None:
    # longer than the first vectorised block, with a rise, a fall and a sustained doubling
    rng = np.random.default_rng(11)
    rates = np.repeat([0.05, 0.1, 0.02, 0.05, 0.2], [20_000, 5_000, 10_000, 5_000, 2_000])
    stream = (rng.random(rates.size) < rates).astype(np.int8)
    whole = BernoulliCUSUM(0.05, ert=2_000)
    alarms = whole.update_many(stream)
    chunked = BernoulliCUSUM(0.05, ert=2_000)
    cuts = np.sort(rng.integers(0, stream.size, 40))
    pieces = np.split(stream, cuts)
    offsets = np.concatenate([[0], cuts])
    together = np.concatenate(
        [chunked.update_many(p) + o for p, o in zip(pieces, offsets, strict=True)]
    )
    single = BernoulliCUSUM(0.05, ert=2_000)
    one_by_one = []
    for position, x in enumerate(stream.tolist()):
        single.update(x)
        if single.drift_detected:
            one_by_one.append(position)
    assert alarms.tolist() == together.tolist() == one_by_one
    assert whole.statistic == chunked.statistic == single.statistic
    assert alarms.size > 20  # the shifts were found


def test_booleans_and_integers_are_accepted() -> None:
    values = [True, False, True, True]
    detector = BernoulliCUSUM(0.2, threshold=1.0)
    assert detector.update_many(values).tolist() == detector.update_many([1, 0, 1, 1]).tolist()
    assert detector.update_many(np.array([], dtype=bool)).size == 0


# --- parameters, inputs, state ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"expected_rate": 0.0, "ert": 100}, "'expected_rate'", id="rate=0"),
        pytest.param({"expected_rate": 1.0, "ert": 100}, "'expected_rate'", id="rate=1"),
        pytest.param({"expected_rate": True, "ert": 100}, "'expected_rate'", id="rate=True"),
        pytest.param({"expected_rate": "0.1", "ert": 100}, "'expected_rate'", id="rate=str"),
        pytest.param({"expected_rate": math.nan, "ert": 100}, "'expected_rate'", id="rate=nan"),
        pytest.param({"expected_rate": 0.1, "rate_ratio": 1.0, "ert": 100}, "'rate_ratio'",
                     id="ratio=1"),
        pytest.param({"expected_rate": 0.5, "rate_ratio": 2.0, "ert": 100}, "'rate_ratio'",
                     id="p1=1"),
        pytest.param({"expected_rate": 0.1}, "exactly one", id="neither"),
        pytest.param({"expected_rate": 0.1, "ert": 100, "threshold": 2.0}, "exactly one",
                     id="both"),
        pytest.param({"expected_rate": 0.1, "ert": 1}, "'ert'", id="ert=1"),
        pytest.param({"expected_rate": 0.1, "ert": math.inf}, "'ert'", id="ert=inf"),
        pytest.param({"expected_rate": 0.1, "threshold": 0.0}, "'threshold'", id="threshold=0"),
        pytest.param({"expected_rate": 0.1, "threshold": math.nan}, "'threshold'",
                     id="threshold=nan"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_by_name(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message) as caught:
        BernoulliCUSUM(**kwargs)  # type: ignore[arg-type]
    assert "BernoulliCUSUM" in str(caught.value)


def test_message_names_the_rule_and_the_value() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        BernoulliCUSUM(1.5, ert=100)
    assert str(caught.value) == (
        "The 'expected_rate' parameter of BernoulliCUSUM must be a float in (0, 1). "
        "Got 1.5 instead."
    )


def test_a_chain_too_large_to_solve_is_refused_with_advice() -> None:
    with pytest.raises(InvalidParameterError, match="Give 'threshold' instead"):
        BernoulliCUSUM(1e-6, ert=1e9)
    assert BernoulliCUSUM(1e-6, threshold=10.0).threshold == 10.0


@pytest.mark.parametrize(
    ("values", "position", "shown"),
    [
        pytest.param([0, 1, 0.5], 2, "0.5", id="half"),
        pytest.param([2, 0], 0, "2.0", id="two"),
        pytest.param([0, 0, 0, -1], 3, "-1.0", id="minus-one"),
        pytest.param([0, np.nan], 1, ".*nan", id="nan"),  # refused by the base class
    ],
)
def test_values_other_than_0_and_1_are_refused_with_position(
    values: list[float], position: int, shown: str
) -> None:
    detector = BernoulliCUSUM(0.1, threshold=2.0)
    detector.update_many([1, 1])
    before = (detector.n, detector.statistic)
    with pytest.raises(InvalidParameterError, match=f"position {position} is {shown}"):
        detector.update_many(values)
    with pytest.raises(InvalidParameterError):
        detector.update(values[position])
    assert (detector.n, detector.statistic) == before


def test_bad_rate_for_arl_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="'rate'"):
        BernoulliCUSUM(0.1, ert=100).arl(1.5)


def test_reset_forgets_the_stream_but_keeps_the_configuration() -> None:
    stream = np.random.default_rng(5).random(5_000) < 0.15
    detector = BernoulliCUSUM(0.1, ert=500)
    first = detector.update_many(stream)
    detector.update_many([1, 1, 1])
    detector.reset()
    assert (detector.n, detector.statistic, detector.drift_detected) == (0, 0.0, False)
    assert detector.update_many(stream).tolist() == first.tolist()
    assert detector.expected_rate == 0.1 and detector.ert == 500


def test_threshold_given_directly_matches_the_one_from_ert() -> None:
    from_ert = BernoulliCUSUM(0.05, ert=5_000)
    direct = BernoulliCUSUM(0.05, threshold=from_ert.threshold)
    assert direct.threshold == from_ert.threshold
    assert direct.arl0 == pytest.approx(from_ert.arl0, rel=1e-12)
    assert direct.ert is None


def test_repr_and_pickle() -> None:
    detector = BernoulliCUSUM(0.05, ert=1_000)
    detector.update_many([1, 0, 1])
    assert repr(detector) == "BernoulliCUSUM(expected_rate=0.05, rate_ratio=1.5, ert=1000, n=3)"
    copy = pickle.loads(pickle.dumps(detector))
    assert (copy.n, copy.statistic, copy.threshold) == (3, detector.statistic, detector.threshold)
    assert "threshold=2.0" in repr(BernoulliCUSUM(0.05, threshold=2.0))


def test_docstring_example_runs() -> None:
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(error_rate):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert ">>>" in (BernoulliCUSUM.__doc__ or "")
