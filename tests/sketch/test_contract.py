"""The contract every sketch in shiftwatch.sketch.SKETCHES keeps.

Shared checks over one table of cases: repr, pickle, bad parameters refused by name, the
empty sketch, serialisation, merge returning a new object, and a runnable docstring example.
"""

import dataclasses
import doctest
import inspect
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import shiftwatch.sketch as sketch_module
from shiftwatch.errors import (
    EmptySketchError,
    FormatError,
    InvalidParameterError,
    ShiftwatchError,
)
from shiftwatch.sketch import (
    SKETCHES,
    DistinctCount,
    Frequencies,
    Histogram,
    Moments,
    QuantileSketch,
)


@dataclasses.dataclass(frozen=True)
class Case:
    """How to build one sketch, what to feed it, and which getters need data."""

    make: Callable[[], Any]
    values: Any
    getters: tuple[Callable[[Any], Any], ...]  # raise EmptySketchError on an empty sketch
    answers: Callable[[Any], Any]  # what a filled sketch answers, for comparisons

    def filled(self) -> Any:
        sketch = self.make()
        sketch.update(self.values)
        return sketch


def _moments_answers(m: Moments) -> Any:
    return (m.n, m.missing, m.mean, m.variance, m.min, m.max)


def _quantile_answers(q: QuantileSketch) -> Any:
    return (q.n, q.k, q.exact, q.get_quantile(0.5), q.get_rank(2.0), q.get_cdf([1.0]).tolist())


CASES: dict[type, Case] = {
    Moments: Case(
        make=Moments,
        values=[1.0, 2.0, np.nan, 4.0],
        getters=(
            lambda m: m.mean,
            lambda m: m.variance,
            lambda m: m.std,
            lambda m: m.min,
            lambda m: m.max,
        ),
        answers=_moments_answers,
    ),
    QuantileSketch: Case(
        make=lambda: QuantileSketch(k=16),
        values=np.arange(40.0),
        getters=(
            lambda q: q.get_quantile(0.5),
            lambda q: q.get_rank(1.0),
            lambda q: q.get_cdf([1.0]),
            lambda q: q.min,
            lambda q: q.max,
        ),
        answers=_quantile_answers,
    ),
    Frequencies: Case(
        make=lambda: Frequencies(max_levels=3, groups=8),
        values=["a", "b", "a", "c"],  # exact: grouped round trips are an xfail elsewhere
        getters=(),
        answers=lambda f: (f.n, f.exact, f.distinct, f.group_counts().tolist()),
    ),
    DistinctCount: Case(
        make=DistinctCount,
        values=["a", "b", "a", "c"],
        getters=(),
        answers=lambda d: (d.n, round(d.estimate, 6)),
    ),
    Histogram: Case(
        make=lambda: Histogram([0.0, 1.0, 2.5]),
        values=[-1.0, 0.0, 0.5, 1.0, 2.0, 9.0],
        getters=(),
        answers=lambda h: (h.n, h.counts.tolist(), h.edges.tolist()),
    ),
}

SKETCH_PARAMS = [pytest.param(cls, id=cls.__name__) for cls in SKETCHES]


