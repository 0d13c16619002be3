"""Generated data for the demo: a loan-application table whose current month has shifted.

What changed between reference and current, by construction:

- ``income``: a 15% raise for everyone (a material shift);
- ``plan``: the mix moved from basic towards pro;
- ``credit_score``: the feature pipeline started emitting nulls for 6% of rows;
- ``region``: a region the model never saw ("north-east") appears;
- ``age``: a tiny shift that a large sample can detect but that does not matter;
- ``tenure_months``, ``is_member``, ``support_calls``: unchanged.
"""

import numpy as np
import pyarrow as pa

REGIONS = ["north", "south", "east", "west", "centre", "islands"]


def demo_tables(n_rows: int = 20_000, seed: int = 0) -> tuple[pa.Table, pa.Table]:
    """A reference and a current table of ``n_rows`` rows each, with the shifts listed above.

    >>> reference, current = demo_tables(n_rows=100)
    >>> reference.num_rows, current.column_names == reference.column_names
    (100, True)
    """
    rng = np.random.default_rng(seed)

    def table(current: bool) -> pa.Table:
        income = rng.lognormal(mean=10.5, sigma=0.5, size=n_rows) * (1.15 if current else 1.0)
        plan_mix = [0.45, 0.35, 0.20] if current else [0.6, 0.3, 0.1]
        region_mix = np.full(len(REGIONS), 1 / len(REGIONS))
        regions = list(REGIONS)
        if current:
            regions.append("north-east")
            region_mix = np.append(region_mix * 0.95, 0.05)
        score = rng.normal(650, 80, size=n_rows).round()
        score_mask = rng.random(n_rows) < (0.06 if current else 0.0)
        return pa.table(
            {
                "age": rng.normal(41.5 if current else 41.0, 12, size=n_rows).round(1),
                "income": income.round(2),
                "tenure_months": rng.poisson(30, size=n_rows),
                "plan": rng.choice(["basic", "plus", "pro"], size=n_rows, p=plan_mix),
                "region": rng.choice(regions, size=n_rows, p=region_mix),
                "credit_score": pa.array(score, mask=score_mask),
                "is_member": rng.random(n_rows) < 0.3,
                "support_calls": rng.poisson(1.2, size=n_rows),
            }
        )

    return table(current=False), table(current=True)
