"""compare, Profile and the readers accept images: every tabular test applies to them."""

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

import shiftwatch as sw
from shiftwatch.errors import FormatError, InvalidParameterError
from shiftwatch.images import FEATURE_NAMES
from shiftwatch.io import to_table
from shiftwatch.io.chunks import iter_chunks

SPLIT_SEED = 2024  # the random split of the digits into two halves
NOISE_SEED = 7
NOISE_SIGMA = 40.0  # on the 0-255 scale


def halves(digits: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    order = np.random.default_rng(SPLIT_SEED).permutation(len(digits))
    middle = len(digits) // 2
    return digits[order[:middle]], digits[order[middle:]]


def with_noise(images: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    rng = np.random.default_rng(NOISE_SEED)
    noisy = images + rng.normal(0.0, NOISE_SIGMA, size=images.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def write_pngs(root: Path, images: npt.NDArray[np.uint8], classes: int = 1) -> Path:
    for index, image in enumerate(images):
        folder = root / f"digit_{index % classes}" if classes > 1 else root
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(folder / f"{index:04d}.png")
    return root


def test_two_halves_of_the_digits_do_not_drift(digits: npt.NDArray[np.uint8]) -> None:
    reference, current = halves(digits)
    report = sw.compare(reference, current, alpha=0.05)
    assert not report.drifted
    assert list(report.columns) == list(FEATURE_NAMES)
    assert report.columns["sharpness"].test == "ks"


def test_gaussian_noise_is_flagged(digits: npt.NDArray[np.uint8]) -> None:
    reference, current = halves(digits)
    report = sw.compare(reference, with_noise(current), alpha=0.05)
    assert report.drifted
    assert {"sharpness", "entropy", "contrast"} <= set(report.drifted_columns)
    assert not report.columns["width"].drifted


def test_float_arrays_and_lists_compare_like_uint8(digits: npt.NDArray[np.uint8]) -> None:
    reference, current = halves(digits)
    as_bytes = sw.compare(reference, with_noise(current))
    as_floats = sw.compare(reference / 255.0, list(with_noise(current)))
    for name in FEATURE_NAMES:
        assert as_floats.columns[name].p_value == pytest.approx(as_bytes.columns[name].p_value)


def test_profile_from_a_folder_with_class_labels(
    tmp_path: Path, digits: npt.NDArray[np.uint8]
) -> None:
    reference, current = halves(digits[:300])
    folder = write_pngs(tmp_path / "ref", reference, classes=3)
    profile = sw.Profile.from_data(folder, batch_rows=64)
    assert profile.n == len(reference)
    assert profile["label"].kind == sw.ColumnKind.CATEGORICAL
    same_source = write_pngs(tmp_path / "cur", current, classes=3)
    assert not sw.compare(profile, same_source).drifted
    assert not sw.compare(folder, same_source).drifted
    noisy = write_pngs(tmp_path / "noisy", with_noise(current), classes=3)
    report = sw.compare(profile, noisy)
    assert report.drifted and "contrast" in report.drifted_columns
    assert not report.columns["label"].drifted


def test_profile_from_an_array(digits: npt.NDArray[np.uint8]) -> None:
    profile = sw.Profile.from_data(digits[:100])
    assert profile.n == 100
    assert sorted(profile.column_names) == sorted(FEATURE_NAMES)


def test_a_parquet_folder_is_not_an_image_folder(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1.0, 2.0]}), tmp_path / "part-0.parquet")
    Image.new("L", (3, 3)).save(tmp_path / "preview.png")
    chunks = iter_chunks(tmp_path)
    assert chunks.schema.names == ["x"]
    images = tmp_path / "images"
    images.mkdir()
    Image.new("L", (3, 3)).save(images / "a.png")
    assert iter_chunks(images).schema.names == list(FEATURE_NAMES)


def test_what_is_not_images_keeps_its_old_errors(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="Cannot read the current data from a ndarray"):
        to_table(np.zeros((5, 3)), role="current")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FormatError, match="Cannot tell the format"):
        to_table(tmp_path)
    with pytest.raises(FormatError, match="Cannot read the input data from a list"):
        to_table([1, 2, 3])


def test_bad_image_inputs_name_the_role_the_shape_and_the_file(tmp_path: Path) -> None:
    good = np.zeros((10, 8, 8), dtype=np.uint8)
    with pytest.raises(InvalidParameterError, match=r"current images .* got shape \(10, 8, 8, 2\)"):
        sw.compare(good, np.zeros((10, 8, 8, 2)))
    Image.new("L", (8, 8)).save(tmp_path / "fine.png")
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG but not really")
    with pytest.raises(FormatError, match=r"corrupt\.png"):
        sw.compare(good, tmp_path)
    with pytest.raises(FormatError, match=r"corrupt\.png"):
        sw.Profile.from_data(tmp_path)


def test_sharpness_of_tiny_images_is_missing() -> None:
    from shiftwatch.images import image_table

    table = image_table([np.zeros((2, 2), np.uint8), np.zeros((5, 5), np.uint8)])
    assert table.column("sharpness").to_pylist() == [None, 0.0]
    assert table.column("contrast").null_count == 0
