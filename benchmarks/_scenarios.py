"""The shifts ``compare_quality.py`` measures: one data set per scenario, unshifted and shifted.

Every scenario starts from ``_data.mixed_frame`` (25 columns) and returns the reference, an
unshifted current set, the shifted current set, and the column the shift is in:

| scenario       | reference rows | what the shifted current set holds                        |
|----------------|----------------|-----------------------------------------------------------|
| mean           | n              | num_0 (normal) + 0.25 sd (the original benchmark)          |
| new_level      | 5,000          | cat_1: a level never seen before in 5% of the rows         |
| scale          | 5,000          | num_0: variance x1.5                                       |
| corr_flip      | 5,000          | two added normal columns, correlation +0.8 -> -0.8         |
| tied_integers  | 5,000          | num_12 (integer ages, ~100 tied values): + 1.5 (0.1 sd)     |
| dates          | 5,000          | an added date column (a year of days): moved by 5 months   |
| bad_values     | 5,000          | num_0 as text, 1% 'abc' on both sides; + 0.25 sd           |

In ``bad_values`` the reference and both current sets hold 'abc' in about 1% of num_0 (a
steady rate of bad values: no shift in it), so the unshifted comparison is a true null.
Peers get dates as integer days (they take no datetime columns); a peer that raises on a data
set counts as an error, not a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

import _data

REFERENCE_ROWS = 5_000
SCENARIOS = ("mean", "new_level", "scale", "corr_flip", "tied_integers", "dates", "bad_values")
TARGETS = {
    "new_level": "cat_1",
    "scale": "num_0",
    "corr_flip": "pair_y",
    "tied_integers": "num_12",
    "dates": "applied",
    "bad_values": "num_0",
}
"""The shifted column of each scenario but "mean" (whose column ``--shift-column`` names)."""


@dataclass(frozen=True)
class Frames:
    reference: pd.DataFrame
    current: pd.DataFrame
    shifted: pd.DataFrame
    column: str
    """The column the shift is in (for corr_flip, the second of the pair)."""


def _pair(rng: np.random.Generator, n: int, correlation: float) -> pd.DataFrame:
    x, noise = rng.normal(size=n), rng.normal(size=n)
    y = correlation * x + np.sqrt(1 - correlation**2) * noise
    return pd.DataFrame({"pair_x": x, "pair_y": y})


def _dates(rng: np.random.Generator, n: int, offset_days: int) -> pd.Series:
    days = rng.integers(0, 365, n) + offset_days
    return pd.Series(np.datetime64("2025-01-01") + days.astype("timedelta64[D]"), name="applied")


BAD_SHARE = 0.01


def _with_bad_values(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """num_0 as text, with each value 'abc' with probability BAD_SHARE."""
    text = frame["num_0"].map(lambda v: f"{v:.6f}").astype(object)
    text[rng.random(len(text)) < BAD_SHARE] = "abc"
    return frame.assign(num_0=text)


def frames(
    scenario: str, n: int, seed: tuple[int, ...], mean_shift: tuple[str, float] = ("num_0", 0.25)
) -> Frames:
    """The three data sets of replicate ``seed`` at ``n`` current rows.

    ``mean_shift`` is the (column, sd) of the "mean" scenario (``--shift-column``, ``--shift``).
    """
    reference_rows = n if scenario == "mean" else REFERENCE_ROWS
    reference = _data.mixed_frame(reference_rows, (*seed, 0))
    current = _data.mixed_frame(n, (*seed, 1))
    rng = np.random.default_rng((*seed, 2))
    build: dict[str, Callable[[], Frames]] = {
        "mean": lambda: Frames(
            reference, current, _data.mixed_frame(n, (*seed, 1), shift=mean_shift), mean_shift[0]
        ),
        "new_level": lambda: Frames(
            reference,
            current,
            current.assign(
                cat_1=np.where(rng.random(n) < 0.05, "plan_new", current["cat_1"].to_numpy())
            ),
            "cat_1",
        ),
        "scale": lambda: Frames(
            reference, current, current.assign(num_0=current["num_0"] * np.sqrt(1.5)), "num_0"
        ),
        "corr_flip": lambda: Frames(
            pd.concat([reference, _pair(rng, reference_rows, 0.8)], axis=1),
            pd.concat([current, _pair(rng, n, 0.8)], axis=1),
            pd.concat([current, _pair(rng, n, -0.8)], axis=1),
            "pair_y",
        ),
        "tied_integers": lambda: Frames(
            reference, current, current.assign(num_12=current["num_12"] + 1.5), "num_12"
        ),
        "dates": lambda: Frames(
            reference.assign(applied=_dates(rng, reference_rows, 0).to_numpy()),
            current.assign(applied=_dates(rng, n, 0).to_numpy()),
            current.assign(applied=_dates(rng, n, 150).to_numpy()),
            "applied",
        ),
        "bad_values": lambda: Frames(
            _with_bad_values(reference, np.random.default_rng((*seed, 4))),
            _with_bad_values(current, np.random.default_rng((*seed, 3))),
            _with_bad_values(
                _data.mixed_frame(n, (*seed, 1), shift=("num_0", 0.25)),
                np.random.default_rng((*seed, 3)),
            ),
            "num_0",
        ),
    }
    return build[scenario]()


def for_peers(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as integer days since 1970: the peers take no datetime columns."""
    if "applied" not in frame.columns:
        return frame
    days = frame["applied"].to_numpy().astype("datetime64[D]").astype(np.int64)
    return frame.assign(applied=days)
