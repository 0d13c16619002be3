"""Training-regression checks: the loss falls, one batch can be overfit, seeded runs agree.

A shipped model is only maintainable while its training still works. These checks fail,
with the losses that decided, when a change to shared code silently breaks training.
They are framework-agnostic: a *train step* is any callable ``train_step(batch) -> loss``
that updates a model on one batch and returns the loss as a number (a float, a NumPy
scalar, or anything with ``.item()``, such as a PyTorch tensor).
:func:`~shiftwatch.testing.adapters.sklearn_train_step` and
:func:`~shiftwatch.testing.adapters.torch_train_step` build one from a scikit-learn
estimator or a PyTorch model; a scikit-learn estimator passed directly is wrapped with the
defaults.

| check               | passes when                                                          |
|---------------------|----------------------------------------------------------------------|
| assert_trains       | every loss is finite and, within ``max_steps``, the mean of the last |
|                     | ``window`` losses falls to at most ``factor`` x the mean of the first |
| assert_overfits     | every loss is finite and the loss on one batch, trained on again and |
|                     | again, falls to at most ``target`` within ``max_steps``              |
| assert_reproducible | ``runs`` calls of ``train(seed)`` with the same seed return the same |
|                     | numbers within ``rtol``/``atol`` (``numpy.isclose``'s rule)           |
"""

import itertools
import math
import random
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_count, check_parameter, is_real
from shiftwatch.errors import InvalidParameterError, NoDataError
from shiftwatch.testing.adapters import TrainStep, as_train_step, loss_value


@dataclass(frozen=True)
class TrainingRun:
    """The losses a check saw, one per step, and the step at which it passed (1-based).

    >>> TrainingRun((2.0, 1.0, 0.5), passed_at=3).lowest
    (0.5, 3)
    """

    losses: tuple[float, ...]
    passed_at: int | None = None

    @property
    def steps(self) -> int:
        """How many steps ran."""
        return len(self.losses)

    @property
    def lowest(self) -> tuple[float, int]:
        """The lowest loss and its step (1-based)."""
        index = int(np.argmin(self.losses))
        return self.losses[index], index + 1


def _g(value: float) -> str:
    return f"{value:.4g}"


def _train(
    step: TrainStep, batches: Iterable[Any], max_steps: int, done: Callable[[list[float]], bool]
) -> TrainingRun:
    """Run ``step`` on ``batches`` (cycled) until ``done(losses)`` or ``max_steps``."""
    losses: list[float] = []
    for number, batch in enumerate(itertools.cycle(batches), start=1):
        loss = loss_value(step(batch), number)
        if not math.isfinite(loss):
            before = ", ".join(_g(v) for v in losses[-5:]) or "none"
            raise AssertionError(
                f"The loss is {loss} at step {number} (the last losses before it: {before})."
            )
        losses.append(loss)
        if done(losses):
            return TrainingRun(tuple(losses), passed_at=number)
        if number >= max_steps:
            break
    if not losses:
        raise NoDataError("No batch to train on: 'batches' is empty.")
    return TrainingRun(tuple(losses))


