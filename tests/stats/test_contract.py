"""The contract every public two-sample test and distance of shiftwatch.stats keeps.

Frozen, picklable results with derived verdicts; parameter and data errors as shiftwatch
errors that name what is wrong; a runnable example in every public docstring.
"""

import dataclasses
import doctest
import inspect
import math
import pickle
import typing
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import shiftwatch.stats as stats
from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.stats import TestResult

SAMPLES = ([0.1, 0.5, 0.9, 1.3, 2.0], [0.4, 0.8, 1.6, 2.2])
COUNTS = ([30, 50, 20], [25, 45, 30])
PROPORTION = (10, 100, 20, 100)


@dataclasses.dataclass(frozen=True)
class Case:
    """One public function, the kind of data it takes, and a valid call of it."""

    function: Callable[..., TestResult]
    kind: str  # "samples", "sorted samples", "counts" or "proportion"

    @property
    def test_name(self) -> str:
        return self.function.__name__.removesuffix("_sorted")

    @property
    def has_alpha(self) -> bool:
        return "alpha" in inspect.signature(self.function).parameters

    def arguments(self) -> tuple[Any, ...]:
        if self.kind == "samples":
            return SAMPLES
        if self.kind == "sorted samples":
            return tuple(np.sort(np.array(sample)) for sample in SAMPLES)
        return COUNTS if self.kind == "counts" else PROPORTION

    def call(self, *arguments: Any, **parameters: Any) -> TestResult:
        return self.function(*(arguments or self.arguments()), **parameters)


def case(function: Callable[..., TestResult], kind: str) -> Any:
    return pytest.param(Case(function, kind), id=function.__name__)


# Functions that check their input: every test and distance taking samples or counts.
CHECKED = [
    case(stats.ks, "samples"),
    case(stats.cvm, "samples"),
    case(stats.brown_forsythe, "samples"),
    case(stats.outside_range, "samples"),
    case(stats.wasserstein, "samples"),
    case(stats.chi2, "counts"),
    case(stats.g_test, "counts"),
    case(stats.psi, "counts"),
    case(stats.jensen_shannon, "counts"),
    case(stats.hellinger, "counts"),
    case(stats.total_variation, "counts"),
    case(stats.new_levels, "counts"),
    case(stats.proportion, "proportion"),
]
# The *_sorted variants skip the checks by design ("callers have sorted"); they still return
# the same kind of result.
UNCHECKED = [
    case(stats.ks_sorted, "sorted samples"),
    case(stats.cvm_sorted, "sorted samples"),
    case(stats.brown_forsythe_sorted, "sorted samples"),
]
ALL = CHECKED + UNCHECKED


def cases(*kinds: str, alpha: bool | None = None) -> list[Any]:
    return [
        param
        for param in CHECKED
        if param.values[0].kind in kinds and alpha in (None, param.values[0].has_alpha)
    ]


SAMPLE_CASES = cases("samples")
COUNT_CASES = cases("counts")
ALPHA_CASES = cases("samples", "counts", "proportion", alpha=True)
DISTANCE_CASES = cases("samples", "counts", alpha=False)

PUBLIC_CALLABLES = [
    pytest.param(getattr(stats, name), id=name)
    for name in stats.__all__
    if callable(getattr(stats, name)) and not isinstance(getattr(stats, name), dict)
]


def test_every_public_result_function_is_covered() -> None:
    returning_results = {
        name
        for name in stats.__all__
        if inspect.isfunction(getattr(stats, name))
        and typing.get_type_hints(getattr(stats, name)).get("return") is TestResult
    }
    assert returning_results == {param.id for param in ALL}


# --- the result ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ALL)
def test_result_is_a_frozen_test_result(case: Case) -> None:
    result = case.call()
    assert type(result) is TestResult
    assert result.test == case.test_name
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.statistic = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.p_value = None  # type: ignore[misc]


