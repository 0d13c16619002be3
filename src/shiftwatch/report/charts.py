"""Inline SVG charts of a column's two distributions, for the HTML report.

Each chart is static SVG (no script, no library): it draws at once, and the HTML file stays
small. Every drawn value is also an attribute, so a reader (or a browser test) can take the
numbers back exactly: ``data-count`` on each bar, ``data-low`` / ``data-high`` on each bin
(Python's shortest round-trip form of the float, as in the JSON report), ``data-category``
on each category row. Text is escaped; a ``<title>`` on each bin gives its numbers on hover.

The reference is drawn in blue, the current data in orange, both half transparent so that
their overlap shows. :func:`accuracy_svg` draws label-free accuracy estimates as intervals,
one row per set, with ``data-value`` / ``data-low`` / ``data-high`` / ``data-n`` on each row.
"""

import json
import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from shiftwatch.drift_report import ColumnResult, DistributionSummary
from shiftwatch.report._format import number

if TYPE_CHECKING:
    from shiftwatch.outputs.accuracy import AccuracyEstimate

WIDTH = 640
HISTOGRAM_HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 10, 42
X_TICKS = 6
LABEL_WIDTH = 170
ROW_HEIGHT = 22
MAX_LABEL = 24


def _attr(value: object) -> str:
    """An attribute value: numbers in JSON's exact form, text escaped."""
    text = value if isinstance(value, str) else json.dumps(value)
    return escape(text, quote=True)


