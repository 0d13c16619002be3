"""What a watched model accepts as predictions and labels, checked before anything is stored.

A batch is stored and fed to the monitor whole, or refused whole: every value the monitor
would choke on is found here first and answered with a 4xx naming the row, so a 2xx always
means "stored and monitored". The form of the predictions follows the reference:

- a reference with ``confidence`` (the model sends class probabilities): each prediction is a
  list of the same number (at least 2) of finite numbers (rows outside [0, 1] are monitored,
  and left out of the accuracy estimate);
- a reference with ``prediction`` only: one label per row, of the reference's kind (a number,
  a whole number, text, or true/false);
- no outputs in the reference, but an error rate watched: one label per row, or lists of one
  length (the argmax is the prediction).

Labels are one scalar per row (a number, text or true/false). A refused value raises
:class:`UnfitValue` (a :class:`PayloadError` answered 422: the payload was read, but a value in
it does not fit the model).

>>> form = PredictionForm("probabilities")
>>> form.check([[0.2, 0.8], [0.6, 0.4]], lambda i: f"events.{i}.outputs")
2
>>> form.check([[0.2, 0.8], [1.0]], lambda i: f"events.{i}.outputs")
Traceback (most recent call last):
...
shiftwatch.service.predictions.UnfitValue: events.1.outputs: expected a list of 2 class probabilities, got a list of 1
"""  # noqa: E501

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shiftwatch.outputs import CONFIDENCE, PREDICTION
from shiftwatch.profile import Profile
from shiftwatch.service.payloads._common import describe
from shiftwatch.service.records import PayloadError


class UnfitValue(PayloadError):
    """A prediction or label the model's monitor cannot take (answered 422, naming the field)."""


Where = Callable[[int], str]
"""The field a row's value sits in, for the error (``lambda i: f"body.events.{i}.outputs"``)."""

_SCALARS = {
    "number": "a number",
    "integer": "a whole number",
    "text": "text",
    "boolean": "true or false",
    "any": "one predicted label or number, or a list of class probabilities",
}


def _finite_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _fits(form: str, value: Any) -> bool:
    if form == "number":
        return _finite_number(value)
    if form == "integer":
        return _finite_number(value) and float(value).is_integer()
    if form == "text":
        return type(value) is str
    if form == "boolean":
        return type(value) is bool
    return type(value) in (int, float, str, bool) and (
        type(value) is not float or math.isfinite(value)
    )


@dataclass(frozen=True)
class PredictionForm:
    """The form a model's predictions take: ``probabilities``, a scalar kind, or ``any``.

    ``classes`` is the number of class probabilities, once known (from the calibration file,
    or the first batch of probabilities).
    """

    kind: str
    classes: int | None = None

    @classmethod
    def of(cls, reference: Profile, classes: int | None = None) -> "PredictionForm":
        """The form the reference's outputs show (``any`` when it profiles none)."""
        if CONFIDENCE in reference:
            return cls("probabilities", classes)
        if PREDICTION not in reference:
            return cls("any", classes)
        column = reference[PREDICTION]
        if column.family == "numeric":
            return cls("integer" if column.integer else "number")
        if column.family in ("text", "boolean"):
            return cls(column.family)
        return cls("any", classes)

    def check(self, predictions: Sequence[Any], where: Where) -> int | None:
        """Raise :class:`UnfitValue` at the first prediction the monitor cannot take.

        None stands for a missing prediction (the other half of the row has not come). Returns
        the number of class probabilities the batch holds (None for labels).
        """
        classes = self.classes
        lists = self.kind == "probabilities" or (
            self.kind == "any" and any(type(value) is list for value in predictions)
        )
        for i, value in enumerate(predictions):
            if value is None:
                continue
            if not lists:
                if type(value) is list or not _fits(self.kind, value):
                    raise UnfitValue(
                        where(i), f"expected {_SCALARS[self.kind]}, got {describe(value)}"
                    )
                continue
            if classes is None and type(value) is list:
                classes = len(value)
            if not self._probabilities(value, classes):
                expected = "at least 2" if classes is None or classes < 2 else str(classes)
                got = f"a list of {len(value)}" if type(value) is list else describe(value)
                hint = ""
                if self.kind == "probabilities" and type(value) in (int, str):
                    hint = (
                        " (the reference outputs hold a confidence; for a model server that "
                        "returns labels only, profile the labels alone)"
                    )
                raise UnfitValue(
                    where(i),
                    f"expected a list of {expected} class probabilities, got {got}{hint}",
                )
        return classes if lists else None

    @staticmethod
    def _probabilities(value: Any, classes: int | None) -> bool:
        if type(value) is not list or classes is None or classes < 2 or len(value) != classes:
            return False
        return all(_finite_number(p) for p in value)


def check_labels(labels: Sequence[Any], where: Where) -> None:
    """Raise :class:`UnfitValue` at the first label that is not one scalar (None: no label).

    >>> check_labels([1, "cat", None, True], lambda i: f"labels.{i}.label")
    >>> check_labels([1, [0, 1]], lambda i: f"labels.{i}.label")
    Traceback (most recent call last):
    ...
    shiftwatch.service.predictions.UnfitValue: labels.1.label: expected one label (a number, text or true/false), got a list
    """  # noqa: E501
    for i, label in enumerate(labels):
        if label is not None and not _fits("any", label):
            raise UnfitValue(
                where(i),
                f"expected one label (a number, text or true/false), got {describe(label)}",
            )
