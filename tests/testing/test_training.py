import math
import re

import numpy as np
import pytest

from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.testing import (
    TrainingRun,
    as_train_step,
    assert_overfits,
    assert_reproducible,
    assert_trains,
    seed_everything,
)


class LinearRegression:
    """A plain training loop: least squares by gradient descent, one step per batch."""

    def __init__(self, learning_rate: float = 0.1, seed: int = 0) -> None:
        self.weights = np.random.default_rng(seed).normal(size=3)
        self.learning_rate = learning_rate

    def step(self, batch: tuple[np.ndarray, np.ndarray]) -> float:
        inputs, targets = batch
        errors = inputs @ self.weights - targets
        self.weights -= self.learning_rate * 2 * inputs.T @ errors / len(targets)
        return float(np.mean((inputs @ self.weights - targets) ** 2))


def regression_batches(n_batches: int = 20, size: int = 32, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    true = np.array([2.0, -1.0, 0.5])
    batches = []
    for _ in range(n_batches):
        inputs = rng.normal(size=(size, 3))
        batches.append((inputs, inputs @ true + rng.normal(scale=0.1, size=size)))
    return batches


def test_a_working_training_loop_passes_and_reports_when():
    run = assert_trains(LinearRegression().step, regression_batches(), factor=0.1, window=3)
    assert isinstance(run, TrainingRun)
    start, end = np.mean(run.losses[:3]), np.mean(run.losses[-3:])
    assert end <= 0.1 * start
    assert run.passed_at == run.steps
    # It stopped at the first step that met the factor, not at max_steps.
    assert np.mean(run.losses[-4:-1]) > 0.1 * start


def test_a_broken_training_step_fails_with_the_losses():
    frozen = LinearRegression(learning_rate=0.0)  # the bug: nothing is learned
    with pytest.raises(AssertionError) as failure:
        assert_trains(frozen.step, regression_batches(), max_steps=30, factor=0.5, window=5)
    message = str(failure.value)
    numbers = re.findall(
        r"start (\S+) \(mean of steps 1-5\), end (\S+) \(mean of steps 26-30\)", message
    )
    assert message.startswith("The loss did not fall to 0.5 x its start within 30 steps")
    start, end = (float(v) for v in numbers[0])
    assert end > 0.5 * start
    required = float(re.search(r"required <= (\S+)\.$", message).group(1))
    assert required == pytest.approx(0.5 * start, rel=1e-3)


def test_a_loss_that_explodes_fails_at_the_step_it_stops_being_finite():
    diverging = LinearRegression(learning_rate=5.0)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(AssertionError) as failure:
        assert_trains(diverging.step, regression_batches(), max_steps=500)
    assert re.match(
        r"The loss is (inf|nan) at step \d+ \(the last losses before it: ", str(failure.value)
    )


def test_nan_from_the_first_step_is_reported():
    with pytest.raises(
        AssertionError, match=r"The loss is nan at step 1 \(the last losses before it: none\)"
    ):
        assert_trains(lambda batch: math.nan, [0], max_steps=10, window=1)


def test_batches_are_cycled_and_an_empty_iterable_is_an_error():
    seen = []

    def step(batch):
        seen.append(batch)
        return 1.0 / len(seen)

    assert assert_trains(step, ["a", "b"], max_steps=8, factor=0.4, window=1).passed_at == 3
    assert seen == ["a", "b", "a"]
    with pytest.raises(NoDataError, match="'batches' is empty"):
        assert_trains(step, [], max_steps=4, window=1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"window": 0}, "'window' parameter of assert_trains must be an int >= 1", id="window-0"
        ),
        pytest.param(
            {"max_steps": 9, "window": 5},
            "'max_steps' parameter of assert_trains must be an int >= 10",
            id="too-few-steps",
        ),
        pytest.param(
            {"factor": 0.0},
            "'factor' parameter of assert_trains must be a finite float > 0",
            id="factor-0",
        ),
    ],
)
def test_bad_parameters_are_named(options, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        assert_trains(lambda batch: 1.0, [0], **options)


def test_a_step_that_returns_no_number_is_named():
    with pytest.raises(InvalidParameterError, match=r"returned 'low' at step 1: expected the loss"):
        assert_trains(lambda batch: "low", [0], max_steps=4, window=1)


def test_overfitting_one_batch_passes_when_the_model_can_memorise():
    model = LinearRegression(learning_rate=0.2)
    batch = (np.eye(3), np.array([1.0, 2.0, 3.0]))  # 3 points, 3 weights: an exact fit exists
    run = assert_overfits(model.step, batch, max_steps=300, target=1e-6)
    assert run.losses[-1] <= 1e-6
    assert run.losses[0] > 1e-3


def test_a_model_that_cannot_memorise_fails_with_first_last_and_lowest():
    model = LinearRegression(learning_rate=0.001)  # far too slow to get there
    batch = (np.eye(3), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(AssertionError) as failure:
        assert_overfits(model.step, batch, max_steps=20, target=1e-6)
    found = re.fullmatch(
        r"The loss on one batch did not fall to 1e-06 within 20 steps: first (\S+), last (\S+), "
        r"lowest (\S+) at step (\d+)\.",
        str(failure.value),
    )
    assert found is not None
    first, last, lowest, at = found.groups()
    assert float(last) < float(first)
    assert float(lowest) == float(last)
    assert at == "20"


def test_reproducible_training_passes_and_returns_each_run():
    def train(seed):
        model = LinearRegression(seed=seed)
        losses = [model.step(b) for b in regression_batches(seed=seed)]
        return {"losses": losses, "weights": model.weights}

    runs = assert_reproducible(train, seed=3)
    assert len(runs) == 2
    np.testing.assert_array_equal(runs[0]["weights"], runs[1]["weights"])
    assert runs[0]["losses"].shape == (20,)


def test_training_that_depends_on_unseeded_state_fails_with_the_difference():
    rng = np.random.default_rng()  # created once, outside the seeded runs: the bug

    def train(seed):
        model = LinearRegression(seed=seed)
        model.weights += rng.normal(scale=1e-3, size=3)
        return {"weights": model.weights, "steps": 5}

    with pytest.raises(AssertionError) as failure:
        assert_reproducible(train, seed=0)
    message = str(failure.value)
    found = re.match(
        r"Runs 1 and 2 with seed 0 differ in 3 of 4 values \(rtol 1e-07, atol 0\); the largest "
        r"difference: 'weights'\[(\d)\] = (\S+) in run 1, (\S+) in run 2 \(difference (\S+)\)\.",
        message,
    )
    assert found is not None, message
    _, first, second, gap = found.groups()
    assert abs(float(first) - float(second)) == pytest.approx(float(gap), rel=1e-2)


def test_reproducibility_tolerances_are_respected():
    values = iter([1.0, 1.0 + 1e-9])
    assert_reproducible(lambda seed: next(values), rtol=1e-6)
    values = iter([1.0, 1.0 + 1e-3])
    with pytest.raises(AssertionError, match=r"'result' = 1 in run 1, 1.001 in run 2"):
        assert_reproducible(lambda seed: next(values), rtol=1e-6)


def test_global_generators_are_seeded_for_each_run():
    def train(seed):
        return [np.random.random(), __import__("random").random()]  # noqa: NPY002

    assert_reproducible(train, seed=9)
    with pytest.raises(AssertionError, match="Runs 1 and 2 with seed 9 differ in 2 of 2 values"):
        assert_reproducible(train, seed=9, seed_globals=False)


def test_runs_returning_different_names_or_shapes_fail():
    outputs = iter([{"a": 1.0}, {"b": 1.0}])
    with pytest.raises(AssertionError, match=r"Run 2 with seed 0 returned \['b'\]; run 1 \['a'\]"):
        assert_reproducible(lambda seed: next(outputs))
    shapes = iter([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(AssertionError, match=r"'result' has shape \(3,\); in run 1 \(2,\)"):
        assert_reproducible(lambda seed: next(shapes))
    with pytest.raises(InvalidParameterError, match="must return numbers"):
        assert_reproducible(lambda seed: "model")


def test_seed_everything_rejects_a_negative_seed():
    with pytest.raises(InvalidParameterError, match="'seed' parameter of seed_everything"):
        seed_everything(-1)


def test_as_train_step_accepts_callables_and_explains_the_rest():
    step = as_train_step(len)
    assert step([1, 2]) == 2
    with pytest.raises(InvalidParameterError, match="must be a callable step"):
        as_train_step(42)

    class TorchLike:
        def parameters(self): ...
        def zero_grad(self): ...
        def state_dict(self): ...
        def __call__(self, inputs): ...

    with pytest.raises(
        InvalidParameterError, match=r"Pass torch_train_step\(model, optimizer, loss_fn\)"
    ):
        as_train_step(TorchLike())