@pytest.mark.parametrize("case", ALL)
def test_to_dict_holds_the_fields_and_the_derived_verdicts(case: Case) -> None:
    result = case.call()
    as_dict = result.to_dict()
    fields = [field.name for field in dataclasses.fields(TestResult)]
    assert list(as_dict) == [*fields, "significant", "material", "drifted"]
    assert {name: as_dict[name] for name in fields} == dataclasses.asdict(result)
    assert as_dict["significant"] is result.significant
    assert as_dict["material"] is result.material
    assert as_dict["drifted"] is result.drifted
    assert result.drifted == (result.significant and result.material)


@pytest.mark.parametrize("case", ALL)
def test_result_pickles(case: Case) -> None:
    result = case.call()
    restored = pickle.loads(pickle.dumps(result))
    assert restored == result
    assert restored.to_dict() == result.to_dict()


@pytest.mark.parametrize("case", ALL)
def test_result_repr(case: Case) -> None:
    text = repr(case.call())
    assert text.startswith("TestResult(")
    assert f"test='{case.test_name}'" in text


# --- parameter and data errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "alpha",
    [
        pytest.param(0, id="alpha=0"),
        pytest.param(1.5, id="alpha=1.5"),
        pytest.param(1.0, id="alpha=1"),
        pytest.param(float("nan"), id="alpha=nan"),
    ],
)
@pytest.mark.parametrize("case", ALPHA_CASES)
def test_bad_alpha_is_refused_by_name(case: Case, alpha: float) -> None:
    with pytest.raises(InvalidParameterError, match=rf"'alpha' parameter of {case.test_name}\b"):
        case.call(alpha=alpha)


@pytest.mark.parametrize(
    "threshold",
    [
        pytest.param(-1, id="threshold=-1"),
        pytest.param(float("inf"), id="threshold=inf"),
        pytest.param(float("nan"), id="threshold=nan"),
    ],
)
@pytest.mark.parametrize("case", CHECKED)
def test_bad_threshold_is_refused_by_name(case: Case, threshold: float) -> None:
    with pytest.raises(
        InvalidParameterError, match=rf"'threshold' parameter of {case.test_name}\b"
    ):
        case.call(threshold=threshold)


# check_alpha and check_threshold are shared by every function: one function each is enough.
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(
            lambda: stats.ks(*SAMPLES, alpha=np.float64(0.05)).alpha, 0.05, id="alpha-float64"
        ),
        pytest.param(
            lambda: stats.ks(*SAMPLES, alpha=np.float32(0.05)).alpha, 0.05, id="alpha-float32"
        ),
        pytest.param(
            lambda: stats.psi(*COUNTS, threshold=np.float32(0.1)).threshold,
            0.1,
            id="threshold-float32",
        ),
        pytest.param(
            lambda: stats.chi2(*COUNTS, threshold=np.int64(0)).threshold, 0, id="threshold-int64"
        ),
    ],
)
def test_numpy_scalar_parameters_are_accepted(call: Callable[[], float], expected: float) -> None:
    assert call() == pytest.approx(expected)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        pytest.param(lambda: stats.psi(*COUNTS, epsilon="small"), "epsilon", id="psi-epsilon"),
        pytest.param(
            lambda: stats.chi2(*COUNTS, min_expected="five"), "min_expected", id="chi2-min_expected"
        ),
        pytest.param(
            lambda: stats.proportion("ten", 100, 20, 100), "reference_count", id="proportion-count"
        ),
        pytest.param(
            lambda: stats.quantile_edges(np.arange(5.0), bins="ten"),
            "bins",
            id="quantile_edges-bins",
        ),
    ],
)
def test_non_numeric_parameters_are_refused_by_name(call: Callable[[], Any], name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}'"):
        call()


def test_non_numeric_samples_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="'reference' sample"):
        stats.ks(["a", "b"], SAMPLES[1])


