"""The HTML report without a browser: one offline file, escaped, its numbers the JSON's.

The browser tests (test_html_browser.py) load the same page in headless Chromium.
"""

import base64
import json
import math
import re
from html import escape
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import shiftwatch as sw
from shiftwatch.cli import app
from shiftwatch.errors import InvalidParameterError
from shiftwatch.outputs import AccuracyEstimate
from tests.report.pngs import decode_png
from tests.report.sample_reports import (
    ATTRIBUTE_NAME,
    HOSTILE_NAME,
    images_and_outputs,
    mixed_report,
)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def report() -> sw.DriftReport:
    return mixed_report()


@pytest.fixture(scope="module")
def page(report: sw.DriftReport) -> str:
    return report.to_html()


def _json_number(value: Any) -> str:
    return "" if value is None else json.dumps(value)


def test_to_html_writes_one_self_contained_file(report, tmp_path) -> None:
    path = tmp_path / "report.html"
    text = report.to_html(path)
    assert path.read_text(encoding="utf-8") == text
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.IGNORECASE)
    assert "http://" not in text and "https://" not in text
    elements = _parse(text).elements
    assert not [a for tag, a in elements if tag == "script" and "src" in a]
    assert not [a for tag, a in elements if tag == "link" and a.get("rel") == "stylesheet"]


def test_the_verdict_and_false_alarm_level_come_first(report, page) -> None:
    body = page[page.index("<body>") :]
    assert body.index("DRIFT DETECTED") < body.index('id="summary"')
    header = next(a for tag, a in _parse(page).elements if tag == "header")
    assert header["data-drifted"] == "true" and header["data-alpha"] == "0.05"
    assert header["data-correction"] == "holm" and header["data-guaranteed"] == "true"
    assert "Family-wise false-alarm rate at most 0.05" in page
    n_checks = sum(len(c.checks) for c in report.columns.values())
    assert f"holm correction across {n_checks} checks" in page


def test_every_name_and_value_is_escaped(report, page) -> None:
    assert HOSTILE_NAME not in page and ATTRIBUTE_NAME not in page
    assert "<b>bold</b>" not in page and "city & 1" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    parser = _parse(page)
    scripts = [attrs for attrs, _ in parser.scripts]
    assert len(scripts) == 2 and scripts[0] == {
        "type": "application/json",
        "id": "shiftwatch-report",
    }
    names = [a["data-column"] for tag, a in parser.elements if tag == "tr" and "data-column" in a]
    assert sorted(names) == sorted(report.columns)
    categories = {a["data-category"] for tag, a in parser.elements if "data-category" in a}
    assert "<b>bold</b>" in categories and any(c.startswith("city & ") for c in categories)
    assert not [tag for tag, _ in parser.elements if tag in {"img", "b"}]


def test_the_embedded_json_is_the_json_report(report, page) -> None:
    _, text = next((a, t) for a, t in _parse(page).scripts if a.get("id") == "shiftwatch-report")
    assert "</script" not in text.lower()
    assert json.loads(text) == json.loads(report.to_json())


