"""Thin adapters that run peer drift tools on the same pandas data as shiftwatch.

Used by the benchmarks to compare speed, false-alarm rate and power. Each adapter
returns the peer's *own* verdict, with as little configuration as possible:

``evidently`` (checked against 0.7.23)
    ``Report([DataDriftPreset()], include_tests=True)`` on two ``Dataset`` objects
    whose ``DataDefinition`` lists the ``categorical`` columns as categorical and
    every other column as numerical. The preset chooses one test per column: if the
    reference column has <= 1000 finite values it uses p-value tests (K-S for
    numeric columns with more than 5 distinct values; for categorical columns, and
    numeric ones with at most 5, a Z-test if there are two values, else a
    chi-square goodness-of-fit test that treats the reference frequencies as exact);
    above 1000 rows it uses *distances* with a fixed cut-off (normed Wasserstein
    >= 0.1 for numeric, Jensen-Shannon >= 0.1 for categorical and for numeric columns
    with <= 5 values). ``alpha`` becomes the per-column threshold only for columns
    where the preset picks a p-value test; distance thresholds keep evidently's
    defaults, because ``alpha`` means nothing for them. So on large samples the
    false-alarm rate is not tied to ``alpha``. ``drift_share`` keeps its default
    of 0.5. ``drifted`` is the preset's dataset test (share of drifted columns
    >= drift_share), so a single drifted column out of many is *not* flagged as
    dataset drift.

``alibi-detect`` (checked against 0.13.0)
    ``alibi_detect.cd.TabularDrift`` with ``p_val=alpha`` and
    ``correction="bonferroni"``: a two-sample K-S test per numeric column
    (``mode="asymp"``) and a chi-square contingency test per categorical column
    (categories encoded as integer codes shared by reference and current; missing
    values become their own code). ``drifted`` is
    ``predict(..., drift_type="batch")["data"]["is_drift"]``, that is any feature
    p-value < alpha / n_features. A column is flagged when its p-value is below the
    same corrected threshold (``["data"]["threshold"]``), so the dataset verdict is
    True exactly when at least one column is flagged.

Peers are imported lazily inside the adapters, so this module imports without them.
"""

from __future__ import annotations

import importlib
import logging
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata

import numpy as np
import pandas as pd

__all__ = ["PEERS", "PeerResult", "available_peers", "run_peer"]


@dataclass(frozen=True)
class PeerResult:
    """What a peer tool reports for one reference/current comparison."""

    drifted: bool
    """The tool's own dataset-level verdict."""
    drifted_columns: tuple[str, ...]
    """Columns the tool flags, in the order of the reference frame's columns."""


PeerFn = Callable[[pd.DataFrame, pd.DataFrame, float, Sequence[str]], PeerResult]