@pytest.mark.parametrize(
    "empty",
    [
        pytest.param(lambda data: ([], data[1]), id="empty-reference"),
        pytest.param(lambda data: (data[0], []), id="empty-current"),
    ],
)
@pytest.mark.parametrize("case", SAMPLE_CASES + COUNT_CASES)
def test_empty_input_is_no_data(case: Case, empty: Callable[[Any], tuple[Any, Any]]) -> None:
    with pytest.raises(NoDataError):
        case.call(*empty(case.arguments()))


@pytest.mark.parametrize("case", COUNT_CASES)
def test_counts_adding_up_to_zero_are_no_data(case: Case) -> None:
    with pytest.raises(NoDataError, match="add up to zero"):
        case.call([0, 0, 0], COUNTS[1])


@pytest.mark.parametrize(
    "counts",
    [
        pytest.param((0, 0, 0, 0), id="both-empty"),
        pytest.param((0, 0, 3, 10), id="empty-reference"),
        pytest.param((3, 10, 0, 0), id="empty-current"),
    ],
)
def test_proportion_of_no_rows_is_no_data(counts: tuple[int, int, int, int]) -> None:
    with pytest.raises(NoDataError):
        stats.proportion(*counts)


@pytest.mark.parametrize(
    ("role", "position", "value"),
    [
        pytest.param("reference", 2, float("nan"), id="nan-in-reference"),
        pytest.param("current", 0, float("inf"), id="inf-in-current"),
        pytest.param("current", 3, -float("inf"), id="minus-inf-in-current"),
    ],
)
@pytest.mark.parametrize("case", SAMPLE_CASES)
def test_non_finite_samples_are_refused_by_position(
    case: Case, role: str, position: int, value: float
) -> None:
    reference, current = (list(sample) for sample in SAMPLES)
    (reference if role == "reference" else current)[position] = value
    with pytest.raises(
        InvalidParameterError, match=rf"'{role}' sample of {case.test_name}.*position {position}\b"
    ):
        case.call(reference, current)


@pytest.mark.parametrize("case", SAMPLE_CASES)
def test_two_dimensional_samples_are_refused(case: Case) -> None:
    with pytest.raises(InvalidParameterError, match="one-dimensional"):
        case.call([[0.1, 0.2], [0.3, 0.4]], SAMPLES[1])


@pytest.mark.parametrize("case", COUNT_CASES)
def test_count_vectors_of_different_lengths_are_refused(case: Case) -> None:
    with pytest.raises(InvalidParameterError, match="same categories"):
        case.call([30, 50, 20], [25, 45, 20, 10])


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param([30, -5, 20], id="negative"),
        pytest.param(["a", "b", "c"], id="not-numbers"),
        pytest.param([[30, 50, 20]], id="two-dimensional"),
    ],
)
@pytest.mark.parametrize("case", COUNT_CASES)
def test_invalid_counts_are_refused(case: Case, reference: list[Any]) -> None:
    with pytest.raises(InvalidParameterError, match="'reference' counts"):
        case.call(reference, COUNTS[1])


@pytest.mark.parametrize(
    "reference",
    [
        pytest.param([30.0, float("nan"), 20.0], id="nan"),
        pytest.param([30.0, float("inf"), 20.0], id="inf"),
        pytest.param([0.3, 0.5, 0.2], id="shares-not-counts"),
    ],
)
@pytest.mark.parametrize("case", COUNT_CASES)
def test_counts_that_are_not_whole_numbers_are_refused(case: Case, reference: list[float]) -> None:
    with pytest.raises(InvalidParameterError, match="'reference' counts"):
        case.call(reference, COUNTS[1])


@pytest.mark.parametrize("case", COUNT_CASES)
def test_whole_numbers_stored_as_floats_are_counts(case: Case) -> None:
    as_floats = [np.array(counts, dtype=np.float64) for counts in COUNTS]
    assert case.call(*as_floats) == case.call()


# --- docstrings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("function", PUBLIC_CALLABLES)
def test_public_docstring_has_a_runnable_example(function: Any) -> None:
    docstring = inspect.getdoc(function) or ""
    assert ">>>" in docstring, f"{function.__name__} has no example in its docstring"
    module = inspect.getmodule(function)
    examples = doctest.DocTestFinder(recurse=False).find(
        function, function.__name__, globs=dict(vars(module))
    )
    runner = doctest.DocTestRunner()
    report: list[str] = []
    for example in examples:
        runner.run(example, out=report.append)
    assert runner.failures == 0, "".join(report)