def test_table_and_chart_numbers_match_the_json_exactly(report, page) -> None:
    data = json.loads(report.to_json())
    by_name = {c["name"]: c for c in data["columns"]}
    elements = _parse(page).elements
    rows = [a for tag, a in elements if tag == "tr" and "data-column" in a]
    cells = [a for tag, a in elements if tag == "td" and "data-key" in a]
    keys = ["statistic", "p_value", "adjusted_p_value", "effect", "threshold"]
    per_row = len(keys) + 2
    assert len(cells) == per_row * len(rows)
    for index, row in enumerate(rows):
        column = by_name[row["data-column"]]
        mine = {
            c["data-key"]: c["data-value"] for c in cells[index * per_row : (index + 1) * per_row]
        }
        for key in keys:
            python_value = getattr(report.columns[column["name"]], key)
            if python_value is not None and math.isinf(python_value):
                assert column[key] is None and mine[key] == "Infinity"
            else:
                assert mine[key] == _json_number(column[key]), (column["name"], key)
                assert (float(mine[key]) if mine[key] else None) == column[key]
        share = column["missing_current"] / column["n_current"]
        assert float(mine["missing_share"]) == share
        assert mine["drifted"] == str(int(column["drifted"]))

    cards = [a for tag, a in elements if tag == "section" and "data-column" in a]
    assert [c["data-column"] for c in cards] == [r["data-column"] for r in rows]
    histograms = [a for tag, a in elements if tag == "svg" and "histogram" in a["class"]]
    expected = [by_name[c["data-column"]]["distribution"] for c in cards]
    expected_histograms = [d for d in expected if d is not None and d["kind"] == "histogram"]
    assert len(histograms) == len(expected_histograms) == 5
    for svg, distribution in zip(histograms, expected_histograms, strict=True):
        assert json.loads(svg["data-edges"]) == distribution["edges"]


def test_bars_carry_the_counts_of_the_json(report, page) -> None:
    elements = _parse(page).elements
    data = {c["name"]: c for c in json.loads(report.to_json())["columns"]}
    order = [a["data-column"] for tag, a in elements if tag == "section" and "data-column" in a]
    bars = [a for tag, a in elements if tag == "rect" and "bar" in a.get("class", "")]
    drawn: list[tuple[str, int]] = [(a["data-side"], int(a["data-count"])) for a in bars]
    expected: list[tuple[str, int]] = []
    for name in order:
        distribution = data[name]["distribution"]
        if distribution is not None and distribution["kind"] == "histogram":
            expected += [("reference", c) for c in distribution["reference"]]
            expected += [("current", c) for c in distribution["current"]]
        elif distribution is not None:
            pairs = list(zip(distribution["reference"], distribution["current"], strict=True))
            if distribution["n_other"]:
                pairs.append((distribution["other_reference"], distribution["other_current"]))
            for ref, cur in pairs:
                expected += [("reference", ref), ("current", cur)]
        expected += [("reference", data[name]["missing_reference"])]
        expected += [("current", data[name]["missing_current"])]
    assert drawn == expected


def test_a_report_of_untested_columns_only_still_renders() -> None:
    texts = np.array([f"t{i}" for i in range(150)])
    page = sw.compare({"t": texts}, {"t": texts}).to_html()
    assert "No drift detected" in page and "text column: distribution not tested" in page


def test_cli_writes_the_html_report(tmp_path) -> None:
    rng = np.random.default_rng(2)
    for name, loc in (("ref.csv", 0.0), ("cur.csv", 1.0)):
        values = rng.normal(loc, size=300)
        (tmp_path / name).write_text("x\n" + "\n".join(f"{v:.6f}" for v in values) + "\n")
    html, markdown = tmp_path / "out" / "report.html", tmp_path / "summary.md"
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tmp_path / "ref.csv"),
            str(tmp_path / "cur.csv"),
            "--html",
            str(html),
            "--markdown",
            str(markdown),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "<h1>DRIFT DETECTED</h1>" in html.read_text()
    assert markdown.read_text().startswith("## shiftwatch: DRIFT DETECTED")


def test_cli_says_when_it_cannot_write_the_html_report(tmp_path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n2\n3\n")
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tmp_path / "a.csv"),
            str(tmp_path / "a.csv"),
            "--html",
            str(tmp_path / "missing" / "r.html"),
        ],
    )
    assert result.exit_code == 2
    assert "cannot write the report" in result.output


# Images and model outputs


@pytest.fixture(scope="module")
def extras() -> tuple[sw.DriftReport, tuple[np.ndarray, np.ndarray], dict[str, AccuracyEstimate]]:
    return images_and_outputs()


