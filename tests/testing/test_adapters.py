import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor
from sklearn.neighbors import KNeighborsClassifier

from shiftwatch.errors import InvalidParameterError
from shiftwatch.testing import (
    SklearnTrainStep,
    assert_overfits,
    assert_reproducible,
    assert_trains,
    sklearn_train_step,
    torch_train_step,
)
from shiftwatch.testing.adapters import log_loss


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    data = load_digits()
    return data.data[:600] / 16.0, data.target[:600]


def mini_batches(inputs, labels, size=50):
    return [(inputs[i : i + size], labels[i : i + size]) for i in range(0, len(labels), size)]


@pytest.mark.parametrize(
    ("estimator", "strategy"),
    [
        pytest.param(SGDClassifier(), "partial_fit", id="sgd-partial-fit"),
        pytest.param(GradientBoostingClassifier(), "warm_start_estimators", id="boosting"),
        pytest.param(LogisticRegression(), "warm_start_iterations", id="logistic"),
    ],
)
def test_the_strategy_follows_what_the_estimator_offers(estimator, strategy):
    assert SklearnTrainStep(estimator).strategy == strategy


def test_an_estimator_that_cannot_train_in_steps_is_refused():
    with pytest.raises(InvalidParameterError, match="KNeighborsClassifier cannot be trained step"):
        SklearnTrainStep(KNeighborsClassifier())
    with pytest.raises(
        InvalidParameterError,
        match=r"must be one of \['warm_start_iterations', 'growing_max_iter'\]",
    ):
        SklearnTrainStep(LogisticRegression(), strategy="partial_fit")
    with pytest.raises(InvalidParameterError, match="needs a scikit-learn estimator"):
        SklearnTrainStep(lambda batch: 1.0)


def test_partial_fit_log_loss_falls_on_digits(digits):
    step = sklearn_train_step(SGDClassifier(loss="log_loss", random_state=0), classes=np.arange(10))
    run = assert_trains(step, mini_batches(*digits), max_steps=12, factor=0.5, window=2)
    assert run.losses[0] > 1.0
    assert step.steps == run.steps


def test_an_estimator_passed_directly_is_wrapped(digits):
    inputs, labels = digits
    # The first batch holds every class, so the default (classes of the first batch) works.
    run = assert_trains(
        SGDClassifier(loss="log_loss", random_state=0),
        mini_batches(inputs, labels, size=100),
        max_steps=12,
        factor=0.5,
        window=2,
    )
    assert run.passed_at is not None


def test_shuffled_labels_make_a_sklearn_model_fail_the_check(digits):
    inputs, labels = digits
    shuffled = np.random.default_rng(0).permutation(labels)
    step = sklearn_train_step(
        SGDClassifier(loss="log_loss", random_state=0),
        classes=np.arange(10),
        eval_data=(inputs[500:], shuffled[500:]),
    )
    with pytest.raises(AssertionError, match=r"did not fall to 0.5 x its start within 10 steps"):
        assert_trains(step, mini_batches(inputs[:500], shuffled[:500]), max_steps=10, window=2)


def test_warm_started_iterations_train_without_convergence_warnings(digits):
    inputs, labels = digits
    step = sklearn_train_step(LogisticRegression(), budget=2, eval_data=(inputs, labels))
    run = assert_trains(step, [(inputs, labels)], max_steps=20, factor=0.3, window=1)
    assert step.estimator.max_iter == 2
    assert run.losses[-1] < run.losses[0]


def test_boosting_grows_by_the_budget_each_step(digits):
    inputs, labels = digits
    step = sklearn_train_step(GradientBoostingClassifier(max_depth=2, random_state=0), budget=2)
    losses = [step((inputs[:200], labels[:200])) for _ in range(3)]
    assert step.estimator.n_estimators_ == 6
    assert losses[2] < losses[1] < losses[0]


def test_growing_max_iter_refits_with_a_larger_budget(digits):
    inputs, labels = digits
    step = sklearn_train_step(LogisticRegression(), strategy="growing_max_iter", budget=3)
    first = step((inputs, labels))
    second = step((inputs, labels))
    assert step.estimator.max_iter == 6
    assert second < first


def test_a_regressor_overfits_one_batch_by_mean_squared_error():
    rng = np.random.default_rng(2)
    inputs = rng.uniform(size=(10, 2))
    targets = inputs @ np.array([1.5, -2.0])
    step = sklearn_train_step(SGDRegressor(alpha=0.0, eta0=0.1, random_state=0))
    run = assert_overfits(step, (inputs, targets), max_steps=500, target=1e-3)
    assert run.losses[0] > 0.1


def test_a_classifier_without_probabilities_is_scored_by_its_error_rate(digits):
    inputs, labels = digits
    step = sklearn_train_step(SGDClassifier(loss="hinge", random_state=0), classes=np.arange(10))
    loss = step((inputs, labels))
    predicted = step.estimator.predict(inputs)
    assert loss == pytest.approx(np.mean(predicted != labels))


def test_a_custom_loss_is_used(digits):
    inputs, labels = digits

    def accuracy_gap(estimator, features, target):
        return 1.0 - estimator.score(features, target)

    step = sklearn_train_step(SGDClassifier(random_state=0), loss=accuracy_gap)
    assert step((inputs, labels)) == pytest.approx(1.0 - step.estimator.score(inputs, labels))


def test_batches_must_be_pairs():
    step = sklearn_train_step(SGDClassifier())
    with pytest.raises(InvalidParameterError, match=r"takes batches \(X, y\). Got ndarray"):
        step(np.zeros((3, 2)))


def test_log_loss_matches_its_definition_and_rejects_unknown_labels():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert log_loss(["b", "a"], probabilities[:, [1, 0, 2]], ["a", "b", "c"]) == pytest.approx(
        -(np.log(0.7) + np.log(0.1)) / 2
    )
    with pytest.raises(InvalidParameterError, match=r"Labels \['z'\] are not among the classes"):
        log_loss(["z"], probabilities[:1], ["a", "b", "c"])


def test_seeded_sklearn_training_is_reproducible(digits):
    inputs, labels = digits

    def train(seed):
        model = SGDClassifier(loss="log_loss", random_state=seed)
        model.fit(inputs, labels)
        return model.predict_proba(inputs[:50])

    assert assert_reproducible(train, seed=1)[0]["result"].shape == (50, 10)


class FakeTensor(float):
    """What a PyTorch loss offers the step: backward, detach, item."""

    backwards = 0

    def backward(self):
        FakeTensor.backwards += 1

    def detach(self):
        return self

    def item(self):
        return float(self)


def test_the_pytorch_step_is_duck_typed_and_needs_pairs():
    calls = []

    class Optimizer:
        def zero_grad(self):
            calls.append("zero_grad")

        def step(self):
            calls.append("step")

    class Model:
        def train(self):
            calls.append("train")

        def __call__(self, inputs):
            return inputs * 2

    step = torch_train_step(Model(), Optimizer(), lambda out, target: FakeTensor(out - target))
    assert step((3.0, 1.0)) == 5.0
    assert calls == ["train", "zero_grad", "step"]
    assert FakeTensor.backwards == 1
    with pytest.raises(InvalidParameterError, match=r"takes batches \(inputs, targets\)"):
        step([1.0, 2.0, 3.0])