# --- verdicts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DISTANCE_CASES)
def test_distances_are_decided_by_effect_alone(case: Case) -> None:
    result = case.call()
    assert result.p_value is None
    assert result.significant
    assert result.method == "distance"
    assert result.drifted == (result.effect >= result.threshold)
    # exactly at the threshold counts as drifted, one step above it does not
    assert case.call(threshold=result.effect).drifted
    assert not case.call(threshold=float(np.nextafter(result.effect, np.inf))).drifted


GRID = np.arange(10_000) / 10_000


@pytest.mark.parametrize(
    ("test", "arguments"),
    [
        # a 0.02 shift of a uniform grid: D = 0.0201 on 10,000 values each, effect 0.069 std
        pytest.param(stats.ks, (GRID, GRID + 0.02), id="ks"),
        pytest.param(stats.cvm, (GRID, GRID + 0.02), id="cvm"),
        # one percent of 100,000 rows moved category
        pytest.param(stats.chi2, ([50_000, 50_000], [51_000, 49_000]), id="chi2"),
        pytest.param(stats.g_test, ([50_000, 50_000], [51_000, 49_000]), id="g_test"),
        # half a percentage point on 100,000 rows each
        pytest.param(stats.proportion, (10_000, 100_000, 10_500, 100_000), id="proportion"),
    ],
)
def test_significant_but_immaterial_is_not_drifted(test, arguments) -> None:
    result = test(*arguments)
    assert result.p_value <= result.alpha
    assert result.effect < result.threshold
    assert result.significant
    assert not result.material
    assert not result.drifted


@pytest.mark.parametrize(
    ("test", "arguments"),
    [
        pytest.param(stats.ks, ([0.0, 1.0], [0.5, 1.5]), id="ks"),
        pytest.param(stats.cvm, ([0.0, 1.0], [0.5, 1.5]), id="cvm"),
        pytest.param(stats.chi2, ([3, 7], [6, 4]), id="chi2"),
        pytest.param(stats.g_test, ([3, 7], [6, 4]), id="g_test"),
        pytest.param(stats.proportion, (1, 10, 3, 10), id="proportion"),
    ],
)
def test_material_but_not_significant_is_not_drifted(test, arguments) -> None:
    result = test(*arguments)
    assert result.p_value > result.alpha
    assert result.effect >= result.threshold
    assert not result.significant
    assert result.material
    assert not result.drifted


def make_result(**changes: Any) -> TestResult:
    fields = {
        "test": "ks",
        "statistic": 0.3,
        "p_value": 0.01,
        "effect": 0.2,
        "effect_unit": "reference std",
        "threshold": 0.1,
        "alpha": 0.05,
        "n_reference": 100,
        "n_current": 100,
    }
    return TestResult(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "verdicts"),
    [
        pytest.param({}, (True, True, True), id="significant-and-material"),
        pytest.param({"p_value": 0.05}, (True, True, True), id="p-equal-to-alpha"),
        pytest.param({"p_value": 0.0500001}, (False, True, False), id="p-above-alpha"),
        pytest.param({"effect": 0.1}, (True, True, True), id="effect-equal-to-threshold"),
        pytest.param({"effect": 0.05}, (True, False, False), id="effect-below-threshold"),
        pytest.param({"effect": math.nan}, (True, False, False), id="effect-nan"),
        pytest.param({"effect": math.inf}, (True, True, True), id="effect-inf"),
        pytest.param({"p_value": None}, (True, True, True), id="distance"),
    ],
)
def test_verdicts(changes: dict[str, Any], verdicts: tuple[bool, bool, bool]) -> None:
    result = make_result(**changes)
    assert (result.significant, result.material, result.drifted) == verdicts
