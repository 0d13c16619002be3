"""Train steps for the training checks: a plain callable, a scikit-learn estimator, PyTorch.

A train step is a callable ``step(batch) -> loss``. Neither scikit-learn nor PyTorch is
imported here until an estimator of theirs is used: the PyTorch step is duck-typed (a
callable model, an optimizer with ``zero_grad``/``step``, a loss with ``backward``).

How :class:`SklearnTrainStep` trains an estimator one step at a time, by what it offers:

| estimator offers              | one step                                               | e.g.                          |
|-------------------------------|--------------------------------------------------------|-------------------------------|
| ``partial_fit``               | ``partial_fit(X, y)`` on the batch                     | SGDClassifier, MLPClassifier  |
| ``warm_start``, ``n_estimators`` | ``budget`` more estimators, fitted on the batch     | GradientBoostingClassifier    |
| ``warm_start``, ``max_iter``  | ``budget`` more iterations from the last solution      | LogisticRegression            |
| ``max_iter`` only             | a new fit on the batch with ``step * budget`` iterations | (growing budgets)           |

The loss after each step, on ``eval_data`` if given, else on the batch just trained on:
log loss for a classifier with ``predict_proba``, the error rate for other classifiers
(a step function: coarse for ``factor`` checks), mean squared error for regressors, or
``loss(estimator, X, y)``. Convergence warnings are silenced in the iteration strategies,
where stopping early is the point.
"""  # noqa: E501

import warnings
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_count
from shiftwatch.errors import InvalidParameterError

TrainStep = Callable[[Any], Any]
SklearnLoss = Callable[[Any, Any, Any], float]
STRATEGIES = ("partial_fit", "warm_start_estimators", "warm_start_iterations", "growing_max_iter")
_EPSILON = 1e-15


def loss_value(loss: Any, step: int | None = None) -> float:
    """The loss a train step returned, as a float (``.item()`` is called when present).

    >>> loss_value(np.float32(0.25))
    0.25
    """
    item = getattr(loss, "item", None)
    try:
        return float(item() if callable(item) else loss)
    except (TypeError, ValueError):
        at = "" if step is None else f" at step {step}"
        raise InvalidParameterError(
            f"The train step returned {loss!r}{at}: expected the loss as a number "
            "(a float, a NumPy scalar, or a tensor with .item())."
        ) from None


def _is_sklearn_estimator(model: Any) -> bool:
    return hasattr(model, "fit") and hasattr(model, "get_params") and hasattr(model, "set_params")


def _is_torch_module(model: Any) -> bool:
    return all(hasattr(model, name) for name in ("parameters", "zero_grad", "state_dict"))


def as_train_step(model: Any) -> TrainStep:
    """``model`` as a train step: a callable as it is, a scikit-learn estimator wrapped.

    A PyTorch module needs its optimizer and loss: wrap it with :func:`torch_train_step`.

    >>> step = as_train_step(lambda batch: sum(batch))
    >>> step([0.5, 0.25])
    0.75
    """
    if _is_torch_module(model):
        raise InvalidParameterError(
            f"{type(model).__name__} looks like a PyTorch module: a train step also needs its "
            "optimizer and loss. Pass torch_train_step(model, optimizer, loss_fn)."
        )
    if _is_sklearn_estimator(model):
        return SklearnTrainStep(model)
    if callable(model):
        return model  # type: ignore[no-any-return]
    raise InvalidParameterError(
        "The train step must be a callable step(batch) -> loss or a scikit-learn estimator. "
        f"Got {model!r} instead."
    )


def _sklearn() -> tuple[Callable[[Any], bool], type[Warning]]:
    """scikit-learn's classifier test and convergence warning, or the pip command to get it."""
    try:
        from sklearn.base import is_classifier  # type: ignore[import-untyped]
        from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - scikit-learn is in the dev extra
        raise ImportError(
            "Training a scikit-learn estimator step by step needs scikit-learn: "
            "pip install 'shiftwatch[sklearn]'"
        ) from None
    return is_classifier, ConvergenceWarning


