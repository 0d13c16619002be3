"""Shared setup of the digits example's tests: the import path, the markers, the fixtures.

Each marker names the rubric test (``readiness.toml``) its tests prove.
"""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the example is a folder, not an installed package
    sys.path.insert(0, str(HERE))

from digits_example.data import Split, split  # noqa: E402
from digits_example.model import train  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402

import shiftwatch as sw  # noqa: E402

MARKERS = {
    "data_schema": "Data 1: feature expectations are captured in a schema",
    "feature_code": "Data 7: all input feature code is tested",
    "baseline": "Model 5: a simpler model is not better",
    "slices": "Model 6: model quality is sufficient on important data slices",
    "reproducible": "Infra 1: training is reproducible",
    "training": "Infra 2: model specs are unit tested",
    "golden": "Infra 4: model quality is validated before serving",
    "serving_inputs": "Monitor 2: data invariants hold for inputs",
    "serving_quality": "Monitor 7: prediction quality has not regressed",
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (the tests run with --strict-markers)."""
    for name, meaning in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


@pytest.fixture(scope="session")
def data() -> Split:
    """The fixed training/test split."""
    return split()


@pytest.fixture(scope="session")
def model(data: Split) -> SGDClassifier:
    """The model as the pipeline trains it (seed 0)."""
    return train(data)


@pytest.fixture(scope="session")
def reference() -> sw.Profile:
    """The checked-in profile of the training features."""
    return sw.Profile.load(HERE / "reference" / "digits.swp")
