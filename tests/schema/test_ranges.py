"""Schema ranges with a stated false-violation rate: measured by simulation on clean data."""

import numpy as np
import pytest
from scipy import stats

from shiftwatch.schema import Schema
from shiftwatch.schema.ranges import DEFAULT_RATE, MIN_TAIL_N

LIGHT_TAILS = {
    "normal": stats.norm(40, 10),
    "exponential": stats.expon(scale=3.0),
    "uniform": stats.uniform(0, 100),
}


@pytest.mark.parametrize("n", [pytest.param(200, id="n=200"), pytest.param(5_000, id="n=5000")])
@pytest.mark.parametrize("name", sorted(LIGHT_TAILS))
def test_clean_values_break_a_range_at_most_at_the_stated_rate(name: str, n: int) -> None:
    distribution = LIGHT_TAILS[name]
    rng = np.random.default_rng(20261207)
    outside = []
    for _ in range(40):
        rule = Schema.infer({"x": distribution.rvs(n, random_state=rng)}).columns["x"]
        assert rule.minimum is not None and rule.maximum is not None
        outside.append(distribution.cdf(rule.minimum) + distribution.sf(rule.maximum))
    assert np.mean(outside) <= DEFAULT_RATE


def test_an_unshifted_5000_row_batch_breaks_no_range_of_the_old_failure() -> None:
    # The report of issue 14: "175300.0 is above the maximum, 172030.0" on clean data.
    rng = np.random.default_rng(3)
    income = stats.lognorm(0.5, scale=50_000)
    schema = Schema.infer({"income": income.rvs(5_000, random_state=rng)})
    rule = schema.columns["income"]
    assert income.sf(rule.maximum) + income.cdf(rule.minimum) <= DEFAULT_RATE
    assert "P(clean value outside) <= 0.0001" in rule.range_rule


def test_rule_says_how_its_range_was_set_and_survives_a_round_trip() -> None:
    schema = Schema.infer({"x": np.arange(300.0)})
    few = Schema.infer({"x": np.arange(float(MIN_TAIL_N - 1))})
    assert schema.columns["x"].range_rule.startswith("P(clean value outside) <= 0.0001")
    assert few.columns["x"].range_rule.startswith("too few values for a stated rate")
    assert Schema.from_dict(schema.to_dict()) == schema
    assert Schema.infer({"x": np.arange(300.0)}, rate=None).columns["x"].range_rule == (
        "observed range widened by 0.1 of its width on each side"
    )


def test_bad_rate_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"'rate' parameter of Schema\.from_profile"):
        Schema.infer({"x": [1.0, 2.0]}, rate=2.0)


def test_show_prints_each_range_and_its_rule(tmp_path) -> None:
    from typer.testing import CliRunner

    from shiftwatch.cli import app
    from shiftwatch.profile import Profile

    rng = np.random.default_rng(1)
    Profile.from_data({"age": rng.normal(40, 10, 1_000)}).save(tmp_path / "ref.swp")
    result = CliRunner().invoke(app, ["show", str(tmp_path / "ref.swp")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "range of 'age'" in result.output
    assert "P(clean value outside) <= 0.0001" in result.output
