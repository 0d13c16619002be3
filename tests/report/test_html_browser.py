"""The HTML report in headless Chromium (Debian's, driven by Playwright): it loads offline
with no console error, its charts hold the JSON report's data points, and its table sorts;
with images and model outputs, the browser decodes the thumbnails to the images' pixels.

A screenshot of the page goes to $SHIFTWATCH_ARTIFACTS (a test's temporary folder when
unset). Without /usr/bin/chromium these tests are skipped, except under CI, where they fail.
"""

import itertools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import shiftwatch as sw
from tests.browser import (
    Loaded,
    chromium,
    require_chromium,
)
from tests.report.sample_reports import (
    ATTRIBUTE_NAME,
    HOSTILE_NAME,
    images_and_outputs,
    mixed_report,
)

require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def report() -> sw.DriftReport:
    return mixed_report()


@pytest.fixture
def loaded(browser: Browser, report: sw.DriftReport, tmp_path: Path) -> Iterator[Loaded]:
    path = tmp_path / "report.html"
    report.to_html(path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    result = Loaded(page)
    page.goto(path.as_uri(), wait_until="load")
    yield result
    page.close()


def test_the_report_loads_offline_without_console_errors(loaded, report, artifacts) -> None:
    page = loaded.page
    assert loaded.errors == []
    assert [m for m in loaded.console if m.startswith(("error", "warning"))] == []
    assert all(url.startswith(("file:", "data:")) for url in loaded.requests), loaded.requests
    assert page.title() == "shiftwatch: drift detected"
    assert page.locator("#verdict h1").inner_text() == "DRIFT DETECTED"
    assert "false-alarm rate at most 0.05" in page.locator("#verdict .level").inner_text()
    shot = artifacts / "html-report.png"
    page.screenshot(path=str(shot), full_page=True)
    (artifacts / "html-report.html").write_text(page.content(), encoding="utf-8")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_hostile_column_names_show_as_text_and_run_nothing(loaded) -> None:
    page = loaded.page
    assert page.evaluate("window.__pwned") is None
    headings = page.locator("section.card h3").all_text_contents()  # cards off screen too
    assert any(h.startswith(HOSTILE_NAME) for h in headings)
    assert any(h.startswith(ATTRIBUTE_NAME) for h in headings)
    assert page.locator("img").count() == 0


_READ_CHARTS = """() => Array.from(document.querySelectorAll("section.card")).map(card => ({
  column: card.dataset.column,
  kind: card.querySelector("figure") ? card.querySelector("figure").dataset.kind : null,
  edges: Array.from(card.querySelectorAll("rect.bin")).map(b =>
    [Number(b.dataset.low), Number(b.dataset.high)]),
  categories: Array.from(card.querySelectorAll("g.category")).map(g =>
    [g.dataset.category, g.dataset.other === "true"]),
  reference: Array.from(card.querySelectorAll("svg.histogram rect.bar.reference,"
    + " svg.categories rect.bar.reference")).map(r => Number(r.dataset.count)),
  current: Array.from(card.querySelectorAll("svg.histogram rect.bar.current,"
    + " svg.categories rect.bar.current")).map(r => Number(r.dataset.count)),
  missing: Array.from(card.querySelectorAll("svg.missing rect.bar")).map(r =>
    Number(r.dataset.count)),
}))"""


def test_charts_hold_the_data_points_of_the_json_report(loaded, report) -> None:
    data = {c["name"]: c for c in json.loads(report.to_json())["columns"]}
    charts = loaded.page.evaluate(_READ_CHARTS)
    assert [c["column"] for c in charts] == sorted(
        data, key=lambda n: [c["column"] for c in charts].index(n)
    )
    assert len(charts) == len(data)
    drawn_kinds = {c["kind"] for c in charts}
    assert drawn_kinds == {"histogram", "categories", None}
    for chart in charts:
        column = data[chart["column"]]
        distribution = column["distribution"]
        assert chart["missing"] == [column["missing_reference"], column["missing_current"]]
        if distribution is None:
            assert chart["kind"] is None
            continue
        assert chart["kind"] == distribution["kind"]
        if distribution["kind"] == "histogram":
            edges = distribution["edges"]
            assert chart["edges"] == [list(pair) for pair in itertools.pairwise(edges)]
            assert chart["reference"] == distribution["reference"]
            assert chart["current"] == distribution["current"]
            continue
        labels = [[c, False] for c in distribution["categories"]]
        reference, current = list(distribution["reference"]), list(distribution["current"])
        if distribution["n_other"]:
            labels.append([chart["categories"][-1][0], True])
            reference.append(distribution["other_reference"])
            current.append(distribution["other_current"])
        assert chart["categories"] == labels
        assert (chart["reference"], chart["current"]) == (reference, current)


_READ_TABLE = """() => Array.from(document.querySelectorAll("#columns tbody tr")).map(row => {
  const values = {column: row.dataset.column};
  for (const cell of row.querySelectorAll("td[data-key]")) {
    values[cell.dataset.key] = cell.dataset.value === "" ? null : Number(cell.dataset.value);
  }
  return values;
})"""


def _expected_row(column: dict[str, Any], report: sw.DriftReport) -> dict[str, Any]:
    row: dict[str, Any] = {"column": column["name"]}
    for key in ("statistic", "p_value", "adjusted_p_value", "effect", "threshold"):
        value = getattr(report.columns[column["name"]], key)
        # strict JSON has no infinity: null there, Infinity on the page (so it sorts)
        row[key] = value if value is not None and math.isinf(value) else column[key]
    row["missing_share"] = column["missing_current"] / column["n_current"]
    row["drifted"] = int(column["drifted"])
    return row


def test_table_numbers_match_the_json_report_exactly(loaded, report) -> None:
    data = json.loads(report.to_json())
    rows = loaded.page.evaluate(_READ_TABLE)
    expected = {c["name"]: _expected_row(c, report) for c in data["columns"]}
    assert {row["column"]: row for row in rows} == expected
    assert [r["column"] for r in rows[: len(data["drifted_columns"])]] == sorted(
        data["drifted_columns"], key=[r["column"] for r in rows].index
    )
    assert all(r["drifted"] == 1 for r in rows[: len(data["drifted_columns"])])


def _order(page: Page) -> list[str]:
    return page.locator("#columns tbody tr").evaluate_all("rows => rows.map(r => r.dataset.column)")


def test_clicking_a_header_sorts_the_table(loaded, report) -> None:
    page = loaded.page
    adjusted = {name: c.adjusted_p_value for name, c in report.columns.items()}
    tested = sorted((p, n) for n, p in adjusted.items() if p is not None)
    untested = [n for n, p in adjusted.items() if p is None]

    page.get_by_role("button", name="adjusted p").click()
    order = _order(page)
    assert [adjusted[n] for n in order[: len(tested)]] == [p for p, _ in tested]
    assert order[len(tested) :] == untested  # no value: last
    header = page.locator("#columns th", has_text="adjusted p")
    assert header.get_attribute("aria-sort") == "ascending"

    page.get_by_role("button", name="adjusted p").click()
    order = _order(page)
    assert [adjusted[n] for n in order[: len(tested)]] == sorted(
        (p for p, _ in tested), reverse=True
    )
    assert header.get_attribute("aria-sort") == "descending"

    page.get_by_role("button", name="column", exact=True).click()
    assert _order(page) == sorted(report.columns, key=str.lower)

    page.get_by_role("button", name="effect").click()
    page.get_by_role("button", name="effect").click()
    assert _order(page)[0] == "version"  # an infinite effect: a constant column that moved


def test_a_large_report_opens_fast(browser, tmp_path) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    reference = {f"c{i}": rng.normal(size=2_000) for i in range(100)}
    current = {f"c{i}": rng.normal(0.1 * (i % 3), size=2_000) for i in range(100)}
    path = tmp_path / "wide.html"
    sw.compare(reference, current).to_html(path)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    assert errors == [] and page.locator("section.card").count() == 100
    assert timing < 5_000  # milliseconds; typically well under one second
    page.close()


_READ_EXTRAS = """() => ({
  sections: Array.from(document.querySelectorAll("body > section")).map(s => s.id),
  estimates: Array.from(document.querySelectorAll("#model-outputs g.estimate")).map(g => ({
    name: g.dataset.name, value: Number(g.dataset.value), low: Number(g.dataset.low),
    high: Number(g.dataset.high), n: Number(g.dataset.n)})),
  cards: Array.from(document.querySelectorAll("#model-outputs section.card")).map(card => {
    const box = card.getBoundingClientRect();
    return {column: card.dataset.column, top: box.top, left: box.left, right: box.right};
  }),
  sets: Array.from(document.querySelectorAll("#samples figure.samples")).map(figure => {
    const images = Array.from(figure.querySelectorAll("img"));
    const first = images[0];
    const canvas = document.createElement("canvas");
    canvas.width = first.naturalWidth;
    canvas.height = first.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(first, 0, 0);
    return {
      side: figure.dataset.side,
      indexes: images.map(i => Number(i.dataset.index)),
      decoded: images.every(i => i.complete && i.naturalWidth === 48 && i.naturalHeight === 48),
      drawn: images.every(i => i.getBoundingClientRect().width >= 48),
      first: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data),
    };
  }),
})"""


def test_a_report_with_images_and_model_outputs_shows_them(browser, artifacts, tmp_path) -> None:
    import numpy as np

    report, images, estimates = images_and_outputs()
    path = tmp_path / "images-and-outputs.html"
    report.to_html(path, images=images, accuracy=estimates)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loaded = Loaded(page)
    page.goto(path.as_uri(), wait_until="load")
    assert loaded.errors == []
    assert [m for m in loaded.console if m.startswith(("error", "warning"))] == []
    assert all(url.startswith(("file:", "data:")) for url in loaded.requests), loaded.requests
    shown = page.evaluate(_READ_EXTRAS)

    assert shown["sections"][:3] == ["model-outputs", "samples", "summary"]
    assert shown["estimates"] == [
        {"name": name, "value": e.value, "low": e.low, "high": e.high, "n": e.n}
        for name, e in estimates.items()
    ]
    prediction, confidence = shown["cards"]  # side by side
    assert (prediction["column"], confidence["column"]) == ("prediction", "confidence")
    assert prediction["top"] == confidence["top"] and prediction["right"] < confidence["left"]

    for side, pixels, drawn in zip(("reference", "current"), images, shown["sets"], strict=True):
        assert drawn["side"] == side and drawn["decoded"] and drawn["drawn"]
        assert len(drawn["indexes"]) == 24
        expected = pixels[drawn["indexes"][0]].repeat(3, axis=0).repeat(3, axis=1)
        rgba = np.array(drawn["first"], dtype=np.uint8).reshape(48, 48, 4)
        np.testing.assert_array_equal(rgba[:, :, :3], expected)

    page.screenshot(path=str(artifacts / "html-report-images-outputs.png"), full_page=True)
    (artifacts / "html-report-images-outputs.html").write_text(page.content(), encoding="utf-8")
    page.close()
