"""The report as one self-contained HTML page: it opens offline, with its plots inline.

From top to bottom: the verdict with the false-alarm level it was reached at; the notes; when
accuracy estimates are given, "Model outputs" (each label-free accuracy estimate with its
interval and method, and the class mix and confidence of the columns ``prediction`` and
``confidence`` side by side, pulled up from the cards below); when images are given,
"Samples" (up to 24 thumbnails of each set, chosen with a fixed seed, as PNG data URIs from
:mod:`shiftwatch.report.png`, and links to the per-image properties' cards); a
table of columns (test, statistic, p-values, effect, threshold, missing share, flagged,
why) that sorts on a click of a header; then one card per column with both distributions
overlaid (a histogram for numbers, bars for categories) and the missing share of each side.
The plots are static SVG (:mod:`shiftwatch.report.charts`) and the page's only script sorts
the table, so a 100-column report weighs about 3 MB and draws at once. The JSON report
(:func:`shiftwatch.report.json.report_to_dict`) is embedded as
``<script type="application/json" id="shiftwatch-report">``, and every number shown is also
in a ``data-*`` attribute in the JSON's exact form.

Each part of the page is one function of a :class:`ReportPage` in ``SECTIONS``, and each kind
of distribution chart one entry in :data:`shiftwatch.report.charts.CHARTS`.
"""

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from shiftwatch.drift_report import ColumnResult, DriftReport
from shiftwatch.errors import InvalidParameterError
from shiftwatch.images.features import FEATURE_NAMES
from shiftwatch.outputs.accuracy import AccuracyEstimate
from shiftwatch.outputs.columns import OUTPUT_COLUMNS
from shiftwatch.report._format import number, ordered_columns, summary
from shiftwatch.report.charts import CHARTS, accuracy_svg, missing_svg
from shiftwatch.report.json import report_to_dict
from shiftwatch.report.png import SAMPLE_SEED, SAMPLES, Samples, data_uri

_ASSETS = resources.files("shiftwatch.report") / "assets"


@dataclass(frozen=True)
class ReportPage:
    """What one page shows: the report, and the sample images and accuracy estimates if any."""

    report: DriftReport
    samples: tuple[Samples, ...] = ()
    accuracy: tuple[tuple[str, AccuracyEstimate], ...] = ()

    @property
    def output_columns(self) -> tuple[ColumnResult, ...]:
        """The model-output columns drawn under "Model outputs" (none without estimates)."""
        if not self.accuracy:
            return ()
        return tuple(self.report.columns[n] for n in OUTPUT_COLUMNS if n in self.report.columns)


def _estimates(accuracy: object) -> tuple[tuple[str, AccuracyEstimate], ...]:
    """One estimate (named "current") or a mapping of names to estimates, as pairs."""
    if accuracy is None:
        return ()
    pairs = list(accuracy.items()) if isinstance(accuracy, Mapping) else [("current", accuracy)]
    estimates = []
    for name, estimate in pairs:
        if not isinstance(estimate, AccuracyEstimate):
            raise InvalidParameterError(
                "The 'accuracy' parameter of to_html must be an AccuracyEstimate or a mapping "
                f"of names to AccuracyEstimate. Got {estimate!r} instead."
            )
        estimates.append((str(name), estimate))
    return tuple(estimates)


def _image_sets(images: object) -> tuple[Samples, ...]:
    if images is None:
        return ()
    if not (isinstance(images, tuple | list) and len(images) == 2):
        raise InvalidParameterError(
            "The 'images' parameter of to_html must be a pair (reference_images, "
            f"current_images). Got {type(images).__name__} instead."
        )
    return (Samples.of("reference", images[0]), Samples.of("current", images[1]))


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _attr(value: object) -> str:
    """An attribute value: None as empty, numbers in JSON's exact form, text escaped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return escape(text, quote=True)


def _number_attr(value: float | None) -> str:
    """A number for ``data-value``: JSON's exact form, "Infinity" as JavaScript reads it."""
    if value is None or math.isnan(value):
        return ""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return _attr(value)


def _missing_share(column: ColumnResult) -> float:
    return column.missing_current / column.n_current if column.n_current else 0.0