def _samples(page: str) -> dict[str, tuple[dict[str, str | None], list[dict[str, str | None]]]]:
    """Each set's <figure> and the <img> elements inside it."""
    figures: dict[str, tuple[dict[str, str | None], list[dict[str, str | None]]]] = {}
    side = None
    for tag, attrs in _parse(page).elements:
        if tag == "figure" and "data-side" in attrs:
            side = str(attrs["data-side"])
            figures[side] = (attrs, [])
        elif tag == "img":
            assert side is not None
            figures[side][1].append(attrs)
    return figures


def _pixels(img: dict[str, str | None]) -> np.ndarray:
    prefix, encoded = str(img["src"]).split(",", 1)
    assert prefix == "data:image/png;base64"
    return decode_png(base64.b64decode(encoded))


def test_thumbnails_are_the_images_enlarged_pixel_for_pixel(report) -> None:
    rng = np.random.default_rng(4)
    grey = rng.integers(0, 256, size=(30, 8, 8), dtype=np.uint8)
    colour = rng.random((10, 5, 7, 3))
    page = report.to_html(images=(grey, colour))
    figures = _samples(page)
    assert list(figures) == ["reference", "current"]

    attrs, imgs = figures["reference"]
    assert (attrs["data-n"], attrs["data-shown"], attrs["data-channels"]) == ("30", "24", "1")
    indexes = [int(str(img["data-index"])) for img in imgs]
    assert len(imgs) == 24 and indexes == sorted(set(indexes)) and indexes[-1] < 30
    for img, index in zip(imgs, indexes, strict=True):
        expected = grey[index].repeat(6, axis=0).repeat(6, axis=1)[:, :, np.newaxis]
        decoded = _pixels(img)
        assert decoded.shape == (48, 48, 1) and (img["width"], img["height"]) == ("48", "48")
        np.testing.assert_array_equal(decoded, expected)

    attrs, imgs = figures["current"]
    assert (attrs["data-n"], attrs["data-shown"], attrs["data-height"]) == ("10", "10", "5")
    assert [img["data-index"] for img in imgs] == [str(i) for i in range(10)]
    for index, img in enumerate(imgs):
        expected = np.rint(colour[index] * 255).astype(np.uint8)
        decoded = _pixels(img)
        assert decoded.shape == (50, 70, 3)  # 10x: the short side reaches 48 pixels
        np.testing.assert_array_equal(decoded, expected.repeat(10, axis=0).repeat(10, axis=1))

    again = _samples(report.to_html(images=(grey, colour)))  # a fixed seed: the same choice
    assert [i["data-index"] for i in again["reference"][1]] == [str(i) for i in indexes]


def test_48_digit_sized_thumbnails_add_under_100_kb(report) -> None:
    rng = np.random.default_rng(5)
    reference = rng.integers(0, 256, size=(500, 8, 8), dtype=np.uint8)  # noise: the worst case
    current = rng.integers(0, 256, size=(500, 8, 8), dtype=np.uint8)
    added = len(report.to_html(images=(reference, current))) - len(report.to_html())
    assert 0 < added < 100_000


def test_the_samples_link_the_per_image_properties(extras) -> None:
    report, images, _ = extras
    page = report.to_html(images=images)
    samples = page[page.index('<section id="samples">') : page.index('<section id="summary">')]
    index = {name: i for i, name in enumerate(report.columns)}
    for name in ("brightness", "contrast", "saturation", "sharpness", "entropy"):
        assert f'href="#col-{index[name]}"' in samples
    assert "prediction" not in samples and len(_samples(page)["current"][1]) == 24


def test_the_accuracy_section_shows_each_estimate_exactly(extras) -> None:
    report, _, estimates = extras
    page = report.to_html(accuracy=estimates)
    body = page[page.index("<body>") :]
    assert (
        body.index('id="verdict"') < body.index('id="model-outputs"') < body.index('id="summary"')
    )
    shown = [a for tag, a in _parse(page).elements if tag == "g" and "data-name" in a]
    assert [a["data-name"] for a in shown] == list(estimates)
    for attrs, estimate in zip(shown, estimates.values(), strict=True):
        assert float(str(attrs["data-value"])) == estimate.value
        assert float(str(attrs["data-low"])) == estimate.low
        assert float(str(attrs["data-high"])) == estimate.high
        assert int(str(attrs["data-n"])) == estimate.n
        assert attrs["data-method"] == estimate.method
        text = f"{estimate.value:.1%} ({estimate.low:.1%}–{estimate.high:.1%}), {estimate.n:,} rows"
        assert text in page
    assert f'<p class="method">Method: {escape(estimates["current"].method)}.</p>' in page


