"""Write the checked-in reference files: ``python -m digits_example.reference``.

``reference/digits.swp`` is the profile of the training features: the summaries and the
schema (ranges, types) that the tests and the monitor compare new data with.
``data/serving-sample.csv`` stands for a sample of logged serving requests (here, the first
``SAMPLE`` test images), which the nightly skew check compares with the profile. Rewrite
them only when the training data changes on purpose, and review what the tests then say.
"""

import csv
import sys
from pathlib import Path

import shiftwatch as sw
from digits_example.data import column_names, pixel_table, split
from digits_example.monitoring import REFERENCE

SERVING_SAMPLE = REFERENCE.parent.parent / "data" / "serving-sample.csv"
SAMPLE = 100


def build_reference() -> sw.Profile:
    """The profile of the training split's pixel table."""
    return sw.Profile.from_data(pixel_table(split().train_images))


def write_sample(path: Path, images: "list[list[float]]") -> None:
    """Write flattened images as a CSV of pixel columns, intensities as integers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(column_names())
        writer.writerows([[int(v) for v in row] for row in images])


def main() -> int:
    """Write the profile and the serving sample, and say where."""
    profile = build_reference()
    REFERENCE.parent.mkdir(parents=True, exist_ok=True)
    profile.save(REFERENCE)
    sample = split().test_images[:SAMPLE].reshape(SAMPLE, -1).tolist()
    write_sample(SERVING_SAMPLE, sample)
    print(f"Wrote {REFERENCE} ({profile.n} rows, {len(profile)} columns) and {SERVING_SAMPLE}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