def _split(
    batch: Any, expected: str = "A scikit-learn train step takes batches (X, y)"
) -> tuple[Any, Any]:
    try:
        features, target = batch
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{expected}. Got {type(batch).__name__} instead.") from None
    return features, target


class SklearnTrainStep:
    """One training step of a scikit-learn estimator, as a callable ``step((X, y)) -> loss``.

    The strategy is chosen from what the estimator offers (table in
    :mod:`shiftwatch.testing.adapters`); ``strategy`` overrides it. ``classes`` is passed to
    a classifier's first ``partial_fit`` (default: the classes of the first batch, so pass
    them when a batch may lack some). ``budget`` is the estimators or iterations a step adds.

    >>> from sklearn.linear_model import SGDRegressor
    >>> X = np.linspace(0, 1, 40).reshape(-1, 1)
    >>> step = SklearnTrainStep(SGDRegressor(random_state=0))
    >>> step.strategy
    'partial_fit'
    >>> first = step((X, 3 * X.ravel())); later = [step((X, 3 * X.ravel())) for _ in range(20)]
    >>> later[-1] < first / 5
    True
    """

    def __init__(
        self,
        estimator: Any,
        *,
        classes: npt.ArrayLike | None = None,
        loss: SklearnLoss | None = None,
        budget: int = 1,
        eval_data: tuple[Any, Any] | None = None,
        strategy: str | None = None,
    ) -> None:
        if not _is_sklearn_estimator(estimator):
            raise InvalidParameterError(
                f"SklearnTrainStep needs a scikit-learn estimator. Got {estimator!r} instead."
            )
        self.estimator = estimator
        self.classes = None if classes is None else np.asarray(classes)
        self.loss = loss
        self.budget = check_count("SklearnTrainStep", "budget", budget)
        self.eval_data = eval_data
        self.strategy = self._choose(strategy)
        self.steps = 0

    def _choose(self, strategy: str | None) -> str:
        params = self.estimator.get_params()
        offered = [
            name
            for name, ok in zip(
                STRATEGIES,
                (
                    hasattr(self.estimator, "partial_fit"),
                    "warm_start" in params and "n_estimators" in params,
                    "warm_start" in params and "max_iter" in params,
                    "max_iter" in params,
                ),
                strict=True,
            )
            if ok
        ]
        if strategy is None:
            if not offered:
                raise InvalidParameterError(
                    f"{type(self.estimator).__name__} cannot be trained step by step: it has no "
                    "partial_fit, warm_start or max_iter. Test it with a plain train step."
                )
            return offered[0]
        if strategy not in offered:
            raise InvalidParameterError(
                f"The 'strategy' parameter of SklearnTrainStep must be one of {offered} for "
                f"{type(self.estimator).__name__}. Got {strategy!r} instead."
            )
        return strategy

    def __call__(self, batch: Any) -> float:
        """Train on ``batch`` = (X, y) once; return the loss after the step."""
        is_classifier, ConvergenceWarning = _sklearn()
        features, target = _split(batch)
        self.steps += 1
        estimator = self.estimator
        with warnings.catch_warnings():
            if self.strategy != "partial_fit":
                warnings.simplefilter("ignore", ConvergenceWarning)
            if self.strategy == "partial_fit":
                options: dict[str, Any] = {}
                if is_classifier(estimator) and self.steps == 1:
                    options["classes"] = np.unique(target) if self.classes is None else self.classes
                estimator.partial_fit(features, target, **options)
            elif self.strategy == "warm_start_estimators":
                estimator.set_params(warm_start=True, n_estimators=self.steps * self.budget)
                estimator.fit(features, target)
            elif self.strategy == "warm_start_iterations":
                estimator.set_params(warm_start=True, max_iter=self.budget)
                estimator.fit(features, target)
            else:
                estimator.set_params(max_iter=self.steps * self.budget)
                estimator.fit(features, target)
        eval_features, eval_target = (
            (features, target) if self.eval_data is None else self.eval_data
        )
        return self.evaluate(eval_features, eval_target)

    def evaluate(self, features: Any, target: Any) -> float:
        """The loss of the estimator as it is now on (``features``, ``target``)."""
        is_classifier, _ = _sklearn()
        estimator = self.estimator
        if self.loss is not None:
            return float(self.loss(estimator, features, target))
        truth = np.asarray(target)
        if is_classifier(estimator):
            if hasattr(estimator, "predict_proba"):
                return log_loss(truth, estimator.predict_proba(features), estimator.classes_)
            return float(np.mean(np.asarray(estimator.predict(features)) != truth))
        predicted = np.asarray(estimator.predict(features), dtype=np.float64)
        return float(np.mean((predicted - truth.astype(np.float64)) ** 2))

    def __repr__(self) -> str:
        name = type(self.estimator).__name__
        return f"SklearnTrainStep({name}, strategy={self.strategy!r}, steps={self.steps})"


