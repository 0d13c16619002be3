"""KServe v1 (TensorFlow Serving row format) bodies: ``instances`` in, ``predictions`` out.

An instance is a list of feature values (named by position: ``feature_names``, else "0", "1",
...), an object of feature name -> value, or a lone value (a one-feature model). A prediction
is a label, a number, or a list of class probabilities; a one-element list is its element.
"""

from collections.abc import Sequence
from typing import Any

from shiftwatch.service.payloads._common import (
    as_list,
    check_rows,
    check_value,
    named,
    positional,
    required,
    unwrap,
)
from shiftwatch.service.records import PayloadError


def instances_rows(
    body: dict[str, Any], feature_names: Sequence[str] | None, field: str = "body"
) -> list[dict[str, Any]]:
    """The features of each instance of a ``{"instances": [...]}`` request.

    >>> instances_rows({"instances": [[6.8, 2.8], {"a": 1}, "text"]}, None)
    [{'0': 6.8, '1': 2.8}, {'a': 1}, {'0': 'text'}]
    """
    instances = as_list(required(body, "instances", field), f"{field}.instances")
    check_rows(len(instances), f"{field}.instances")
    rows: list[dict[str, Any]] = []
    for i, instance in enumerate(instances):
        where = f"{field}.instances[{i}]"
        if isinstance(instance, dict):
            rows.append(named(instance, where))
        elif isinstance(instance, list):
            rows.append(positional(instance, feature_names, where))
        else:
            if feature_names is not None and len(feature_names) != 1:
                raise PayloadError(
                    where, f"holds 1 value but feature_names gives {len(feature_names)} names"
                )
            name = feature_names[0] if feature_names else "0"
            rows.append({name: check_value(instance, where)})
    return rows


def predictions_outputs(body: dict[str, Any], field: str = "body") -> list[Any]:
    """One prediction per instance of a ``{"predictions": [...]}`` response.

    >>> predictions_outputs({"predictions": [1, [0.2, 0.8], [3.5]]})
    [1, [0.2, 0.8], 3.5]
    """
    predictions = as_list(required(body, "predictions", field), f"{field}.predictions")
    check_rows(len(predictions), f"{field}.predictions")
    return [
        unwrap(check_value(item, f"{field}.predictions[{i}]")) for i, item in enumerate(predictions)
    ]