def _outcome(column: ColumnResult) -> str:
    """A few words on a column's outcome (as the terminal table gives it)."""
    drifted = [c.name for c in column.checks if c.drifted]
    if drifted:
        return "DRIFT" if drifted == ["distribution"] else f"DRIFT: {', '.join(drifted)}"
    if any(c.significant and not c.result.material for c in column.checks):
        return "immaterial"
    if column.check("distribution") is None:
        return "not tested"
    return "no"


def _level(report: DriftReport) -> str:
    """What the verdict's false-alarm level means, in a sentence."""
    n_checks = sum(len(c.checks) for c in report.columns.values())
    if report.correction == "none":
        return (
            f"Each of the {n_checks} checks has a false-alarm rate of at most {report.alpha:g}; "
            "they are not corrected together, so the verdict's rate is higher."
        )
    if not report.guaranteed:
        return (
            f"Tests are corrected together ({report.correction}) at alpha {report.alpha:g}, "
            "but some columns are decided by a distance threshold alone, outside the "
            "false-alarm guarantee."
        )
    return (
        f"Family-wise false-alarm rate at most {report.alpha:g}: on data that did not shift, "
        f'this report says "drift" at most {report.alpha:.0%} of the time '
        f"({report.correction} correction across {n_checks} checks)."
    )


def _header(page: ReportPage) -> str:
    report = page.report
    word = "DRIFT DETECTED" if report.drifted else "No drift detected"
    facts = [
        ("alpha", f"{report.alpha:g}"),
        ("correction", report.correction),
        ("reference rows", f"{report.n_reference:,}"),
        ("current rows", f"{report.n_current:,}"),
        ("columns drifted", f"{len(report.drifted_columns)} of {len(report.columns)}"),
    ]
    listed = "".join(f"<div><dt>{k}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    return (
        f'<header id="verdict" class="verdict{" drifted" if report.drifted else ""}" '
        f'data-drifted="{_attr(report.drifted)}" data-alpha="{_attr(report.alpha)}" '
        f'data-correction="{_attr(report.correction)}" '
        f'data-guaranteed="{_attr(report.guaranteed)}">'
        f"<h1>{word}</h1>"
        f'<p class="level">{escape(_level(report))}</p>'
        f'<p class="summary">{escape(summary(report))}</p>'
        f"<dl>{listed}</dl></header>"
    )


def _notes(page: ReportPage) -> str:
    report = page.report
    if not report.notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    return f'<section id="notes"><h2>Notes</h2><ul class="notes">{items}</ul></section>'


# (header, JSON key of the number or None for text, cell class)
_TABLE = (
    ("column", None, "name"),
    ("kind", None, ""),
    ("test", None, ""),
    ("statistic", "statistic", "num"),
    ("p-value", "p_value", "num"),
    ("adjusted p", "adjusted_p_value", "num"),
    ("effect", "effect", "num"),
    ("threshold", "threshold", "num"),
    ("missing", "missing_share", "num"),
    ("flagged", "drifted", "flag"),
    ("why", None, "why"),
)


def _row(index: int, column: ColumnResult) -> str:
    unit = escape(column.effect_unit or "", quote=True)
    numbers = {
        "statistic": column.statistic,
        "p_value": column.p_value,
        "adjusted_p_value": column.adjusted_p_value,
        "effect": column.effect,
        "threshold": column.threshold,
    }
    cells = [
        f'<td class="name" data-value="{_attr(column.name)}">'
        f'<a href="#col-{index}">{escape(column.name)}</a></td>',
        f"<td>{escape(column.kind.value)}</td>",
        f"<td>{escape(column.test or '—')}</td>",
    ]
    for key, value in numbers.items():
        shown = number(value)
        title = f' title="{unit}"' if key == "effect" and unit else ""
        cells.append(
            f'<td class="num" data-key="{key}" data-value="{_number_attr(value)}"{title}>'
            f"{shown}</td>"
        )
    share = _missing_share(column)
    reference_share = column.missing_reference / column.n_reference if column.n_reference else 0.0
    cells += [
        f'<td class="num" data-key="missing_share" data-value="{_attr(share)}">'
        f"{reference_share:.1%} → {share:.1%}</td>",
        f'<td class="flag" data-key="drifted" data-value="{int(column.drifted)}">'
        f"{escape(_outcome(column))}</td>",
        f'<td class="why">{escape(column.reason)}</td>',
    ]
    return (
        f'<tr id="row-{index}" class="{"drifted" if column.drifted else ""}" '
        f'data-column="{_attr(column.name)}">{"".join(cells)}</tr>'
    )


