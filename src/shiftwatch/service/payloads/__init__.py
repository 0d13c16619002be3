"""Parsers that turn the payloads model servers already send into normalised events.

One module per format: :mod:`.kserve` (KServe's inference logger, v1 and Open Inference
Protocol v2 bodies), :mod:`.seldon` (Seldon Core v1's request logger) and :mod:`.bentoml`
(BentoML's monitoring JSON lines). Every parser raises
:class:`~shiftwatch.service.records.PayloadError`, and only that, for a payload it cannot read;
no payload makes one hold more than :data:`MAX_ROWS` instances of :data:`MAX_FEATURES` features.

>>> event = parse_kserve(
...     {"ce-id": "1", "ce-type": "org.kubeflow.serving.inference.response"},
...     b'{"predictions": [1, 1]}',
... )
>>> event.part, [row.outputs for row in event.rows]
('response', [1, 1])
"""

from shiftwatch.service.payloads._common import MAX_FEATURES, MAX_ROWS
from shiftwatch.service.payloads.bentoml import parse_bentoml_lines, roles_from_schema
from shiftwatch.service.payloads.kserve import parse_kserve
from shiftwatch.service.payloads.seldon import parse_seldon

__all__ = [
    "MAX_FEATURES",
    "MAX_ROWS",
    "parse_bentoml_lines",
    "parse_kserve",
    "parse_seldon",
    "roles_from_schema",
]
