"""Make the reference profiles that deploy/shiftwatch.toml names, from data shipped in packages.

    python deploy/reference/make_references.py [FOLDER]     (default: this folder)

- ``churn.swp``: the demo's loan-application table (20,000 generated rows, the reference month
  of ``shiftwatch demo --scenario table``);
- ``churn-outputs.swp``: a churn model's class probabilities on those rows (a fixed logistic
  score of tenure, support calls and plan), profiled as ``prediction`` and ``confidence``;
- ``sklearn-iris.swp``: scikit-learn's bundled iris measurements, named as the KServe example's
  ``feature_names`` (needs ``pip install 'shiftwatch[sklearn]'``).
"""

import sys
from pathlib import Path

import numpy as np

from shiftwatch.demos.tabular import demo_tables
from shiftwatch.outputs import output_columns
from shiftwatch.profile import Profile

IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def churn_probabilities(table: object) -> np.ndarray:
    """Two-class probabilities (stays, churns) from a fixed logistic score."""
    import pyarrow as pa

    assert isinstance(table, pa.Table)
    tenure = table.column("tenure_months").to_numpy()
    calls = table.column("support_calls").to_numpy()
    basic = np.asarray(table.column("plan").to_pylist()) == "basic"
    score = -1.0 - 0.05 * (tenure - 30) + 0.6 * (calls - 1.2) + 0.8 * basic
    churn = 1.0 / (1.0 + np.exp(-score))
    return np.column_stack([1.0 - churn, churn])


def main(folder: Path) -> None:
    """Write the three profiles to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    reference, _ = demo_tables(n_rows=20_000)
    Profile.from_data(reference).save(folder / "churn.swp")
    Profile.from_data(output_columns(churn_probabilities(reference))).save(
        folder / "churn-outputs.swp"
    )
    try:
        from sklearn.datasets import load_iris
    except ImportError:
        sys.exit("sklearn-iris.swp needs scikit-learn: pip install 'shiftwatch[sklearn]'")
    iris = load_iris().data
    Profile.from_data({name: iris[:, j] for j, name in enumerate(IRIS_FEATURES)}).save(
        folder / "sklearn-iris.swp"
    )
    print(f"wrote churn.swp, churn-outputs.swp and sklearn-iris.swp to {folder}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
