"""Golden metrics: metric values checked in with bootstrap intervals, compared, not matched.

An exact golden number breaks on every harmless change (another BLAS, another library
version); no golden number lets a model quietly get worse. A golden metric is in between:
its value on an evaluation set together with a percentile bootstrap interval, which says how
much that value moves when the evaluation examples are resampled.

The rule: a new value passes when it lies inside the golden interval ``[low, high]``,
bounds included. With ``better="higher"`` only a value below ``low`` fails (an improvement
passes), with ``better="lower"`` only a value above ``high``. The interval is recomputed
and written only in update mode (pytest's ``--shiftwatch-update-golden``), never silently.

The interval: ``resamples`` resamples of the ``n`` examples (rows of every data array
together, with replacement), drawn by ``numpy.random.default_rng(seed)``; ``low`` and
``high`` are the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of the
metric over them. The seed is stored next to the values, so the interval can be redrawn.

The file is JSON with sorted keys, numbers rounded to 6 significant digits (the interval
outwards, so that rounding never rejects a value it held)::

    {"format": "shiftwatch.golden", "version": 1, "metrics": {"accuracy": {"value": 0.953,
     "low": 0.935, "high": 0.97, "confidence": 0.95, "n": 450, "resamples": 1000, "seed": 0}}}
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt

from shiftwatch._validation import check_count, check_parameter, is_real
from shiftwatch.errors import FormatError, NoDataError

FORMAT = "shiftwatch.golden"
FORMAT_VERSION = 1
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 1000
UPDATE_FLAG = "--shiftwatch-update-golden"
Better = Literal["higher", "lower"]


def _rounded(value: float, direction: str = "nearest") -> float:
    """``value`` to 6 significant digits: to the nearest, or outwards ("down", "up").

    >>> _rounded(0.97111149, "up"), _rounded(0.93333351, "down"), _rounded(0.95333349)
    (0.971112, 0.933333, 0.953333)
    """
    if direction == "nearest" or value == 0 or not math.isfinite(value):
        return float(f"{value:.6g}")
    scale = 10.0 ** (5 - math.floor(math.log10(abs(value))))
    step = math.floor if direction == "down" else math.ceil
    return float(f"{step(value * scale) / scale:.6g}")


@dataclass(frozen=True)
class GoldenMetric:
    """A metric's value and its bootstrap interval, with how the interval was drawn."""

    value: float
    low: float
    high: float
    confidence: float
    n: int
    resamples: int
    seed: int

    def accepts(self, value: float, better: Better | None = None) -> bool:
        """Whether ``value`` passes against this golden interval (rule in the module doc).

        >>> golden = GoldenMetric(0.9, 0.85, 0.95, 0.95, 100, 1000, 0)
        >>> golden.accepts(0.96), golden.accepts(0.96, better="higher")
        (False, True)
        """
        if math.isnan(value):
            return False
        if better == "higher":
            return value >= self.low
        if better == "lower":
            return value <= self.high
        return self.low <= value <= self.high

    def describe(self) -> str:
        """The interval in words.

        >>> GoldenMetric(0.9, 0.85, 0.95, 0.95, 100, 1000, 0).describe()
        '0.9 [0.85, 0.95] (95% bootstrap interval over 100 examples, 1000 resamples, seed 0)'
        """
        return (
            f"{self.value:.4g} [{self.low:.4g}, {self.high:.4g}] ({self.confidence:.0%} bootstrap "
            f"interval over {self.n:,} examples, {self.resamples} resamples, seed {self.seed})"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict, rounded to 6 significant digits (the interval outwards)."""
        state = asdict(self)
        state.update(
            value=_rounded(self.value),
            low=_rounded(self.low, "down"),
            high=_rounded(self.high, "up"),
        )
        return state

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Self:
        """Rebuild from :meth:`to_dict`'s output."""
        metric = cls(
            value=float(state["value"]),
            low=float(state["low"]),
            high=float(state["high"]),
            confidence=float(state["confidence"]),
            n=int(state["n"]),
            resamples=int(state["resamples"]),
            seed=int(state["seed"]),
        )
        if not metric.low <= metric.high:
            raise ValueError(f"low {metric.low} > high {metric.high}")
        return metric


def bootstrap_interval(
    metric: Callable[..., float],
    *data: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> GoldenMetric:
    """``metric(*data)`` and its percentile bootstrap interval over the rows of ``data``.

    Rows are resampled together across the arrays (so ``y_true[i]`` stays with
    ``y_pred[i]``), ``resamples`` times, by ``numpy.random.default_rng(seed)``. Resamples on
    which the metric is not finite (a class absent from it, say) are left out; the interval
    always holds the value itself.

    >>> import numpy as np
    >>> truth = np.array([0, 1] * 50); predicted = np.where(np.arange(100) < 90, truth, 1 - truth)
    >>> accuracy = lambda t, p: float(np.mean(t == p))
    >>> bootstrap_interval(accuracy, truth, predicted, seed=0).describe()
    '0.9 [0.84, 0.96] (95% bootstrap interval over 100 examples, 1000 resamples, seed 0)'
    """
    check_parameter(
        "bootstrap_interval",
        "confidence",
        confidence,
        lambda c: is_real(c) and 0 < c < 1,
        "a float in (0, 1)",
    )
    check_count("bootstrap_interval", "resamples", resamples, minimum=10)
    check_count("bootstrap_interval", "seed", seed, minimum=0)
    arrays = [np.asarray(array) for array in data]
    if not arrays:
        raise NoDataError("bootstrap_interval needs the data the metric is computed from.")
    n = len(arrays[0])
    if any(len(array) != n for array in arrays):
        raise NoDataError(
            f"The data arrays have different lengths: {[len(array) for array in arrays]}."
        )
    if n < 2:
        raise NoDataError(f"A bootstrap interval needs at least 2 examples; got {n}.")
    value = float(metric(*arrays))
    rng = np.random.default_rng(seed)
    draws = np.empty(resamples, dtype=np.float64)
    for i in range(resamples):
        rows = rng.integers(0, n, size=n)
        draws[i] = float(metric(*(array[rows] for array in arrays)))
    usable = draws[np.isfinite(draws)]
    if usable.size == 0 or not math.isfinite(value):
        low = high = math.nan
    else:
        quantiles = np.quantile(usable, [(1 - confidence) / 2, (1 + confidence) / 2])
        low, high = min(float(quantiles[0]), value), max(float(quantiles[1]), value)
    return GoldenMetric(
        value=value,
        low=low,
        high=high,
        confidence=float(confidence),
        n=n,
        resamples=resamples,
        seed=seed,
    )


def read_golden(path: str | Path) -> dict[str, GoldenMetric]:
    """The metrics in a golden file (empty if the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FormatError(f"Cannot read the golden metrics {str(path)!r}: {error}.") from None
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise FormatError(f"{str(path)!r} is not a shiftwatch golden metrics file.")
    version = document.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise FormatError(
            f"{str(path)!r} has format version {version!r}; this shiftwatch reads versions up "
            f"to {FORMAT_VERSION}."
        )
    try:
        return {
            str(name): GoldenMetric.from_dict(state)
            for name, state in dict(document["metrics"]).items()
        }
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"The golden metrics {str(path)!r} are damaged: {error!r}.") from None


def write_golden(path: str | Path, metrics: Mapping[str, GoldenMetric]) -> None:
    """Write ``metrics`` as a golden file (replacing it), keys sorted for readable diffs."""
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "metrics": {name: metrics[name].to_dict() for name in sorted(metrics)},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


class GoldenFile:
    """A golden metrics file: check new values against it, or record them in update mode.

    >>> import tempfile, numpy as np
    >>> path = Path(tempfile.mkdtemp()) / "golden.json"
    >>> truth = np.array([0, 1] * 50); predicted = np.where(np.arange(100) < 90, truth, 1 - truth)
    >>> accuracy = lambda t, p: float(np.mean(t == p))
    >>> recorder = GoldenFile(path, update=True)
    >>> recorder.check("accuracy", accuracy, truth, predicted).value
    0.9
    >>> recorder.save()
    >>> worse = np.where(np.arange(100) < 75, truth, 1 - truth)
    >>> GoldenFile(path).check("accuracy", accuracy, truth, worse)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: Metric 'accuracy' = 0.75 is outside its golden interval [0.84, 0.96] (...
    """

    def __init__(self, path: str | Path, *, update: bool = False) -> None:
        self.path = Path(path)
        self.update = update
        self.metrics = read_golden(self.path)
        self.recorded: dict[str, GoldenMetric] = {}
        self.previous: dict[str, GoldenMetric] = {}

    def check(
        self,
        name: str,
        metric: Callable[..., float],
        *data: npt.ArrayLike,
        better: Better | None = None,
        confidence: float = DEFAULT_CONFIDENCE,
        resamples: int = DEFAULT_RESAMPLES,
        seed: int = 0,
    ) -> GoldenMetric:
        """Compute ``metric(*data)`` and its interval; fail if the golden one rejects it.

        In update mode the new metric is recorded (written by :meth:`save`) and never fails.
        Returns the new metric.
        """
        check_parameter(
            "GoldenFile.check",
            "better",
            better,
            lambda b: b in (None, "higher", "lower"),
            "None, 'higher' or 'lower'",
        )
        new = bootstrap_interval(
            metric, *data, confidence=confidence, resamples=resamples, seed=seed
        )
        if self.update:
            if not math.isfinite(new.value):
                raise AssertionError(f"Metric {name!r} is {new.value}: not recorded.")
            if name in self.metrics:
                self.previous[name] = self.metrics[name]
            self.recorded[name] = new
            return new
        golden = self.metrics.get(name)
        if golden is None:
            where = "has no metric" if self.path.exists() else "does not exist: no metric"
            raise AssertionError(
                f"The golden file {str(self.path)!r} {where} {name!r} (new value "
                f"{new.describe()}). Record it with: pytest {UPDATE_FLAG}"
            )
        if not golden.accepts(new.value, better):
            side = "outside"
            if better is not None:
                side = "below" if better == "higher" else "above"
            raise AssertionError(
                f"Metric {name!r} = {new.value:.4g} is {side} its golden interval "
                f"[{golden.low:.4g}, {golden.high:.4g}] (golden value {golden.describe()}, in "
                f"{self.path}). If the change is intended, record it with: pytest {UPDATE_FLAG}"
            )
        return new

    def save(self) -> None:
        """Write the recorded metrics into the file, keeping the metrics nobody re-recorded.

        The file is read again first, so that several tests may record into one file.
        """
        if not self.recorded:
            return
        metrics = read_golden(self.path)
        metrics.update(self.recorded)
        write_golden(self.path, metrics)

    def __repr__(self) -> str:
        mode = "update" if self.update else "check"
        return f"GoldenFile({str(self.path)!r}, {mode}, metrics={len(self.metrics)})"