def assert_trains(
    train_step: Any,
    batches: Iterable[Any],
    *,
    max_steps: int = 100,
    factor: float = 0.5,
    window: int = 5,
) -> TrainingRun:
    """Fail unless the loss falls to ``factor`` times its start within ``max_steps`` steps.

    ``batches`` is cycled over (epochs) until the check passes or ``max_steps`` steps ran
    (a generator is read once, and its batches kept to go round again).
    The start is the mean loss of the first ``window`` steps; the check passes at the first
    step whose mean over the last ``window`` steps (disjoint from the first) is at most
    ``factor * start``. Any loss that is NaN or infinite fails at once.

    >>> weight = [4.0]
    >>> def step(batch):  # gradient descent on (weight - batch)**2
    ...     weight[0] -= 0.1 * 2 * (weight[0] - batch)
    ...     return (weight[0] - batch) ** 2
    >>> assert_trains(step, [1.0], factor=0.1, window=2).passed_at
    8
    >>> assert_trains(lambda batch: 1.0, [1.0], max_steps=10, window=2)
    Traceback (most recent call last):
    ...
    AssertionError: The loss did not fall to 0.5 x its start within 10 steps: start 1 (mean of steps 1-2), end 1 (mean of steps 9-10), lowest 1 at step 1; required <= 0.5.
    """  # noqa: E501
    step = as_train_step(train_step)
    window = check_count("assert_trains", "window", window)
    check_count("assert_trains", "max_steps", max_steps, minimum=2 * window)
    _check_positive("assert_trains", "factor", factor)

    def fell(losses: list[float]) -> bool:
        n = len(losses)
        return n >= 2 * window and np.mean(losses[-window:]) <= factor * np.mean(losses[:window])

    run = _train(step, batches, max_steps, fell)
    if run.passed_at is not None:
        return run
    n = run.steps
    if n < 2 * window:
        raise AssertionError(f"Training stopped after {n} steps; the check needs {2 * window}.")
    start = float(np.mean(run.losses[:window]))
    end = float(np.mean(run.losses[-window:]))
    lowest, at = run.lowest
    raise AssertionError(
        f"The loss did not fall to {factor:g} x its start within {n} steps: start {_g(start)} "
        f"(mean of steps 1-{window}), end {_g(end)} (mean of steps {n - window + 1}-{n}), "
        f"lowest {_g(lowest)} at step {at}; required <= {_g(factor * start)}."
    )


