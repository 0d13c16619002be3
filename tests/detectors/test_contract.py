"""The contract every detector in shiftwatch.detectors.DETECTORS keeps."""

import pickle
import sys
from collections.abc import Callable

import numpy as np
import pytest

from shiftwatch.detectors import ADWIN, CUSUM, DETECTORS, BernoulliCUSUM, Detector, PageHinkley
from shiftwatch.errors import InvalidParameterError

MAKERS: dict[type, Callable[[], Detector]] = {
    ADWIN: lambda: ADWIN(delta=0.01),
    BernoulliCUSUM: lambda: BernoulliCUSUM(0.1, ert=500),
    CUSUM: lambda: CUSUM(mean=0.0, std=1.0, ert=500),
    PageHinkley: lambda: PageHinkley(threshold=20.0),
}


def _stream(cls: type) -> np.ndarray:
    rng = np.random.default_rng(2026)
    if cls is BernoulliCUSUM:
        return (rng.random(6_000) < np.repeat([0.1, 0.3, 0.1], 2_000)).astype(float)
    return rng.normal(np.repeat([0.0, 1.5, 0.0], 2_000))


PARAMS = [pytest.param(cls, id=cls.__name__) for cls in DETECTORS]


def test_every_detector_has_a_case() -> None:
    assert set(MAKERS) == set(DETECTORS)


@pytest.mark.parametrize("cls", PARAMS)
def test_alarms_on_a_shift_and_update_many_agrees_with_update(cls: type) -> None:
    stream = _stream(cls)
    whole = MAKERS[cls]()
    alarms = whole.update_many(stream).tolist()
    assert any(2_000 <= a < 2_500 for a in alarms), alarms
    one_by_one = MAKERS[cls]()
    seen = []
    for position, value in enumerate(stream):
        one_by_one.update(float(value))
        if one_by_one.drift_detected:
            seen.append(position)
    assert seen == alarms
    assert whole.n == one_by_one.n == stream.size
    assert whole.drift_detected == one_by_one.drift_detected


@pytest.mark.parametrize("cls", PARAMS)
def test_repr_pickle_reset_and_docstring_example(cls: type) -> None:
    detector = MAKERS[cls]()
    detector.update_many(_stream(cls)[:3_000])
    assert repr(detector).startswith(f"{cls.__name__}(")
    restored = pickle.loads(pickle.dumps(detector))
    rest = _stream(cls)[3_000:]
    assert restored.update_many(rest).tolist() == detector.update_many(rest).tolist()
    detector.reset()
    assert detector.n == 0
    assert not detector.drift_detected
    module = sys.modules[cls.__module__]
    assert ">>>" in (cls.__doc__ or "") + (module.__doc__ or "")


@pytest.mark.parametrize("cls", PARAMS)
def test_non_finite_and_non_numeric_input_is_refused_by_position(cls: type) -> None:
    detector = MAKERS[cls]()
    with pytest.raises(InvalidParameterError, match="position 1"):
        detector.update_many([0.0, float("nan")])
    with pytest.raises(InvalidParameterError):
        detector.update("a")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError):
        detector.update_many(np.zeros((2, 2)))
    assert detector.update_many([]).tolist() == []
