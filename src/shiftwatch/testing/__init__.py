"""Testing ML code with shiftwatch: data tests, training-regression tests, golden metrics.

Plain functions that raise :class:`AssertionError` with the numbers behind the verdict, so
they work in any test runner; the pytest plugin (:mod:`shiftwatch.testing.plugin`, loaded
by installing shiftwatch) adds the ``shiftwatch_golden`` and ``shiftwatch_reference``
fixtures and the ``--shiftwatch-update-golden`` option. The ML Test Score readiness check
lives in :mod:`shiftwatch.testing.readiness`. Importing this package loads neither pytest
nor scikit-learn nor PyTorch.

| job                                   | function                                       |
|---------------------------------------|------------------------------------------------|
| data did not drift                    | :func:`assert_no_drift`                        |
| rows follow the reference's schema    | :func:`assert_schema`                          |
| a pipeline's output profile unchanged | :func:`assert_profile_close`                   |
| the loss falls                        | :func:`assert_trains`                          |
| the model can memorise one batch      | :func:`assert_overfits`                        |
| two seeded runs agree                 | :func:`assert_reproducible`                    |
| quality within its golden interval    | :class:`GoldenFile`, fixture shiftwatch_golden |

>>> from shiftwatch.testing import assert_trains
>>> losses = iter([4.0, 3.0, 2.0, 1.0])
>>> assert_trains(lambda batch: next(losses), [None], max_steps=4, window=1).passed_at
3
"""

from shiftwatch.testing.adapters import (
    SklearnTrainStep,
    as_train_step,
    sklearn_train_step,
    torch_train_step,
)
from shiftwatch.testing.assertions import (
    assert_no_drift,
    assert_profile_close,
    assert_schema,
    load_schema,
)
from shiftwatch.testing.golden import GoldenFile, GoldenMetric, bootstrap_interval
from shiftwatch.testing.training import (
    TrainingRun,
    assert_overfits,
    assert_reproducible,
    assert_trains,
    seed_everything,
)

__all__ = [
    "GoldenFile",
    "GoldenMetric",
    "SklearnTrainStep",
    "TrainingRun",
    "as_train_step",
    "assert_no_drift",
    "assert_overfits",
    "assert_profile_close",
    "assert_reproducible",
    "assert_schema",
    "assert_trains",
    "bootstrap_interval",
    "load_schema",
    "seed_everything",
    "sklearn_train_step",
    "torch_train_step",
]
