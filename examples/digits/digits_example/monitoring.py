"""Production monitoring: the shiftwatch monitor the model server feeds.

The server logs every request's pixels and predicted probabilities; labels (from users'
corrections) arrive later and are joined by request id. The monitor compares the last
``WINDOW`` requests with the training profile, with one false alarm in ``ERT`` requests
on average at most, and watches the error rate against the test-set error rate.
"""

from pathlib import Path

import shiftwatch as sw
from shiftwatch.monitor import Monitor

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "digits.swp"
WINDOW = 300
CHECK_EVERY = 100
ERT = 20_000
EXPECTED_ERROR_RATE = 0.06


def build_monitor(reference: sw.Profile | None = None) -> Monitor:
    """The monitor of the serving inputs, against the checked-in training profile."""
    profile = sw.Profile.load(REFERENCE) if reference is None else reference
    return Monitor(
        profile,
        window=WINDOW,
        check_every=CHECK_EVERY,
        ert=ERT,
        expected_error_rate=EXPECTED_ERROR_RATE,
    )
