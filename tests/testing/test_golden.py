import json

import numpy as np
import pytest

from shiftwatch.errors import FormatError, InvalidParameterError, NoDataError
from shiftwatch.testing import GoldenFile, GoldenMetric, bootstrap_interval
from shiftwatch.testing.golden import read_golden, write_golden


def accuracy(truth, predicted):
    return float(np.mean(truth == predicted))


def predictions(n: int, correct: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 5, n)
    right = rng.permutation(n) < round(correct * n)
    return truth, np.where(right, truth, (truth + 1) % 5)


def test_the_bootstrap_interval_matches_the_binomial_standard_error():
    truth, predicted = predictions(2000, 0.9)
    metric = bootstrap_interval(accuracy, truth, predicted, resamples=2000, seed=1)
    assert metric.value == 0.9
    half_width = 1.96 * np.sqrt(0.9 * 0.1 / 2000)  # the normal approximation
    assert metric.low == pytest.approx(0.9 - half_width, abs=0.003)
    assert metric.high == pytest.approx(0.9 + half_width, abs=0.003)
    assert (metric.n, metric.resamples, metric.seed, metric.confidence) == (2000, 2000, 1, 0.95)


def test_the_interval_is_the_same_for_a_seed_and_narrower_with_more_examples():
    small = predictions(200, 0.8)
    large = predictions(5000, 0.8)
    first = bootstrap_interval(accuracy, *small, seed=3)
    assert bootstrap_interval(accuracy, *small, seed=3) == first
    assert bootstrap_interval(accuracy, *small, seed=4) != first
    wide = first.high - first.low
    narrow = bootstrap_interval(accuracy, *large, seed=3)
    assert narrow.high - narrow.low < wide / 3


def test_rows_are_resampled_together():
    truth = np.arange(100)
    # Any resample of matching rows is perfectly accurate: the interval has no width.
    metric = bootstrap_interval(accuracy, truth, truth.copy(), resamples=50)
    assert (metric.low, metric.value, metric.high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("arguments", "options", "error", "message"),
    [
        pytest.param((), {}, NoDataError, "needs the data", id="no-data"),
        pytest.param(([1, 2], [1]), {}, NoDataError, r"different lengths: \[2, 1\]", id="lengths"),
        pytest.param(([1], [1]), {}, NoDataError, "at least 2 examples; got 1", id="one-row"),
        pytest.param(
            ([1, 2],), {"confidence": 1.0}, InvalidParameterError, "'confidence'", id="confidence"
        ),
        pytest.param(
            ([1, 2],), {"resamples": 5}, InvalidParameterError, "'resamples'", id="resamples"
        ),
    ],
)
def test_bad_bootstrap_calls_are_named(arguments, options, error, message):
    with pytest.raises(error, match=message):
        bootstrap_interval(lambda *a: 1.0, *arguments, **options)


@pytest.mark.parametrize(
    ("value", "better", "accepted"),
    [
        pytest.param(0.85, None, True, id="low-bound-included"),
        pytest.param(0.95, None, True, id="high-bound-included"),
        pytest.param(0.849, None, False, id="below"),
        pytest.param(0.951, None, False, id="above"),
        pytest.param(0.99, "higher", True, id="improvement-higher-is-better"),
        pytest.param(0.84, "higher", False, id="regression-higher-is-better"),
        pytest.param(0.5, "lower", True, id="improvement-lower-is-better"),
        pytest.param(0.96, "lower", False, id="regression-lower-is-better"),
        pytest.param(float("nan"), None, False, id="nan"),
    ],
)
def test_the_comparison_rule(value, better, accepted):
    golden = GoldenMetric(0.9, 0.85, 0.95, 0.95, 100, 1000, 0)
    assert golden.accepts(value, better) is accepted


