"""Performance estimates as a Rich table: one row per chunk and metric.

>>> import io
>>> from rich.console import Console
>>> from shiftwatch.outputs import MetricEstimate, PerformanceEstimate
>>> metric = MetricEstimate("accuracy", 0.9, 0.88, 0.92, reference=0.91, realized=0.89)
>>> estimate = PerformanceEstimate(
...     n=500, metrics=(metric,), confusion=((1.0,),), realized_confusion=None, reliable=True,
...     reasons=(), degraded=False, confidence_shift=0.02, method="")
>>> console = Console(width=100, record=True, file=io.StringIO())
>>> console.print(performance_table([("0-499", estimate)]))
>>> [line.split() for line in console.export_text().splitlines()][5]
['0-499', 'accuracy', '90.0%', '(88.0-92.0%)', '89.0%', '91.0%', 'ok']
"""

from collections.abc import Sequence

from rich import box
from rich.markup import escape
from rich.table import Table

from shiftwatch.outputs.performance import MetricEstimate, PerformanceEstimate


def _share(value: float | None) -> str:
    return "" if value is None or value != value else f"{value:.1%}"


def _status(metric: MetricEstimate) -> str:
    if not metric.reliable:
        return f"[yellow]unreliable[/]: {escape(metric.reason)}"
    return "[bold red]DEGRADED[/]" if metric.degraded else "ok"


def performance_table(chunks: Sequence[tuple[str, PerformanceEstimate]]) -> Table:
    """Estimated (with interval), realized and reference value of each metric, per chunk."""
    table = Table(
        title="Performance estimated without labels (95% interval), realized where labelled",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("rows", "metric", "estimated", "realized", "reference", "status"):
        table.add_column(column, overflow="fold")
    for name, estimate in chunks:
        for metric in estimate.metrics:
            table.add_row(
                escape(name),
                metric.metric,
                f"{metric.value:.1%} ({metric.low * 100:.1f}-{metric.high:.1%})",
                _share(metric.realized),
                _share(metric.reference),
                _status(metric),
            )
        table.add_section()
    return table