# Loggers whose output is silenced while a peer runs.
_PEER_LOGGERS = ("evidently", "alibi_detect", "transformers")
# Modules each adapter imports; available_peers() checks exactly these.
_PEER_MODULES = {
    "evidently": ("evidently", "evidently.presets"),
    "alibi-detect": ("alibi_detect.cd",),
}


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence warnings and peer log output; restore everything afterwards."""
    loggers = [logging.getLogger(name) for name in _PEER_LOGGERS]
    levels = [logger.level for logger in loggers]
    # transformers (imported by alibi-detect) sets its own log level at import time
    # from this variable and prints an advisory when no deep-learning backend exists.
    old_env = os.environ.get("TRANSFORMERS_VERBOSITY")
    os.environ["TRANSFORMERS_VERBOSITY"] = "error"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for logger in loggers:
                logger.setLevel(logging.ERROR)
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        if old_env is None:
            os.environ.pop("TRANSFORMERS_VERBOSITY", None)
        else:
            os.environ["TRANSFORMERS_VERBOSITY"] = old_env


def _aligned(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: Sequence[str]
) -> tuple[list[str], pd.DataFrame]:
    """Reference column names (strings) and ``current`` restricted to them, in order."""
    columns = list(reference.columns)
    if not all(isinstance(c, str) for c in columns):
        raise TypeError("column names must be strings")
    missing = [c for c in columns if c not in current.columns]
    unknown = [c for c in categorical if c not in columns]
    if missing or unknown:
        raise ValueError(f"columns missing from current: {missing}; unknown categorical: {unknown}")
    return columns, current[columns]


def _n_finite(column: pd.Series) -> int:
    if pd.api.types.is_numeric_dtype(column):
        return int(np.isfinite(column.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
    return int(column.notna().sum())


def _run_evidently(
    reference: pd.DataFrame, current: pd.DataFrame, alpha: float, categorical: Sequence[str]
) -> PeerResult:
    with _quiet():
        from evidently import DataDefinition, Dataset, Report
        from evidently.presets import DataDriftPreset

    columns, current = _aligned(reference, current, categorical)
    cat = set(categorical)
    definition = DataDefinition(
        numerical_columns=[c for c in columns if c not in cat],
        categorical_columns=[c for c in columns if c in cat],
    )

    # alpha is a p-value threshold, so apply it only to columns where the preset picks a
    # p-value test. evidently 0.7 picks one iff the column has <= 1000 finite reference
    # values (data_drift.get_one_column_drift + stattests.registry._get_default_stattest);
    # the resolved methods are checked against this after the run.
    pvalue_columns = {c for c in columns if _n_finite(reference[c]) <= 1000}
    preset = DataDriftPreset(per_column_threshold=dict.fromkeys(pvalue_columns, alpha) or None)

    with _quiet():
        snapshot = Report([preset], include_tests=True).run(
            Dataset.from_pandas(current, data_definition=definition),
            Dataset.from_pandas(reference, data_definition=definition),
        )
        result = snapshot.dict()

    for metric in result["metrics"]:
        config = metric["config"]
        if config["type"] == "evidently:metric_v2:ValueDrift" and (
            str(config["method"]).endswith("p_value") != (config["column"] in pvalue_columns)
        ):
            raise RuntimeError(f"evidently chose an unexpected test: {metric['metric_name']}")

    dataset_drift: bool | None = None
    flagged: set[str] = set()
    for test in result["tests"]:
        params = test["metric_config"]["params"]
        failed = str(getattr(test["status"], "value", test["status"])) == "FAIL"
        if params["type"] == "evidently:metric_v2:DriftedColumnsCount":
            dataset_drift = failed  # the test is "share of drifted columns < drift_share"
        elif params["type"] == "evidently:metric_v2:ValueDrift" and failed:
            flagged.add(params["column"])
    if dataset_drift is None:
        raise RuntimeError("evidently report has no DriftedColumnsCount test; API changed?")
    return PeerResult(dataset_drift, tuple(c for c in columns if c in flagged))


def _encode(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: set[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Float matrices; categorical columns as integer codes shared by both frames."""
    n_ref = len(reference)
    ref_cols: list[np.ndarray] = []
    cur_cols: list[np.ndarray] = []
    for c in reference.columns:
        if c in categorical:
            both = pd.concat([reference[c], current[c]], ignore_index=True).astype(object)
            codes = pd.Categorical(both).codes.astype(np.float64)  # missing -> -1
            ref_cols.append(codes[:n_ref])
            cur_cols.append(codes[n_ref:])
        else:
            ref_cols.append(reference[c].to_numpy(dtype=np.float64, na_value=np.nan))
            cur_cols.append(current[c].to_numpy(dtype=np.float64, na_value=np.nan))
    return np.column_stack(ref_cols), np.column_stack(cur_cols)


def _run_alibi_detect(
    reference: pd.DataFrame, current: pd.DataFrame, alpha: float, categorical: Sequence[str]
) -> PeerResult:
    with _quiet():
        from alibi_detect.cd import TabularDrift

    columns, current = _aligned(reference, current, categorical)
    cat = set(categorical)
    x_ref, x_cur = _encode(reference, current, cat)
    with _quiet():
        detector = TabularDrift(
            x_ref,
            p_val=alpha,
            categories_per_feature={i: None for i, c in enumerate(columns) if c in cat},
            correction="bonferroni",
        )
        data = detector.predict(x_cur, drift_type="batch")["data"]
    # With bonferroni, data["threshold"] is alpha / n_features and is_drift is
    # any(p_val < threshold); flag columns against that same threshold.
    flags = np.asarray(data["p_val"]) < float(data["threshold"])
    return PeerResult(
        bool(data["is_drift"]), tuple(c for c, f in zip(columns, flags, strict=True) if f)
    )


PEERS: dict[str, PeerFn] = {
    "evidently": _run_evidently,
    "alibi-detect": _run_alibi_detect,
}


def available_peers() -> list[str]:
    """Names in PEERS whose packages import here. Never raises."""
    names = []
    for name in PEERS:
        try:
            with _quiet():
                for module in _PEER_MODULES[name]:
                    importlib.import_module(module)
        except Exception:
            continue
        names.append(name)
    return names


def why_unavailable(name: str) -> str:
    """Why a peer in PEERS is not in :func:`available_peers`: absent, or present but broken."""
    try:
        return f"installed ({metadata.version(name)}) but does not import"
    except metadata.PackageNotFoundError:
        return "not installed"


def run_peer(
    name: str,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    alpha: float = 0.05,
    categorical: Sequence[str] = (),
) -> PeerResult:
    """Run peer ``name`` on ``reference`` vs ``current`` (same columns)."""
    try:
        peer = PEERS[name]
    except KeyError:
        raise ValueError(f"unknown peer {name!r}; expected one of {sorted(PEERS)}") from None
    return peer(reference, current, alpha, categorical)
