"""Data 1: what the features must look like is captured in a schema, and data checked."""

import numpy as np
import pytest
from digits_example.data import pixel_table

from shiftwatch.testing import assert_schema

pytestmark = pytest.mark.data_schema


def test_the_reference_schema_covers_every_feature(reference) -> None:
    """One rule per pixel, intensities within 0-16 (widened by the tolerance)."""
    rules = reference.schema.columns
    assert len(rules) == 64
    assert all(rule.kind.value == "numeric" and rule.maximum <= 17.6 for rule in rules.values())


def test_training_and_test_features_follow_the_schema(data, reference) -> None:
    """Both splits break no rule."""
    assert assert_schema(pixel_table(data.train_images), reference).n_rows == 1347
    assert assert_schema(pixel_table(data.test_images), reference).n_rows == 450


def test_images_on_another_scale_break_the_schema(data, reference) -> None:
    """0-255 intensities (another scanner's export) are reported row by row."""
    rescaled = pixel_table(np.round(data.test_images[:20] * 255 / 16))
    with pytest.raises(AssertionError, match=r"20 of 20 rows break the schema") as failure:
        assert_schema(rescaled, reference)
    assert "is above the maximum" in str(failure.value)