def test_every_sketch_has_a_case() -> None:
    assert set(CASES) == set(SKETCHES)
    assert set(sketch_module.__all__) == {"SKETCHES"} | {cls.__name__ for cls in SKETCHES}


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_repr_names_the_class(cls: type) -> None:
    case = CASES[cls]
    for sketch in (case.make(), case.filled()):
        text = repr(sketch)
        assert text.startswith(f"{cls.__name__}(")
        assert "n=" in text


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_pickle_round_trip_is_equal(cls: type) -> None:
    case = CASES[cls]
    for sketch in (case.make(), case.filled()):
        restored = pickle.loads(pickle.dumps(sketch))
        assert type(restored) is cls
        assert restored == sketch
    filled = case.filled()
    assert case.answers(pickle.loads(pickle.dumps(filled))) == case.answers(filled)


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_serialize_round_trip_is_equal(cls: type) -> None:
    case = CASES[cls]
    for sketch in (case.make(), case.filled()):
        data = sketch.serialize()
        assert isinstance(data, bytes)
        restored = cls.deserialize(data)  # type: ignore[attr-defined]
        assert restored == sketch
        assert restored.serialize() == data
    filled = case.filled()
    assert case.answers(cls.deserialize(filled.serialize())) == case.answers(filled)  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_deserialize_refuses_garbage(cls: type) -> None:
    with pytest.raises(FormatError):
        cls.deserialize(b"\xff garbage \x00")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("make", "parameter", "owner"),
    [
        pytest.param(lambda: QuantileSketch(k=7), "k", "QuantileSketch", id="QuantileSketch-k=7"),
        pytest.param(
            lambda: QuantileSketch(k=65_536), "k", "QuantileSketch", id="QuantileSketch-k=65536"
        ),
        pytest.param(
            lambda: QuantileSketch(k=200.0), "k", "QuantileSketch", id="QuantileSketch-k=float"
        ),
        pytest.param(
            lambda: QuantileSketch(k=True), "k", "QuantileSketch", id="QuantileSketch-k=True"
        ),
        pytest.param(
            lambda: Frequencies(max_levels=0), "max_levels", "Frequencies", id="Frequencies-max=0"
        ),
        pytest.param(
            lambda: Frequencies(max_levels="10"),
            "max_levels",
            "Frequencies",
            id="Frequencies-max=str",
        ),
        pytest.param(lambda: Frequencies(groups=0), "groups", "Frequencies", id="Frequencies-g=0"),
        pytest.param(
            lambda: Frequencies(groups=False), "groups", "Frequencies", id="Frequencies-g=False"
        ),
        pytest.param(lambda: Histogram([]), "edges", "Histogram", id="Histogram-no-edges"),
        pytest.param(lambda: Histogram([1.0, 1.0]), "edges", "Histogram", id="Histogram-repeat"),
        pytest.param(lambda: Histogram([2.0, 1.0]), "edges", "Histogram", id="Histogram-decrease"),
        pytest.param(
            lambda: Histogram([0.0, np.inf]), "edges", "Histogram", id="Histogram-infinite"
        ),
        pytest.param(lambda: Histogram([np.nan]), "edges", "Histogram", id="Histogram-nan"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    make: Callable[[], Any], parameter: str, owner: str
) -> None:
    with pytest.raises(InvalidParameterError, match=rf"The '{parameter}' parameter of {owner}\b"):
        make()


def test_moments_takes_no_parameters() -> None:
    assert list(inspect.signature(Moments).parameters) == []


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_empty_sketch(cls: type) -> None:
    case = CASES[cls]
    empty = case.make()
    assert empty.is_empty()
    assert empty.n == 0
    empty.update(np.array([], dtype=np.float64 if cls is not Frequencies else object))
    assert empty.is_empty()
    for getter in case.getters:
        with pytest.raises(EmptySketchError):
            getter(empty)
    merged = empty.merge(case.make())
    assert merged.is_empty()
    assert merged == empty


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_update_mutates_and_merge_returns_a_new_sketch(cls: type) -> None:
    case = CASES[cls]
    sketch = case.make()
    assert sketch.update(case.values) is None
    assert not sketch.is_empty()
    assert sketch.n == len(case.values) - (cls is Moments)  # Moments counts NaN as missing
    before = sketch.serialize()
    merged = sketch.merge(case.filled())
    assert type(merged) is cls
    assert merged is not sketch
    assert sketch.serialize() == before
    assert merged.n == 2 * sketch.n


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_sketches_are_unhashable(cls: type) -> None:
    with pytest.raises(TypeError):
        hash(CASES[cls].make())


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_merge_with_another_kind_of_sketch_is_a_shiftwatch_error(cls: type) -> None:
    other = Histogram([0.0]) if cls is not Histogram else Moments()
    with pytest.raises(ShiftwatchError):
        CASES[cls].filled().merge(other)


@pytest.mark.parametrize("cls", SKETCH_PARAMS)
def test_class_docstring_has_a_runnable_example(cls: type) -> None:
    docstring = inspect.getdoc(cls) or ""
    assert ">>>" in docstring, f"{cls.__name__} has no example in its docstring"
    module = inspect.getmodule(cls)
    examples = doctest.DocTestFinder(recurse=False).find(
        cls, cls.__name__, globs=dict(vars(module))
    )
    runner = doctest.DocTestRunner()
    report: list[str] = []
    for example in examples:
        runner.run(example, out=report.append)
    assert runner.tries > 0
    assert runner.failures == 0, "".join(report)
