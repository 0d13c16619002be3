"""Tests of shiftwatch.monitor.scores: normal scores against scipy, blocks, CUSUM calibration.

Calibration (seeded simulation, one-sided test at 0.001): each column's CUSUM must not alarm
more often than once per ``ert_blocks`` blocks on unshifted data, over references drawn anew
(the reference's own sampling error is what the raised ``k`` absorbs).
"""

import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import special, stats

from shiftwatch.detectors.cusum import CUSUM
from shiftwatch.monitor.scores import BIAS_MARGIN, CUSUM_K, NormalScores, ScoreStreams
from shiftwatch.profile import Profile

LEVEL = 0.001


def test_normal_scores_are_the_inverse_normal_of_scipys_mean_percentile() -> None:
    rng = np.random.default_rng(1)
    reference = rng.integers(0, 50, 1_500).astype(float)  # many ties; exact (under k)
    scores = NormalScores(Profile.from_data({"x": reference})["x"])
    x = np.concatenate([rng.integers(-5, 55, 200).astype(float), [np.nan]])
    n = reference.size
    ranks = np.array([stats.percentileofscore(reference, v, kind="mean") / 100 for v in x[:-1]])
    expected = special.ndtri(np.clip(ranks, 0.5 / n, 1 - 0.5 / n))
    got = scores(x)
    np.testing.assert_allclose(got[:-1], expected, rtol=0, atol=1e-12)
    assert np.isnan(got[-1])


def test_normal_scores_of_a_skewed_column_are_standard_normal_in_control() -> None:
    rng = np.random.default_rng(2)
    scores = NormalScores(Profile.from_data({"x": rng.lognormal(size=50_000)})["x"])
    u = scores(rng.lognormal(size=50_000))
    # the mean's standard error is about sqrt(1/50,000 + 1/50,000) = 0.0063
    assert abs(u.mean()) < 0.03
    assert u.std() == pytest.approx(1.0, abs=0.02)
    assert stats.skew(u) == pytest.approx(0.0, abs=0.05)


def test_block_scores_feed_the_cusum_one_sum_per_block_whatever_the_batches() -> None:
    rng = np.random.default_rng(3)
    reference = Profile.from_data({"a": rng.normal(size=10_000), "b": rng.exponential(size=10_000)})
    values = {"a": rng.normal(0.3, size=2_350), "b": rng.exponential(size=2_350)}
    values["b"][::7] = np.nan  # missing values are left out of their block's count

    def fed(cuts: list[int]) -> ScoreStreams:
        streams = ScoreStreams(reference, ["a", "b"], block_rows=100, ert_blocks=1e6)
        for start, end in zip([0, *cuts], [*cuts, 2_350], strict=True):
            streams.add(pa.table({name: column[start:end] for name, column in values.items()}))
        streams.flush()
        return streams

    one_batch, many_batches = fed([]), fed([1, 99, 100, 1_250, 1_251, 2_001])
    for name in ("a", "b"):
        u = NormalScores(reference[name])(values[name])[:2_300].reshape(23, 100)
        z = np.nansum(u, axis=1) / np.sqrt((~np.isnan(u)).sum(axis=1))
        expected = one_batch.detectors[name]
        manual = CUSUM(mean=0.0, std=1.0, k=expected.k, threshold=expected.threshold)
        manual.update_many(z)
        for streams in (one_batch, many_batches):
            assert streams.detectors[name].n == 23  # 50 rows wait for the next block
            assert streams.detectors[name].statistic == pytest.approx(manual.statistic, rel=1e-9)


def test_k_is_raised_by_the_reference_bias_margin() -> None:
    reference = Profile.from_data({"x": np.arange(2_500.0)})
    streams = ScoreStreams(reference, ["x"], block_rows=100, ert_blocks=1_000)
    assert streams.detectors["x"].k == pytest.approx(CUSUM_K + BIAS_MARGIN * math.sqrt(100 / 2_500))


@pytest.mark.parametrize(
    ("reference_rows", "block_rows", "ert_blocks"), [(5_000, 50, 300), (50_000, 200, 1_000)]
)
def test_no_shift_alarms_at_most_once_per_ert_blocks(
    reference_rows: int, block_rows: int, ert_blocks: float
) -> None:
    references, blocks_each = 30, 6_000
    alarms = 0
    for run in range(references):
        rng = np.random.default_rng([40, run])
        reference = Profile.from_data({"x": rng.gamma(2.0, size=reference_rows)})
        streams = ScoreStreams(reference, ["x"], block_rows=block_rows, ert_blocks=ert_blocks)
        for part in np.array_split(rng.gamma(2.0, size=blocks_each * block_rows), 20):
            streams.add(pa.table({"x": part}))
        streams.flush()
        alarms += streams.alarm_counts["x"]
    total_blocks = references * blocks_each
    expected = total_blocks / ert_blocks
    print(f"{alarms} alarms over {total_blocks} blocks; at most {expected:.0f} expected")
    assert stats.poisson.sf(alarms - 1, expected) > LEVEL, (alarms, expected)


def test_a_lasting_small_shift_is_found_by_the_scores() -> None:
    rng = np.random.default_rng(5)
    reference = Profile.from_data({"x": rng.normal(size=100_000)})
    streams = ScoreStreams(reference, ["x"], block_rows=100, ert_blocks=10_000)
    streams.add(pa.table({"x": rng.normal(size=20_000)}))
    assert streams.flush() == []
    found_after = None
    for step in range(1, 100):
        streams.add(pa.table({"x": rng.normal(0.1, size=1_000)}))  # a tenth of a std
        if streams.flush() == [("x", "up")]:
            found_after = step * 1_000
            break
    assert found_after is not None
    assert found_after <= 20_000