def _f(value: float) -> str:
    """A coordinate with two decimals, enough for a screen."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _count_text(count: int, total: int, approximate: bool) -> str:
    about = "about " if approximate else ""
    return f"{_share(count, total):.1%} ({about}{count:,})"


def _bin_label(summary: DistributionSummary, index: int) -> str:
    edges, last = summary.edges, len(summary.reference) - 1
    low, high = edges[index], edges[index + 1]
    if summary.discrete:
        return f"value {number(low + 0.5, 6)}"
    if summary.low_tail and index == 0:
        return f"below {number(high)} (lowest {number(low)})"
    if summary.high_tail and index == last:
        return f"{number(low)} and above (highest {number(high)})"
    closing = "]" if index == last else ")"
    return f"[{number(low)}, {number(high)}{closing}"


def _ticks(summary: DistributionSummary, band: float) -> list[str]:
    """Labels under the x axis: some edges, or some integer values."""
    bins = len(summary.reference)
    marks: list[tuple[float, str]] = []
    if summary.discrete:
        step = max(1, math.ceil(bins / 10))
        for index in range(0, bins, step):
            centre = summary.edges[index] + 0.5
            marks.append((LEFT + (index + 0.5) * band, number(centre, 6)))
    else:  # the edges of the equal-width bins; the tails' ends go on a line below
        first, last = int(summary.low_tail), bins - int(summary.high_tail)
        step = max(1, round((last - first) / (X_TICKS - 1)))
        indexes = sorted({*range(first, last + 1, step), last})
        if len(indexes) > 2 and indexes[-1] - indexes[-2] < step / 2:
            indexes.pop(-2)  # the last regular tick would crowd the end
        marks = [(LEFT + index * band, number(summary.edges[index])) for index in indexes]
    baseline = HISTOGRAM_HEIGHT - BOTTOM
    ends = []
    if summary.low_tail:
        ends.append(
            f'<text class="tick" x="{LEFT}" y="{baseline + 32}">'
            f"← lowest {escape(number(summary.edges[0]))}</text>"
        )
    if summary.high_tail:
        ends.append(
            f'<text class="tick" x="{WIDTH - RIGHT}" y="{baseline + 32}" text-anchor="end">'
            f"highest {escape(number(summary.edges[-1]))} →</text>"
        )

    def anchor(x: float) -> str:  # labels at the ends stay inside the chart
        return "end" if x > WIDTH - RIGHT - 20 else "middle"

    return [
        f'<line class="tick" x1="{_f(x)}" x2="{_f(x)}" y1="{baseline}" y2="{baseline + 4}"/>'
        f'<text class="tick" x="{_f(x)}" y="{baseline + 16}" text-anchor="{anchor(x)}">'
        f"{escape(label)}</text>"
        for x, label in marks
    ] + ends


def _y_axis(top_share: float, plot_height: float) -> list[str]:
    parts = []
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y)}" y2="{_f(y)}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">'
            f"{top_share * fraction:.0%}</text>"
        )
    return parts


def histogram_svg(summary: DistributionSummary) -> str:
    """Both sides' histograms on shared bins, as shares of each side's values.

    >>> summary = DistributionSummary("histogram", (3, 1), (1, 3), edges=(0.0, 0.5, 1.0))
    >>> svg = histogram_svg(summary)
    >>> svg.count('class="bar reference"'), 'data-edges="[0.0, 0.5, 1.0]"' in svg
    (2, True)
    """
    bins = len(summary.reference)
    totals = (sum(summary.reference), sum(summary.current))
    shares = [
        [_share(c, totals[0]) for c in summary.reference],
        [_share(c, totals[1]) for c in summary.current],
    ]
    top_share = max(max(shares[0]), max(shares[1]), 1e-12)
    top_share = math.ceil(top_share * 50) / 50  # gridlines at whole percentages
    plot_height = HISTOGRAM_HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / bins
    parts = [
        f'<svg class="chart histogram" viewBox="0 0 {WIDTH} {HISTOGRAM_HEIGHT}" role="img" '
        f'data-edges="{_attr(list(summary.edges))}" data-bins="{bins}">',
        *_y_axis(top_share, plot_height),
    ]
    for side, name in ((0, "reference"), (1, "current")):
        counts = summary.reference if side == 0 else summary.current
        for index, count in enumerate(counts):
            height = plot_height * shares[side][index] / top_share
            parts.append(
                f'<rect class="bar {name}" data-side="{name}" data-bin="{index}" '
                f'data-count="{count}" x="{_f(LEFT + index * band + 0.5)}" '
                f'y="{_f(TOP + plot_height - height)}" width="{_f(max(band - 1, 0.5))}" '
                f'height="{_f(height)}"/>'
            )
    for index in range(bins):
        tail = (summary.low_tail and index == 0) or (summary.high_tail and index == bins - 1)
        title = (
            f"{_bin_label(summary, index)}: reference "
            f"{_count_text(summary.reference[index], totals[0], summary.approximate)}, current "
            f"{_count_text(summary.current[index], totals[1], summary.approximate)}"
        )
        parts.append(
            f'<rect class="bin{" tail" if tail else ""}" data-bin="{index}" '
            f'data-low="{_attr(summary.edges[index])}" '
            f'data-high="{_attr(summary.edges[index + 1])}" x="{_f(LEFT + index * band)}" '
            f'y="{TOP}" width="{_f(band)}" height="{plot_height}"><title>{escape(title)}'
            "</title></rect>"
        )
    for index in (1, bins - 1):
        if (index == 1 and summary.low_tail) or (index == bins - 1 and summary.high_tail):
            x = _f(LEFT + index * band)
            parts.append(
                f'<line class="tail-edge" x1="{x}" x2="{x}" y1="{TOP}" y2="{TOP + plot_height}"/>'
            )
    parts += _ticks(summary, band)
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def categories_svg(summary: DistributionSummary) -> str:
    """Horizontal bars per category, reference above current, and the rest as "other".

    >>> summary = DistributionSummary("categories", (3, 0), (1, 2), categories=("<a>", "b"))
    >>> svg = categories_svg(summary)
    >>> svg.count("<g "), 'data-category="&lt;a&gt;"' in svg, "b · new" in svg
    (2, True, True)
    """
    rows: list[tuple[str, int, int, bool]] = [
        (label, ref, cur, False)
        for label, ref, cur in zip(
            summary.categories, summary.reference, summary.current, strict=True
        )
    ]
    if summary.other_reference or summary.other_current or summary.n_other:
        rows.append(
            (f"other ({summary.n_other:,})", summary.other_reference, summary.other_current, True)
        )
    totals = (
        sum(summary.reference) + summary.other_reference,
        sum(summary.current) + summary.other_current,
    )
    # The scale fits the categories shown; a larger "other" bar is clipped (its text says).
    scaled = [row for row in rows if not row[3]] or rows
    top_share = max(
        [_share(r, totals[0]) for _, r, _, _ in scaled]
        + [_share(c, totals[1]) for _, _, c, _ in scaled]
        + [1e-12]
    )
    scale = (WIDTH - LABEL_WIDTH - 100) / top_share
    height = TOP + ROW_HEIGHT * len(rows) + 8
    parts = [
        f'<svg class="chart categories" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'data-rows="{len(rows)}">'
    ]
    for index, (label, ref, cur, other) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        new = not other and not summary.approximate and ref == 0 and cur > 0
        shown = _short(label) + (" · new" if new else "")
        title = (
            f"{label}: reference {_count_text(ref, totals[0], summary.approximate)}, "
            f"current {_count_text(cur, totals[1], summary.approximate)}"
        )
        classes = "category" + (" other" if other else "") + (" new" if new else "")
        parts.append(
            f'<g class="{classes}" data-row="{index}" data-category="{_attr(label)}" '
            f'data-other="{"true" if other else "false"}"><title>{escape(title)}</title>'
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{_f(y + 15)}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        for offset, (name, count, total) in enumerate(
            (("reference", ref, totals[0]), ("current", cur, totals[1]))
        ):
            share = _share(count, total)
            clipped = " clipped" if share > top_share else ""
            parts.append(
                f'<rect class="bar {name}{clipped}" data-side="{name}" data-count="{count}" '
                f'x="{LABEL_WIDTH}" y="{_f(y + 2 + offset * 9)}" '
                f'width="{_f(min(share, top_share) * scale)}" height="8"/>'
            )
        shares = (_share(ref, totals[0]), _share(cur, totals[1]))
        parts.append(
            f'<text class="value" x="{_f(LABEL_WIDTH + min(max(shares), top_share) * scale + 6)}" '
            f'y="{_f(y + 15)}">{shares[0]:.1%} → {shares[1]:.1%}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def missing_svg(column: ColumnResult) -> str:
    """Missing share of each side on a 0-100% scale, with its counts as attributes.

    >>> import shiftwatch as sw
    >>> report = sw.compare({"x": [1.0, None, 3.0, 4.0]}, {"x": [1.0, 2.0, 3.0, 4.0]})
    >>> 'data-missing-reference="1"' in missing_svg(report.columns["x"])
    True
    """
    sides = (
        ("reference", column.missing_reference, column.n_reference),
        ("current", column.missing_current, column.n_current),
    )
    bar_width = WIDTH - LABEL_WIDTH - 190
    parts = [
        f'<svg class="chart missing" viewBox="0 0 {WIDTH} 48" role="img" '
        f'data-missing-reference="{column.missing_reference}" '
        f'data-missing-current="{column.missing_current}" '
        f'data-n-reference="{column.n_reference}" data-n-current="{column.n_current}">'
    ]
    for index, (name, missing, n) in enumerate(sides):
        y = 4 + index * 22
        share = _share(missing, n)
        parts.append(
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">'
            f"missing, {name}</text>"
            f'<rect class="track" x="{LABEL_WIDTH}" y="{y + 3}" width="{bar_width}" height="12"/>'
            f'<rect class="bar {name}" data-side="{name}" data-count="{missing}" '
            f'x="{LABEL_WIDTH}" y="{y + 3}" width="{_f(share * bar_width)}" height="12"/>'
            f'<text class="value" x="{LABEL_WIDTH + bar_width + 8}" y="{y + 13}">'
            f"{share:.2%} ({missing:,} of {n:,})</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _accuracy_scale(estimates: Sequence[tuple[str, "AccuracyEstimate"]]) -> tuple[float, float]:
    """The axis' left end and the step between its gridlines.

    The left end is a tenth, at most 0.9, so that the axis spans at least ten points.
    """
    lowest = min(min(e.low, e.value) for _, e in estimates)
    start = max(0.0, min(math.floor(lowest * 10) / 10, 0.9)) if math.isfinite(lowest) else 0.0
    span = 1.0 - start
    step = 0.02 if span <= 0.1 else 0.05 if span <= 0.3 else 0.1 if span <= 0.6 else 0.2
    return start, step


def accuracy_svg(estimates: Sequence[tuple[str, "AccuracyEstimate"]]) -> str:
    """Each named accuracy estimate as a dot on its interval, on an axis that ends at 100%.

    A set named "reference" is drawn in the reference's colour, the others in the current's.

    >>> from shiftwatch.outputs import AccuracyEstimate
    >>> svg = accuracy_svg([("a <b>", AccuracyEstimate(0.9, 0.85, 0.95, 100, "mean"))])
    >>> 'data-name="a &lt;b&gt;"' in svg, 'data-low="0.85"' in svg, "90.0% (85.0%–95.0%)" in svg
    (True, True, True)
    """
    start, step = _accuracy_scale(estimates)
    left, right = LABEL_WIDTH, WIDTH - 230
    height = TOP + ROW_HEIGHT * len(estimates) + 28
    baseline = TOP + ROW_HEIGHT * len(estimates)

    def x(value: float) -> str:
        share = (min(max(value, start), 1.0) - start) / (1.0 - start)
        return _f(left + share * (right - left))

    parts = [
        f'<svg class="chart accuracy" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'data-rows="{len(estimates)}" data-axis-start="{_attr(start)}">'
    ]
    for tick in range(round((1.0 - start) / step) + 1):
        value = start + tick * step
        parts.append(
            f'<line class="grid" x1="{x(value)}" x2="{x(value)}" y1="{TOP}" y2="{baseline}"/>'
            f'<text class="tick" x="{x(value)}" y="{baseline + 16}" text-anchor="middle">'
            f"{value:.0%}</text>"
        )
    for index, (name, estimate) in enumerate(estimates):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        side = "reference" if name == "reference" else "current"
        text = f"{estimate.value:.1%} ({estimate.low:.1%}–{estimate.high:.1%})"
        title = f"{name}: estimated accuracy {text} over {estimate.n:,} rows; {estimate.method}"
        parts.append(
            f'<g class="estimate {side}" data-row="{index}" data-name="{_attr(name)}" '
            f'data-value="{_attr(estimate.value)}" data-low="{_attr(estimate.low)}" '
            f'data-high="{_attr(estimate.high)}" data-n="{estimate.n}" '
            f'data-method="{_attr(estimate.method)}">'
            f"<title>{escape(title)}</title>"
            f'<text class="label" x="{left - 8}" y="{_f(y + 4)}" text-anchor="end">'
            f"{escape(_short(name))}</text>"
            f'<line class="interval" x1="{x(estimate.low)}" x2="{x(estimate.high)}" '
            f'y1="{_f(y)}" y2="{_f(y)}"/>'
            f'<line class="interval" x1="{x(estimate.low)}" x2="{x(estimate.low)}" '
            f'y1="{_f(y - 5)}" y2="{_f(y + 5)}"/>'
            f'<line class="interval" x1="{x(estimate.high)}" x2="{x(estimate.high)}" '
            f'y1="{_f(y - 5)}" y2="{_f(y + 5)}"/>'
            f'<circle class="point" cx="{x(estimate.value)}" cy="{_f(y)}" r="5"/>'
            f'<text class="value" x="{right + 12}" y="{_f(y + 4)}">'
            f"{escape(text)}, {estimate.n:,} rows</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


CHARTS = {"histogram": histogram_svg, "categories": categories_svg}
"""How each kind of distribution summary is drawn."""
