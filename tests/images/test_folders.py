"""Image folders: PNG and JPEG files written to tmp_path and read back, labels from sub-folders."""

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from shiftwatch.errors import FormatError, InvalidParameterError, NoDataError
from shiftwatch.images import (
    FEATURE_NAMES,
    image_features,
    image_table,
    is_image_folder,
    load_image,
    read_image_folder,
)
from shiftwatch.images import folders as folders_module


def write_digits(root: Path, digits: npt.NDArray[np.uint8], labels: list[int]) -> list[Path]:
    """One PNG per digit in a folder per class, named so that sorting keeps input order."""
    paths = []
    for index, (image, label) in enumerate(zip(digits, labels, strict=True)):
        path = root / f"class_{label}" / f"{index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path)
        paths.append(path)
    return paths


def test_png_round_trip_gives_the_array_features(
    tmp_path: Path, digits: npt.NDArray[np.uint8]
) -> None:
    labels = [i % 3 for i in range(30)]
    write_digits(tmp_path, digits[:30], labels)
    table = image_table(tmp_path, batch_size=7)
    assert table.column_names == [*FEATURE_NAMES, "label"]
    # sorted by relative path: class_0 first, then class_1, class_2
    order = sorted(range(30), key=lambda i: (labels[i], i))
    assert table.column("label").to_pylist() == [f"class_{labels[i]}" for i in order]
    expected = image_features(digits[:30][order])
    for name in FEATURE_NAMES:
        np.testing.assert_array_equal(table.column(name).to_numpy(), expected[name])


def test_jpeg_colour_images_read_back_close(
    tmp_path: Path, colour_images: npt.NDArray[np.uint8]
) -> None:
    for index, image in enumerate(colour_images):
        Image.fromarray(image).save(tmp_path / f"{index:02d}.jpg", quality=95)
    table = image_table(tmp_path)
    assert "label" not in table.column_names  # every file at the top level
    expected = image_features(colour_images)
    np.testing.assert_allclose(
        table.column("brightness").to_numpy(), expected["brightness"], atol=2
    )
    assert table.column("width").to_pylist() == [30] * 12
    assert table.column("saturation").to_numpy().min() > 0


def test_modes_are_decoded_to_gray_or_rgb(tmp_path: Path) -> None:
    Image.new("RGBA", (4, 3), (10, 20, 30, 0)).save(tmp_path / "rgba.png")
    Image.new("LA", (4, 3), (77, 5)).save(tmp_path / "la.png")
    palette = Image.new("P", (4, 3), 1)
    palette.putpalette([0, 0, 0, 200, 100, 50] + [0] * 762)
    palette.info["transparency"] = b"\x00" + b"\xff" * 255
    palette.save(tmp_path / "palette.png", transparency=0)
    Image.fromarray(np.full((3, 4), 40000, dtype=np.uint16)).save(tmp_path / "deep.png")
    assert load_image(tmp_path / "rgba.png")[0, 0].tolist() == [10, 20, 30]
    assert load_image(tmp_path / "la.png").shape == (3, 4)
    assert load_image(tmp_path / "palette.png")[0, 0].tolist() == [200, 100, 50]
    assert load_image(tmp_path / "deep.png")[0, 0] == 40000 >> 8


def test_order_is_sorted_and_hidden_and_other_files_are_skipped(tmp_path: Path) -> None:
    for name in ("b/2.png", "a/10.png", "a/9.jpeg", "top.PNG", ".cache/x.png", "a/.y.png"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("L", (3, 3), 9).save(path, format="JPEG" if name.endswith("jpeg") else "PNG")
    (tmp_path / "labels.csv").write_text("file,label\n")
    batches = list(read_image_folder(tmp_path, batch_size=2))
    paths = [p.relative_to(tmp_path).as_posix() for b in batches for p in b.paths]
    assert paths == ["a/10.png", "a/9.jpeg", "b/2.png", "top.PNG"]
    assert [b.labels for b in batches] == [("a", "a"), ("b", None)]


def test_batches_end_at_the_pixel_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(5):
        Image.new("RGB", (10, 10)).save(tmp_path / f"{index}.png")
    monkeypatch.setattr(folders_module, "MAX_BATCH_VALUES", 600)  # two 10x10x3 images
    sizes = [len(b.images) for b in read_image_folder(tmp_path, batch_size=100)]
    assert sizes == [2, 2, 1]


def test_unreadable_file_raises_naming_it(tmp_path: Path) -> None:
    Image.new("L", (3, 3)).save(tmp_path / "good.png")
    (tmp_path / "broken.png").write_bytes(b"not an image at all")
    batches = read_image_folder(tmp_path)
    with pytest.raises(FormatError, match=r"Cannot read '.*broken\.png' as an image"):
        list(batches)
    truncated = tmp_path / "truncated.jpg"
    Image.new("RGB", (64, 64), (1, 2, 3)).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(FormatError, match=r"truncated\.jpg"):
        load_image(truncated)


def test_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such folder"):
        read_image_folder(tmp_path / "absent")
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(NoDataError, match=r"No image file \(.*\.png.*\) under"):
        read_image_folder(tmp_path)
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter"):
        read_image_folder(tmp_path, batch_size=0)


def test_image_folder_is_decided_by_file_extensions(tmp_path: Path) -> None:
    assert not is_image_folder(tmp_path)
    assert not is_image_folder(tmp_path / "absent")
    Image.new("L", (3, 3)).save(tmp_path / "a.png")
    assert is_image_folder(tmp_path)
    assert not is_image_folder(tmp_path / "a.png")  # a file, not a folder
    (tmp_path / "part-0.parquet").write_bytes(b"")
    assert not is_image_folder(tmp_path)  # Parquet files make it a dataset


def test_missing_pillow_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Image.new("L", (3, 3)).save(tmp_path / "a.png")
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pip install 'shiftwatch\[images\]'"):
        load_image(tmp_path / "a.png")
