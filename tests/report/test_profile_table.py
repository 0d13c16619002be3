import io

import numpy as np
import pyarrow as pa
from rich.console import Console

from shiftwatch.profile import Profile
from shiftwatch.report.profile_table import profile_table


def _lines(profile: Profile) -> dict[str, str]:
    console = Console(width=120, file=io.StringIO())
    console.print(profile_table(profile))
    rows = [line.split(maxsplit=3) for line in console.file.getvalue().splitlines()]
    return {row[0]: row[3].strip() for row in rows if len(row) == 4 and row[0] in profile}


def test_each_kind_shows_what_a_reader_needs() -> None:
    rng = np.random.default_rng(0)
    n = 6_000
    days = np.datetime64("2024-01-01") + rng.integers(0, 300, n).astype("timedelta64[D]")
    profile = Profile.from_data(
        {
            "age": np.arange(n, dtype=float),
            "plan": np.where(np.arange(n) % 4 == 0, "pro", "basic"),
            "id": [f"user-{i}" for i in range(n)],
            "day": pa.array(days),
            "stamp": pa.array(days.astype("datetime64[ns]")),
        }
    )
    shown = _lines(profile)
    assert shown["age"] == "0 .. 3e+03 .. 6e+03"
    assert shown["plan"] == "'basic' 75%, 'pro' 25%"
    assert shown["id"].startswith("about ") and shown["id"].endswith(" distinct values")
    assert shown["day"] == f"{days.min()} .. {days.max()}"
    assert shown["stamp"] == f"{days.min().astype('datetime64[ns]')} .. " + str(
        days.max().astype("datetime64[ns]")
    )
