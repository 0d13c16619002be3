"""Data 7: the feature code is tested, down to the profile of what it produces."""

import numpy as np
import pytest
from digits_example.data import column_names, model_inputs, pixel_table

from shiftwatch.testing import assert_profile_close

pytestmark = pytest.mark.feature_code


def test_pixel_table_keeps_every_pixel_in_reading_order(data) -> None:
    """Column ``pixel_r_c`` holds row r, column c of each image."""
    table = pixel_table(data.train_images[:5])
    assert list(table) == column_names()
    assert np.array_equal(table["pixel_3_5"], data.train_images[:5, 3, 5])


def test_model_inputs_are_scaled_to_the_unit_interval(data) -> None:
    """Intensities 0-16 become 0-1, one row of 64 per image."""
    inputs = model_inputs(data.train_images)
    assert inputs.shape == (len(data.train_images), 64)
    assert inputs.min() == 0.0
    assert inputs.max() == 1.0


def test_the_feature_table_still_profiles_like_the_checked_in_reference(data, reference) -> None:
    """Today's feature code, run on today's data, gives the profile we checked in."""
    assert_profile_close(reference, pixel_table(data.train_images))


def test_a_feature_code_change_is_caught(data, reference) -> None:
    """Swapping rows and columns (a transposed image) changes the profile: the check fails."""
    transposed = pixel_table(np.transpose(data.train_images, (0, 2, 1)))
    with pytest.raises(AssertionError, match=r"Profiles differ in \d+ of 64 columns"):
        assert_profile_close(reference, transposed)