def assert_overfits(
    train_step: Any, batch: Any, *, max_steps: int = 200, target: float = 0.05
) -> TrainingRun:
    """Fail unless training on one small batch drives its loss to ``target`` or below.

    A model that cannot memorise a handful of examples has a bug (labels shuffled against
    inputs, a frozen layer, a learning rate of zero). The check passes at the first step
    whose loss is at most ``target``; a loss with a floor above zero (strong regularisation,
    label smoothing) needs a ``target`` above that floor.

    >>> weight = [4.0]
    >>> def step(batch):
    ...     weight[0] -= 0.1 * 2 * (weight[0] - batch)
    ...     return (weight[0] - batch) ** 2
    >>> assert_overfits(step, 1.0, target=0.01).passed_at
    16
    >>> assert_overfits(lambda batch: 0.7, 1.0, max_steps=5)
    Traceback (most recent call last):
    ...
    AssertionError: The loss on one batch did not fall to 0.05 within 5 steps: first 0.7, last 0.7, lowest 0.7 at step 1.
    """  # noqa: E501
    step = as_train_step(train_step)
    check_count("assert_overfits", "max_steps", max_steps)
    _check_positive("assert_overfits", "target", target)
    run = _train(step, [batch], max_steps, lambda losses: losses[-1] <= target)
    if run.passed_at is not None:
        return run
    lowest, at = run.lowest
    raise AssertionError(
        f"The loss on one batch did not fall to {target:g} within {run.steps} steps: "
        f"first {_g(run.losses[0])}, last {_g(run.losses[-1])}, lowest {_g(lowest)} at step {at}."
    )


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator, and PyTorch if it is imported.

    PyTorch is seeded only when the process has already imported it: shiftwatch never
    imports it. Code that takes its own generator (``random_state=seed``,
    ``np.random.default_rng(seed)``) needs no global seed.

    >>> seed_everything(3); first = random.random()
    >>> seed_everything(3); first == random.random()
    True
    """
    check_count("seed_everything", "seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - the global generator is what we reset
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


def _as_array(value: Any) -> npt.NDArray[np.float64]:
    if hasattr(value, "detach"):  # a tensor: leave the graph and the device first
        value = value.detach().cpu().numpy()
    try:
        return np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The 'train' function of assert_reproducible must return numbers: a number, an "
            f"array, a TrainingRun, or a mapping of names to those. Got {value!r} instead."
        ) from None


def _outputs(result: Any) -> dict[str, npt.NDArray[np.float64]]:
    if isinstance(result, TrainingRun):
        return {"losses": _as_array(result.losses)}
    if isinstance(result, Mapping):
        return {str(key): _as_array(value) for key, value in result.items()}
    return {"result": _as_array(result)}


def assert_reproducible(
    train: Callable[[int], Any],
    *,
    seed: int = 0,
    runs: int = 2,
    rtol: float = 1e-7,
    atol: float = 0.0,
    seed_globals: bool = True,
) -> list[dict[str, npt.NDArray[np.float64]]]:
    """Fail unless ``runs`` calls of ``train(seed)`` return the same numbers.

    ``train`` trains from scratch with the seed it is given and returns what should not
    change: a number, an array (losses, predictions), a :class:`TrainingRun`, or a mapping
    of names to those. Values agree when ``|a - b| <= atol + rtol * |b|`` (NaN equals NaN),
    as :func:`numpy.isclose` decides. With ``seed_globals`` each run starts with
    :func:`seed_everything`, so code that draws from the global generators is covered too.
    Returns each run's values, by name.

    >>> def train(seed):
    ...     rng = np.random.default_rng(seed)
    ...     return {"loss": rng.normal(size=3).round(6)}
    >>> len(assert_reproducible(train, seed=4))
    2
    >>> counter = iter(range(100))
    >>> assert_reproducible(lambda seed: {"loss": [1.0, 2.0 + next(counter)]})
    Traceback (most recent call last):
    ...
    AssertionError: Runs 1 and 2 with seed 0 differ in 1 of 2 values (rtol 1e-07, atol 0); the largest difference: 'loss'[1] = 2 in run 1, 3 in run 2 (difference 1).
    """  # noqa: E501
    check_count("assert_reproducible", "seed", seed, minimum=0)
    check_count("assert_reproducible", "runs", runs, minimum=2)
    for name, value in (("rtol", rtol), ("atol", atol)):
        check_parameter(
            "assert_reproducible",
            name,
            value,
            lambda v: is_real(v) and 0 <= v < math.inf,
            "a finite float >= 0",
        )
    results = []
    for _ in range(runs):
        if seed_globals:
            seed_everything(seed)
        results.append(_outputs(train(seed)))
    first = results[0]
    for number, other in enumerate(results[1:], start=2):
        if set(other) != set(first):
            raise AssertionError(
                f"Run {number} with seed {seed} returned {sorted(other)}; run 1 {sorted(first)}."
            )
        _compare_runs(first, other, number, seed, rtol, atol)
    return results


def _compare_runs(
    first: Mapping[str, npt.NDArray[np.float64]],
    other: Mapping[str, npt.NDArray[np.float64]],
    number: int,
    seed: int,
    rtol: float,
    atol: float,
) -> None:
    differing = 0
    total = 0
    worst: tuple[float, str] | None = None
    for name, values in first.items():
        theirs = other[name]
        if values.shape != theirs.shape:
            raise AssertionError(
                f"Run {number} with seed {seed}: {name!r} has shape {theirs.shape}; "
                f"in run 1 {values.shape}."
            )
        close = np.isclose(values, theirs, rtol=rtol, atol=atol, equal_nan=True)
        total += values.size
        if close.all():
            continue
        differing += int(np.count_nonzero(~close))
        gaps = np.where(close, -1.0, np.abs(values - theirs))
        gaps = np.where(np.isnan(gaps), np.inf, gaps)  # NaN against a number: the worst
        index = np.unravel_index(int(np.argmax(gaps)), values.shape)
        gap = float(gaps[index])
        if worst is None or gap > worst[0]:
            at = "" if values.size == 1 else str([int(i) for i in index])
            where = f"{name!r}{at}"
            worst = (
                gap,
                f"{where} = {values[index]:.6g} in run 1, {theirs[index]:.6g} in run {number} "
                f"(difference {gap:.3g})",
            )
    if worst is not None:
        raise AssertionError(
            f"Runs 1 and {number} with seed {seed} differ in {differing:,} of {total:,} values "
            f"(rtol {rtol:g}, atol {atol:g}); the largest difference: {worst[1]}."
        )


def _check_positive(owner: str, name: str, value: float) -> None:
    check_parameter(
        owner, name, value, lambda v: is_real(v) and 0 < v < math.inf, "a finite float > 0"
    )