def test_the_class_mix_and_confidence_move_up_to_the_model_outputs(extras) -> None:
    report, _, estimates = extras
    page = report.to_html(accuracy=estimates)
    outputs = page[page.index('id="model-outputs"') : page.index('id="summary"')]
    distributions = page[page.index('id="distributions"') :]
    pulled_up = re.findall(r'<section id="col-\d+" class="card[^"]*" data-column="(\w+)"', outputs)
    assert pulled_up == ["prediction", "confidence"]
    assert '<div class="cards pair">' in outputs
    assert 'data-column="prediction"' not in distributions
    assert 'data-column="confidence"' not in distributions
    cards = [a for tag, a in _parse(page).elements if tag == "section" and "data-column" in a]
    assert sorted(c["data-column"] for c in cards) == sorted(report.columns)
    assert len({c["id"] for c in cards}) == len(cards)


def test_one_estimate_is_named_current(extras) -> None:
    report, _, estimates = extras
    page = report.to_html(accuracy=estimates["current"])
    shown = [a for tag, a in _parse(page).elements if tag == "g" and "data-name" in a]
    assert [a["data-name"] for a in shown] == ["current"]


def test_estimate_names_and_methods_are_escaped(report) -> None:
    hostile = AccuracyEstimate(0.9, 0.8, 0.95, 10, method=ATTRIBUTE_NAME)
    page = report.to_html(accuracy={HOSTILE_NAME: hostile, "x": hostile})
    assert HOSTILE_NAME not in page and ATTRIBUTE_NAME not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    parser = _parse(page)
    assert not [tag for tag, _ in parser.elements if tag in {"img", "b"}]
    assert len(parser.scripts) == 2
    names = [a["data-name"] for tag, a in parser.elements if tag == "g" and "data-name" in a]
    assert names == [HOSTILE_NAME, "x"]


def _cards(page: str) -> list[str]:
    return sorted(re.findall(r'<section id="col-\d+".*?</section>', page))


def test_without_images_or_estimates_the_page_is_unchanged(report, page, extras) -> None:
    assert report.to_html(images=None, accuracy=None) == page
    assert report.to_html(accuracy={}) == page
    assert 'id="samples"' not in page and 'id="model-outputs"' not in page

    rng = np.random.default_rng(6)
    images = (rng.random((5, 4, 4)), rng.random((5, 4, 4)))
    estimate = AccuracyEstimate(0.9, 0.8, 0.95, 10, "mean")
    full = report.to_html(images=images, accuracy=estimate)
    added = re.findall(r'<section id="(?:model-outputs|samples)">.*?</section>', full)
    assert len(added) == 2
    assert full.replace(added[0], "").replace(added[1], "") == page

    with_outputs, images, estimates = extras  # its output cards move, unchanged
    assert _cards(with_outputs.to_html(accuracy=estimates)) == _cards(with_outputs.to_html())


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"images": (np.zeros((2, 4, 4)),)}, "'images' parameter of to_html must be a pair"),
        ({"images": (np.zeros((2, 4, 4)), np.full((2, 4, 4), 16.0))}, "current images"),
        ({"accuracy": 0.9}, "'accuracy' parameter of to_html must be an AccuracyEstimate"),
        ({"accuracy": {"a": (0.9, 0.8, 1.0)}}, "mapping of names to AccuracyEstimate"),
    ],
    ids=["one-set", "floats-0-16", "a-float", "a-tuple"],
)
def test_bad_images_or_estimates_are_refused(report, arguments, match) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        report.to_html(**arguments)
