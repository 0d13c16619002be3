"""Tests of shiftwatch.monitor.windows: sliding windows kept as merged bucket profiles.

The law checked here: the window's profile equals ``Profile.from_batches`` of exactly the
rows the window covers (the newest ones), counts exactly and moments to 1e-9, whatever the
batch sizes and wherever they straddle bucket boundaries.
"""

import math

import numpy as np
import pyarrow as pa
import pytest

from shiftwatch.monitor.windows import BucketedWindow
from shiftwatch.profile import Profile

NAMES = ["x", "plan", "count"]
PLANS = np.array(["basic", "plus", "pro"])


def make_rows(rng: np.random.Generator, n: int, start: int) -> pa.RecordBatch:
    """``x`` holds the row number (so a profile's min tells the oldest row covered)."""
    x = np.arange(start, start + n, dtype=np.float64)
    x[rng.random(n) < 0.05] = np.nan
    return pa.record_batch(
        {
            "x": x,
            "plan": PLANS[rng.integers(0, 3, n)],
            "count": rng.poisson(2.0, n),
        }
    )


def assert_same_summaries(window_profile: Profile, expected: Profile) -> None:
    assert window_profile.n == expected.n
    for name in NAMES:
        got, want = window_profile[name], expected[name]
        assert (got.n, got.nulls, got.missing, got.infinite) == (
            want.n,
            want.nulls,
            want.missing,
            want.infinite,
        ), name
        if want.frequencies is not None and got.frequencies is not None:
            assert got.frequencies.counts == want.frequencies.counts, name
        if want.moments is not None:
            assert got.moments is not None
            assert got.moments.n == want.moments.n
            assert (got.moments.min, got.moments.max) == (want.moments.min, want.moments.max)
            assert got.moments.mean == pytest.approx(want.moments.mean, rel=1e-9, abs=1e-9)
            assert got.moments.variance == pytest.approx(want.moments.variance, rel=1e-9)
        if want.quantiles is not None:
            assert got.quantiles is not None
            assert got.quantiles.n == want.quantiles.n


@pytest.mark.parametrize(
    ("window", "buckets", "batch_sizes"),
    [
        pytest.param(1000, 10, [100], id="aligned-batches"),
        pytest.param(1000, 10, [37, 250, 3, 1], id="straddling-batches"),
        pytest.param(1000, 3, [333, 1000, 7], id="window-not-divisible-by-buckets"),
        pytest.param(15, 10, [4, 1, 9], id="window-barely-above-buckets"),
        pytest.param(5, 10, [2, 3], id="window-below-buckets"),
        pytest.param(500, 4, [1200, 60], id="batches-larger-than-the-window"),
    ],
)
def test_count_window_covers_the_newest_rows_within_one_bucket(
    window: int, buckets: int, batch_sizes: list[int]
) -> None:
    rng = np.random.default_rng(11)
    sliding = BucketedWindow(NAMES, window=window, buckets=buckets)
    bucket_rows = math.ceil(window / buckets)
    logged: list[pa.RecordBatch] = []
    total = 0
    for step in range(60):
        size = batch_sizes[step % len(batch_sizes)]
        batch = make_rows(rng, size, total)
        sliding.add(batch, 0.0)
        logged.append(batch)
        total += size
        covered = sliding.n
        assert min(total, window) <= covered < window + bucket_rows, (step, covered)
        assert len(sliding._sealed) <= buckets
        if step % 7 == 0 or step == 59:
            newest = pa.Table.from_batches(logged).slice(total - covered).combine_chunks()
            expected = Profile.from_batches(NAMES, newest.to_batches())
            assert_same_summaries(sliding.profile(), expected)


def test_staged_rows_are_in_the_profile() -> None:
    rng = np.random.default_rng(5)
    sliding = BucketedWindow(NAMES, window=10_000, buckets=2)  # stages up to 1,000 rows
    first, second = make_rows(rng, 30, 0), make_rows(rng, 45, 30)
    sliding.add(first, 0.0)
    assert sliding.n == 30
    assert_same_summaries(sliding.profile(), Profile.from_batches(NAMES, [first]))
    sliding.add(second, 0.0)
    assert sliding.n == 75
    assert_same_summaries(sliding.profile(), Profile.from_batches(NAMES, [first, second]))


def test_an_empty_window_has_an_empty_profile() -> None:
    sliding = BucketedWindow(NAMES, window=100)
    assert sliding.n == 0
    assert sliding.profile().n == 0


def test_time_window_drops_buckets_older_than_the_duration() -> None:
    rng = np.random.default_rng(8)
    duration, buckets = 10.0, 5
    span = duration / buckets
    sliding = BucketedWindow(NAMES, duration=duration, buckets=buckets)
    stamps: list[float] = []
    for second in range(60):
        now = second * 0.5  # one batch of 20 rows every half second; x holds the time
        plans = PLANS[rng.integers(0, 3, 20)]
        batch = pa.record_batch({"x": np.full(20, now), "plan": plans, "count": np.ones(20)})
        sliding.add(batch, now)
        stamps += [now] * 20
        assert len(sliding._sealed) <= buckets
        profile = sliding.profile()
        oldest = profile["x"].moments.min
        # covers everything of the last `duration` seconds, nothing older than one span more
        assert oldest <= max(0.0, now - duration)
        assert oldest > now - duration - span
        assert profile.n == sum(stamp >= oldest for stamp in stamps)


def test_time_window_after_a_long_silence_forgets_everything_before() -> None:
    rng = np.random.default_rng(9)
    sliding = BucketedWindow(NAMES, duration=60.0, buckets=6)
    sliding.add(make_rows(rng, 500, 0), 0.0)
    sliding.add(make_rows(rng, 500, 500), 30.0)
    sliding.add(make_rows(rng, 7, 1000), 1000.0)
    assert sliding.n == 7
    assert sliding.profile()["x"].moments.min >= 1000.0


def test_numeric_columns_keep_no_level_counts_but_others_do() -> None:
    rng = np.random.default_rng(4)
    sliding = BucketedWindow(NAMES, window=200, buckets=4, numeric=["x"])
    for start in range(0, 1000, 50):
        sliding.add(make_rows(rng, 50, start), 0.0)
    profile = sliding.profile()
    assert profile["x"].frequencies is None
    assert profile["x"].quantiles is not None
    assert profile["x"].quantiles.n + profile["x"].missing == 200
    assert profile["plan"].frequencies is not None
    assert sum(profile["plan"].frequencies.counts.values()) == 200


def test_memory_stays_bounded_over_many_batches() -> None:
    rng = np.random.default_rng(2)
    sliding = BucketedWindow(["x"], window=1000, buckets=10, numeric=["x"])
    for _ in range(800):
        sliding.add(pa.record_batch({"x": rng.normal(size=250)}), 0.0)
        assert len(sliding._sealed) <= 10
        assert len(sliding._staged) <= 1 + 250 // 100
    assert 1000 <= sliding.n < 1100