def test_record_then_check_then_fail_with_the_interval_and_the_new_value(tmp_path):
    path = tmp_path / "golden.json"
    truth, predicted = predictions(500, 0.9)
    recorder = GoldenFile(path, update=True)
    recorded = recorder.check("accuracy", accuracy, truth, predicted)
    recorder.save()
    assert read_golden(path) == {"accuracy": GoldenMetric.from_dict(recorded.to_dict())}

    checker = GoldenFile(path)
    assert checker.check("accuracy", accuracy, truth, predicted).value == 0.9
    worse_truth, worse = predictions(500, 0.8)
    with pytest.raises(AssertionError) as failure:
        checker.check("accuracy", accuracy, worse_truth, worse)
    message = str(failure.value)
    golden = read_golden(path)["accuracy"]
    assert message.startswith(
        f"Metric 'accuracy' = 0.8 is outside its golden interval [{golden.low:.4g}, "
        f"{golden.high:.4g}] (golden value 0.9 ["
    )
    assert f"in {path}). If the change is intended, record it with: pytest " in message
    assert message.endswith("--shiftwatch-update-golden")
    with pytest.raises(AssertionError, match="is below its golden interval"):
        checker.check("accuracy", accuracy, worse_truth, worse, better="higher")
    better_truth, better = predictions(500, 0.99)
    assert checker.check("accuracy", accuracy, better_truth, better, better="higher").value == 0.99


def test_a_missing_metric_or_file_says_how_to_record_it(tmp_path):
    truth, predicted = predictions(100, 0.9)
    with pytest.raises(
        AssertionError, match=r"does not exist: no metric 'accuracy' \(new value 0.9 \["
    ):
        GoldenFile(tmp_path / "absent.json").check("accuracy", accuracy, truth, predicted)
    write_golden(tmp_path / "g.json", {"other": GoldenMetric(1, 0, 2, 0.95, 10, 100, 0)})
    with pytest.raises(
        AssertionError, match=r"has no metric 'accuracy'.*pytest --shiftwatch-update-golden"
    ):
        GoldenFile(tmp_path / "g.json").check("accuracy", accuracy, truth, predicted)


def test_save_keeps_metrics_recorded_by_others_and_rounds_outwards(tmp_path):
    path = tmp_path / "g.json"
    write_golden(path, {"kept": GoldenMetric(1.0, 0.5, 1.5, 0.95, 10, 100, 0)})
    recorder = GoldenFile(path, update=True)
    recorder.check("accuracy", accuracy, *predictions(300, 0.77))
    recorder.save()
    document = json.loads(path.read_text())
    assert sorted(document["metrics"]) == ["accuracy", "kept"]
    exact = recorder.recorded["accuracy"]
    saved = document["metrics"]["accuracy"]
    assert saved["low"] <= exact.low and saved["high"] >= exact.high
    assert len(repr(saved["high"]).replace("0.", "")) <= 6


def test_update_mode_refuses_a_non_finite_value(tmp_path):
    with pytest.raises(AssertionError, match="Metric 'loss' is nan: not recorded"):
        GoldenFile(tmp_path / "g.json", update=True).check("loss", lambda t: float("nan"), [1, 2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{", "Cannot read the golden metrics", id="not-json"),
        pytest.param(
            '{"format": "other"}', "is not a shiftwatch golden metrics file", id="other-format"
        ),
        pytest.param(
            '{"format": "shiftwatch.golden", "version": 9, "metrics": {}}',
            "format version 9",
            id="newer",
        ),
        pytest.param(
            '{"format": "shiftwatch.golden", "version": 1, "metrics": {"a": {"value": 1}}}',
            "are damaged",
            id="damaged",
        ),
        pytest.param(
            '{"format": "shiftwatch.golden", "version": 1, "metrics": {"a": {"value": 1, "low": 2, '
            '"high": 0, "confidence": 0.95, "n": 2, "resamples": 10, "seed": 0}}}',
            "low 2.0 > high 0.0",
            id="inverted-interval",
        ),
    ],
)
def test_a_bad_golden_file_is_named(tmp_path, content, message):
    (tmp_path / "g.json").write_text(content)
    with pytest.raises(FormatError, match=message):
        GoldenFile(tmp_path / "g.json")
