import numpy as np
import pytest

from shiftwatch.errors import SchemaError
from shiftwatch.outputs import output_columns, predicted_labels, with_outputs
from shiftwatch.profile import Profile


def test_probabilities_give_the_argmax_and_the_top_probability() -> None:
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(4), size=500)
    columns = output_columns(probabilities)
    np.testing.assert_array_equal(columns["prediction"], probabilities.argmax(axis=1))
    np.testing.assert_array_equal(columns["confidence"], probabilities.max(axis=1))


def test_labels_and_regression_outputs_give_the_prediction_only() -> None:
    assert list(output_columns(np.array([1.5, 2.5]))) == ["prediction"]
    assert predicted_labels(["a", "b"]).tolist() == ["a", "b"]


@pytest.mark.parametrize(
    ("outputs", "rows", "message"),
    [
        (np.zeros((2, 2, 2)), None, r"got shape \(2, 2, 2\)"),
        (np.zeros(3), 2, "'outputs' has 3 rows; the inputs have 2"),
    ],
)
def test_bad_outputs_say_what_was_expected(
    outputs: np.ndarray, rows: int | None, message: str
) -> None:
    with pytest.raises(SchemaError, match=message):
        output_columns(outputs, rows)


def test_with_outputs_profiles_the_class_mix_and_confidence() -> None:
    table = with_outputs({"x": [0.0, 1.0, 2.0]}, [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    profile = Profile.from_data(table)
    assert profile.column_names == ("x", "prediction", "confidence")
    assert profile["confidence"].moments.mean == pytest.approx((0.9 + 0.8 + 0.6) / 3)
    assert profile["prediction"].frequencies.counts == {0: 2, 1: 1}