def _table(page: ReportPage) -> str:
    report = page.report
    index = {name: i for i, name in enumerate(report.columns)}
    headers = "".join(
        f'<th scope="col" aria-sort="none" data-type="{"number" if key else "text"}">'
        f'<button type="button">{escape(title)}</button></th>'
        for title, key, _ in _TABLE
    )
    rows = "".join(_row(index[c.name], c) for c in ordered_columns(report))
    return (
        '<section id="summary"><h2>Columns</h2>'
        '<p class="notes">Drifted columns first. Click a header to sort; p-values are '
        "before and after the correction across all checks; effect is in the units its "
        "test states (hover it); missing: share of rows in the reference → current data.</p>"
        f'<div class="table-wrap"><table id="columns" class="sortable"><thead><tr>{headers}'
        f"</tr></thead><tbody>{rows}</tbody></table></div></section>"
    )


def _facts(column: ColumnResult) -> str:
    if column.test is None:
        return f"{column.kind.value} column: distribution not tested"
    return (
        f"{column.kind.value} · {column.test} statistic {number(column.statistic)} · "
        f"p {number(column.p_value)} (adjusted {number(column.adjusted_p_value)}) · "
        f"effect {number(column.effect)} {column.effect_unit or ''} "
        f"(threshold {number(column.threshold)})"
    )


def _card(index: int, column: ColumnResult) -> str:
    summary_ = column.distribution
    if summary_ is not None and summary_.kind in CHARTS:
        approximate = (
            '<p class="facts">Counts estimated from the profile\'s summaries.</p>'
            if summary_.approximate
            else ""
        )
        chart = (
            f'<figure class="distribution" data-kind="{_attr(summary_.kind)}">'
            f"{CHARTS[summary_.kind](summary_)}</figure>{approximate}"
        )
    else:
        chart = ""
    badge = (
        f'<span class="badge drift">{escape(_outcome(column))}</span>'
        if column.drifted
        else f'<span class="badge">{escape(_outcome(column))}</span>'
    )
    return (
        f'<section id="col-{index}" class="card{" drifted" if column.drifted else ""}" '
        f'data-column="{_attr(column.name)}" data-kind="{_attr(column.kind.value)}" '
        f'data-drifted="{_attr(column.drifted)}">'
        f"<h3>{escape(column.name)} {badge}</h3>"
        f'<p class="facts">{escape(_facts(column))}</p>{chart}{missing_svg(column)}'
        f'<p class="why">{escape(column.reason)}</p></section>'
    )


_LEGEND = (
    '<div class="legend"><span class="reference">reference</span>'
    '<span class="current">current</span><span class="overlap">both</span>'
    "<span>bars: share of each set's non-missing values; dashed lines set off the tails "
    "beyond the 1st and 99th percentiles</span></div>"
)


def _columns(page: ReportPage) -> str:
    report = page.report
    index = {name: i for i, name in enumerate(report.columns)}
    above = {c.name for c in page.output_columns}
    cards = "".join(_card(index[c.name], c) for c in ordered_columns(report) if c.name not in above)
    moved = (
        f'<p class="notes">{escape(" and ".join(sorted(above)))}: under Model outputs, above.</p>'
        if above
        else ""
    )
    return (
        f'<section id="distributions"><h2>Distributions</h2>{_LEGEND}{moved}'
        f'<div class="cards">{cards}</div></section>'
    )


def _outputs(page: ReportPage) -> str:
    """The label-free accuracy estimates, then the class mix and confidence side by side."""
    if not page.accuracy:
        return ""
    methods = dict.fromkeys(e.method for _, e in page.accuracy if e.method)
    how = "".join(f'<p class="method">Method: {escape(m)}.</p>' for m in methods)
    index = {name: i for i, name in enumerate(page.report.columns)}
    cards = "".join(_card(index[c.name], c) for c in page.output_columns)
    charts = (
        f'<h3 class="subhead">Class mix and confidence</h3>{_LEGEND}'
        f'<div class="cards pair">{cards}</div>'
        if cards
        else ""
    )
    return (
        '<section id="model-outputs"><h2>Model outputs</h2>'
        '<h3 class="subhead">Accuracy estimated without labels</h3>'
        f'<figure class="accuracy">{accuracy_svg(page.accuracy)}</figure>'
        f"{how}"
        '<p class="method">The estimate holds while the model\'s calibration on the reference '
        "carries over: inputs the model is confidently wrong about (far from the reference) "
        "make it too high."
        f"</p>{charts}</section>"
    )


