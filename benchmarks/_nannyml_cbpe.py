"""Run NannyML's CBPE on one scenario; called by performance_estimation.py in NannyML's venv.

Usage: .venv-nannyml/bin/python benchmarks/_nannyml_cbpe.py DATA.npz CHUNK_SIZE OUT.json

DATA.npz holds reference_probabilities, reference_labels, reference_predictions,
current_probabilities, current_predictions. OUT.json gets, per metric, the estimate and
CBPE's confidence band per chunk, and the seconds fit and estimate took.
"""

import json
import sys
import time
import warnings

import nannyml as nml
import numpy as np
import pandas as pd

METRICS = ["accuracy", "precision", "recall", "f1", "roc_auc"]


def frame(probabilities: np.ndarray, predictions: np.ndarray, labels: np.ndarray | None):
    columns = {f"p{k}": probabilities[:, k] for k in range(probabilities.shape[1])}
    columns["pred"] = predictions
    if labels is not None:
        columns["y"] = labels
    return pd.DataFrame(columns)


def main() -> None:
    data = np.load(sys.argv[1])
    chunk_size = int(sys.argv[2])
    classes = data["reference_probabilities"].shape[1]
    reference = frame(
        data["reference_probabilities"], data["reference_predictions"], data["reference_labels"]
    )
    current = frame(data["current_probabilities"], data["current_predictions"], None)
    if classes == 2:
        proba, problem = "p1", "classification_binary"
    else:
        proba, problem = {k: f"p{k}" for k in range(classes)}, "classification_multiclass"
    estimator = nml.CBPE(
        y_pred_proba=proba,
        y_pred="pred",
        y_true="y",
        metrics=METRICS,
        chunk_size=chunk_size,
        problem_type=problem,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        estimator.fit(reference)
        fitted = time.perf_counter()
        result = estimator.estimate(current).filter(period="analysis").to_df()
        done = time.perf_counter()
    out = {"fit_seconds": fitted - start, "estimate_seconds": done - fitted, "metrics": {}}
    for metric in METRICS:
        out["metrics"][metric] = {
            "value": result[(metric, "value")].tolist(),
            "low": result[(metric, "lower_confidence_boundary")].tolist(),
            "high": result[(metric, "upper_confidence_boundary")].tolist(),
        }
    with open(sys.argv[3], "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