def sklearn_train_step(
    estimator: Any,
    *,
    classes: npt.ArrayLike | None = None,
    loss: SklearnLoss | None = None,
    budget: int = 1,
    eval_data: tuple[Any, Any] | None = None,
    strategy: str | None = None,
) -> SklearnTrainStep:
    """A train step for a scikit-learn estimator (see :class:`SklearnTrainStep`).

    >>> from sklearn.linear_model import LogisticRegression
    >>> sklearn_train_step(LogisticRegression(), budget=5).strategy
    'warm_start_iterations'
    """
    return SklearnTrainStep(
        estimator,
        classes=classes,
        loss=loss,
        budget=budget,
        eval_data=eval_data,
        strategy=strategy,
    )


def log_loss(truth: npt.ArrayLike, probabilities: npt.ArrayLike, classes: npt.ArrayLike) -> float:
    """Mean negative log probability of the true classes; probabilities clipped at 1e-15.

    >>> round(log_loss([0, 1], [[0.9, 0.1], [0.2, 0.8]], [0, 1]), 4)
    0.1643
    """
    labels = np.asarray(classes)
    truth_array = np.asarray(truth)
    order = np.argsort(labels)
    found = np.searchsorted(labels, truth_array, sorter=order)
    found = order[np.clip(found, 0, len(labels) - 1)]
    unknown = labels[found] != truth_array
    if unknown.any():
        raise InvalidParameterError(
            f"Labels {sorted(set(truth_array[unknown].tolist()))} are not among the classes "
            f"the estimator knows ({labels.tolist()})."
        )
    matrix = np.asarray(probabilities, dtype=np.float64)
    chosen = np.clip(matrix[np.arange(len(truth_array)), found], _EPSILON, 1.0)
    return float(-np.mean(np.log(chosen)))


class _Optimizer(Protocol):
    def zero_grad(self) -> Any: ...

    def step(self) -> Any: ...


def torch_train_step(
    model: Callable[[Any], Any], optimizer: _Optimizer, loss_fn: Callable[[Any, Any], Any]
) -> TrainStep:
    """A train step for a PyTorch model: one optimiser step on ``batch = (inputs, targets)``.

    The step puts the model in training mode, computes ``loss_fn(model(inputs), targets)``,
    back-propagates, steps the optimiser, and returns that loss: the loss *before* the
    update, as PyTorch's usual loop reports it. PyTorch is not imported by shiftwatch: any
    objects with these methods work (duck typing).

    >>> class Model:  # the calls a PyTorch model receives, without PyTorch
    ...     weight = 1.0
    ...     def train(self): pass
    ...     def __call__(self, inputs): return self.weight * inputs
    >>> class Loss(float):
    ...     def backward(self): pass
    >>> class Optimizer:
    ...     def zero_grad(self): pass
    ...     def step(self): model.weight -= 0.5
    >>> model = Model()
    >>> step = torch_train_step(model, Optimizer(), lambda out, target: Loss((out - target) ** 2))
    >>> step((2.0, 0.0)), step((2.0, 0.0))
    (4.0, 1.0)
    """

    def step(batch: Any) -> float:
        inputs, targets = _split(batch, "A PyTorch train step takes batches (inputs, targets)")
        train = getattr(model, "train", None)
        if callable(train):
            train()
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss_value(loss.detach() if hasattr(loss, "detach") else loss)

    return step