def _thumbnails(samples: Samples) -> str:
    height, width = samples.shape[:2]
    images = "".join(
        f'<img class="thumb" src="{data_uri(pixels)}" width="{pixels.shape[1]}" '
        f'height="{pixels.shape[0]}" data-index="{index}" alt="{samples.side} image {index}" '
        f'title="{samples.side} image {index}">'
        for index, pixels in zip(samples.indexes, samples.thumbnails, strict=True)
    )
    caption = f"{samples.side}: {len(samples.indexes)} of {samples.n:,} images, {width}×{height} px"
    return (
        f'<figure class="samples {samples.side}" data-side="{samples.side}" '
        f'data-n="{samples.n}" data-shown="{len(samples.indexes)}" data-height="{height}" '
        f'data-width="{width}" data-channels="{samples.shape[2]}">'
        f'<figcaption>{escape(caption)}</figcaption><div class="thumbs">{images}</div></figure>'
    )


def _samples(page: ReportPage) -> str:
    """Thumbnails of each set, and links to the cards of the per-image properties."""
    if not page.samples:
        return ""
    index = {name: i for i, name in enumerate(page.report.columns)}
    links = ", ".join(
        f'<a href="#col-{index[name]}" class="drifted">{escape(name)} (drifted)</a>'
        if column.drifted
        else f'<a href="#col-{index[name]}">{escape(name)}</a>'
        for name, column in page.report.columns.items()
        if name in FEATURE_NAMES
    )
    properties = f" Per-image properties compared below: {links}." if links else ""
    return (
        '<section id="samples"><h2>Samples</h2>'
        f'<p class="notes">Up to {SAMPLES} images of each set, chosen at random (seed '
        f"{SAMPLE_SEED}) and shown in their order; small images are enlarged without "
        f"smoothing.{properties}</p>"
        f'<div class="sample-sets">{"".join(_thumbnails(s) for s in page.samples)}</div>'
        "</section>"
    )


def _data(page: ReportPage) -> str:
    report = page.report
    text = json.dumps(report_to_dict(report), separators=(",", ":"), allow_nan=False)
    # Inside <script>, "</script>" or "<!--" in a string would end or change the element.
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="shiftwatch-report">{safe}</script>'


SECTIONS: tuple[Callable[[ReportPage], str], ...] = (
    _header,
    _notes,
    _outputs,
    _samples,
    _table,
    _columns,
    _data,
)
"""The parts of the page, in order; a part with nothing to show is empty."""


def report_to_html(
    report: DriftReport,
    path: str | Path | None = None,
    *,
    images: tuple[Any, Any] | None = None,
    accuracy: AccuracyEstimate | Mapping[str, AccuracyEstimate] | None = None,
) -> str:
    """The report as one self-contained HTML page, also written to ``path`` when given.

    ``images``, a pair ``(reference_images, current_images)`` of arrays (N, H, W) or
    (N, H, W, C), uint8 0-255 or floats in [0, 1], adds thumbnails of both sets ("Samples").
    ``accuracy``, an :class:`~shiftwatch.outputs.AccuracyEstimate` of the current data or a
    mapping of names to estimates (e.g. ``{"reference": ..., "current": ...}``), adds "Model
    outputs": the estimates, and the charts of the ``prediction`` and ``confidence`` columns.

    >>> import shiftwatch as sw
    >>> report = sw.compare({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 5.0]})
    >>> page = report.to_html()
    >>> page.startswith("<!DOCTYPE html>"), "<h1>No drift detected</h1>" in page
    (True, True)
    """
    title = "shiftwatch: " + ("drift detected" if report.drifted else "no drift detected")
    page = ReportPage(report, _image_sets(images), _estimates(accuracy))
    body = "".join(section(page) for section in SECTIONS)
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="shiftwatch"><title>{escape(title)}</title>'
        f'<link rel="icon" href="data:,"><style>{_asset("report.css")}</style></head>'
        f"<body>{body}<script>{_asset('report.js')}</script></body></html>\n"
    )
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text
