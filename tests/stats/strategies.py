"""Hypothesis strategies shared by the stats tests."""

import numpy as np
from hypothesis import strategies as st


@st.composite
def count_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Counts with zeros over 1 to 10 categories, each vector with a positive total."""
    k = draw(st.integers(1, 10))
    counts = st.lists(st.integers(0, 1000), min_size=k, max_size=k).filter(lambda c: sum(c) > 0)
    return np.array(draw(counts)), np.array(draw(counts))
