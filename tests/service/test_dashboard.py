"""The live dashboard at ``/`` in headless Chromium (Debian's, driven by Playwright), against
a real ``shiftwatch serve`` process with read and write tokens.

The page loads with no console error and asks nothing of any other host; without a token it
says that one is needed; with the read token it shows the model drifting, and its charts,
alerts and violation counts hold exactly what the read API answers (read back from the
elements' data-* attributes); events posted later reach the page without a reload. A
screenshot goes to $SHIFTWATCH_ARTIFACTS (a test's temporary folder when unset). Without
/usr/bin/chromium these tests are skipped, except under CI, where they fail.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from tests.browser import (
    Loaded,
    chromium,
    require_chromium,
)
from tests.service.conftest import calibration_file, probabilities, reference_data
from tests.service.servers import Server, running_server

require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402

READ_TOKEN = "read-t0ken"
WRITE_TOKEN = "write-t0ken"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
TOKEN_KEY = "shiftwatch.token"


def post_events(server: Server, batches: range, *, shifted_from: int, bad: int) -> None:
    """Batches of 100 events; from ``shifted_from`` on, age moves and confidence falls.

    Batch ``bad`` has two values of the wrong type and a column the schema does not know.
    """
    rng = np.random.default_rng(batches.start)
    headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        for batch in batches:
            shifted = batch >= shifted_from
            data = reference_data(rng, 100)
            data["age"] = data["age"] + (15.0 if shifted else 0.0)
            outputs = probabilities(rng, 100, 0.6 if shifted else 0.8)
            events = [
                {
                    "id": f"{batch}-{i}",
                    "inputs": {name: values[i].item() for name, values in data.items()},
                    "outputs": outputs[i].tolist(),
                }
                for i in range(100)
            ]
            if batch == bad:
                events[0]["inputs"]["age"] = "n/a"
                events[1]["inputs"]["income"] = "lots"
                events[2]["inputs"][HOSTILE] = 1
            answer = client.post("/v1/models/churn/events", json={"events": events})
            assert answer.status_code == 200, answer.text


def read_api(server: Server, path: str) -> Any:
    headers = {"Authorization": f"Bearer {READ_TOKEN}"}
    answer = httpx.get(f"{server.url}/v1/models{path}", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, reference_files: tuple[Path, Path]
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("dashboard")
    inputs, outputs = reference_files
    calibration = folder / "calibration.parquet"
    calibration_file(calibration, np.random.default_rng(44), 2_000)
    config = folder / "shiftwatch.toml"
    config.write_text(
        f'[server]\ndb_url = "sqlite:///{folder / "sw.db"}"\n'
        f'read_tokens = ["{READ_TOKEN}"]\nwrite_tokens = ["{WRITE_TOKEN}"]\n\n'
        f'[[models]]\nname = "churn"\nreference = "{inputs}"\n'
        f'reference_outputs = "{outputs}"\ncalibration = "{calibration}"\n'
        "window = 1000\ncheck_every = 500\nert = 1000000\n"
    )
    with running_server(config) as running:
        post_events(running, range(20), shifted_from=5, bad=2)
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_page(browser: Browser, url: str, token: str | None) -> Loaded:
    """A fresh tab (its own sessionStorage) on the dashboard, the token already kept."""
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    if token is not None:
        context.add_init_script(f"sessionStorage.setItem({TOKEN_KEY!r}, {token!r})")
    page = context.new_page()
    loaded = Loaded(page)
    page.goto(f"{url}/?refresh=0.5", wait_until="load")
    return loaded


@pytest.fixture
def with_token(browser: Browser, server: Server) -> Iterator[Loaded]:
    loaded = open_page(browser, server.url, READ_TOKEN)
    loaded.page.wait_for_selector("#state[data-state='drifting']", timeout=10_000)
    yield loaded
    loaded.page.context.close()


_READ_SERIES = """name => Object.fromEntries(Array.from(document.querySelectorAll(
  `svg[data-chart="${name}"] g.series`)).map(g => [g.dataset.column,
  JSON.parse(g.dataset.points)]))"""


def expected_series(history: list[dict[str, Any]], key: str) -> dict[str, list[Any]]:
    names = {name for check in history for name in check["columns"]}
    series = {
        name: [[check["at"], check["columns"].get(name, {}).get(key)] for check in history]
        for name in names
    }
    return {
        name: points for name, points in series.items() if any(v is not None for _, v in points)
    }


def read_series(page: Page, chart: str) -> dict[str, list[Any]]:
    series: dict[str, list[Any]] = page.evaluate(_READ_SERIES, chart)
    return series


def test_the_page_needs_no_token_and_keeps_to_its_server(server: Server) -> None:
    page = httpx.get(f"{server.url}/", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert READ_TOKEN not in page.text and WRITE_TOKEN not in page.text
    for name in ("dashboard.js", "dashboard.css"):
        assert httpx.get(f"{server.url}/dashboard/{name}", timeout=10).status_code == 200
    missing = httpx.get(f"{server.url}/dashboard/secrets.txt", timeout=10)
    assert missing.status_code == 404 and "error" in missing.json()
    assert httpx.get(f"{server.url}/v1/models", timeout=10).status_code == 401


def test_without_a_token_the_page_says_one_is_needed(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    loaded = open_page(browser, server.url, None)
    page = loaded.page
    message = page.locator("#message")
    message.wait_for(state="visible", timeout=10_000)
    assert "needs a read token" in message.inner_text()
    assert message.get_attribute("data-kind") == "auth"
    assert page.locator("#model").is_hidden()
    assert loaded.errors == []
    # the browser itself logs each refused call; nothing else may be logged
    others = [m for m in loaded.console if "status of 401" not in m]
    assert others == []
    page.screenshot(path=str(artifacts / "dashboard-needs-token.png"))

    page.fill("#token", "wrong")
    page.click("#token-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('message').dataset.kind === 'forbidden'", timeout=10_000
    )
    assert "403" in message.inner_text()

    page.fill("#token", READ_TOKEN)
    page.click("#token-form button[type=submit]")
    page.wait_for_selector("#state[data-state='drifting']", timeout=10_000)
    assert message.is_hidden()
    assert page.evaluate(f"sessionStorage.getItem({TOKEN_KEY!r})") == READ_TOKEN
    page.context.close()


def test_the_page_loads_without_console_errors(with_token: Loaded, server: Server, artifacts):
    page = with_token.page
    page.wait_for_function("() => document.getElementById('updated').dataset.refreshes >= 2")
    assert with_token.problems() == []
    assert with_token.requests, "the page made no request"
    outside = [url for url in with_token.requests if not url.startswith((server.url, "data:"))]
    assert outside == []
    assert page.evaluate("window.__pwned") is None
    shot = artifacts / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_state_and_the_charts_match_the_api(with_token: Loaded, server: Server) -> None:
    page = with_token.page
    status = read_api(server, "/churn")
    assert status["state"] == "drifting"
    assert page.locator("#verdict").inner_text().lower() == "drifting"
    assert page.locator("#model-name").inner_text() == "churn"
    assert page.locator("nav .model-tab[data-model='churn']").get_attribute("data-state") == (
        "drifting"
    )

    history = read_api(server, "/churn/history?limit=500")
    assert len(history) >= 3
    scores = read_series(page, "scores")
    assert scores == expected_series(history, "drift_score")
    assert {"age", "income", "confidence"} <= set(scores)
    assert read_series(page, "p-values") == expected_series(history, "p_value")
    alarm = page.locator("svg[data-chart='scores'] line.threshold").get_attribute("data-value")
    assert alarm == "1"

    columns = page.locator("#columns tbody tr").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => [r.dataset.column, Object.fromEntries("
        "Array.from(r.querySelectorAll('td[data-key]')).map(c => [c.dataset.key, "
        "c.dataset.value === '' ? null : Number(c.dataset.value)]))]))"
    )
    assert columns == {
        name: {key: column[key] for key in ("adjusted_p_value", "effect", "drift_score")}
        for name, column in status["last_check"].items()
    }


def test_the_outputs_chart_holds_each_checks_confidence_and_accuracy(
    with_token: Loaded, server: Server
) -> None:
    page = with_token.page
    history = read_api(server, "/churn/history?limit=500")
    keys = ("mean_confidence", "estimated_accuracy", "accuracy_low", "accuracy_high")
    expected = {key: [[check["at"], check["outputs"][key]] for check in history] for key in keys}
    assert read_series(page, "outputs") == expected
    confidence = [value for _, value in expected["mean_confidence"]]
    assert confidence[0] > 0.75 and confidence[-1] < 0.65  # it fell with the shift (0.8 -> 0.6)
    for estimate, low, high in zip(*(expected[key] for key in keys[1:]), strict=True):
        assert low[1] < estimate[1] < high[1]
    assert page.locator("#outputs-part").is_visible()
    shown = page.locator("#outputs-legend [data-key]:not([hidden])").evaluate_all(
        "keys => keys.map(k => k.dataset.key)"
    )
    assert shown == ["mean_confidence", "estimated_accuracy", "accuracy_low"]
    facts = page.locator("#facts").inner_text()
    accuracy = read_api(server, "/churn")["estimated_accuracy"]
    # after the shift the confidence left the calibrated range: no number, the reason instead
    assert not accuracy["reliable"]
    assert f"estimated accuracy\nnot to be trusted: {accuracy['reason']}" in facts
    assert history[0]["outputs"]["accuracy_reliable"] == 1.0


def test_the_distribution_is_the_reports(with_token: Loaded, server: Server) -> None:
    page = with_token.page
    report = {c["name"]: c for c in read_api(server, "/churn/report")["columns"]}
    for feature, kind in (("age", "histogram"), ("plan", "categories")):
        page.select_option("#feature", feature)
        chart = page.locator(f"#distribution svg[data-column='{feature}']")
        assert chart.get_attribute("data-kind") == kind
        summary = report[feature]["distribution"]
        drawn = chart.evaluate(
            "svg => ({edges: JSON.parse(svg.dataset.edges || '[]'),"
            " reference: Array.from(svg.querySelectorAll('rect.bar.reference'))"
            ".map(r => Number(r.dataset.count)),"
            " current: Array.from(svg.querySelectorAll('rect.bar.current'))"
            ".map(r => Number(r.dataset.count)),"
            " categories: Array.from(svg.querySelectorAll('g.category'))"
            ".map(g => g.dataset.category)})"
        )
        other = summary["n_other"] or summary["other_reference"] or summary["other_current"]
        assert drawn["reference"] == summary["reference"] + (
            [summary["other_reference"]] if other else []
        )
        assert drawn["current"] == summary["current"] + (
            [summary["other_current"]] if other else []
        )
        if kind == "histogram":
            assert drawn["edges"] == summary["edges"]
        else:
            assert drawn["categories"][: len(summary["categories"])] == summary["categories"]
    # a click on a chip follows that feature in every chart
    page.click("#features .chip[data-column='confidence']")
    assert page.locator("#feature").input_value() == "confidence"
    selected = page.locator("svg[data-chart='scores'] g.series.selected")
    assert selected.get_attribute("data-column") == "confidence"


def test_alerts_and_violations_match_the_api(with_token: Loaded, server: Server) -> None:
    page = with_token.page
    alerts = read_api(server, "/churn/alerts")
    shown = page.locator("#alerts li.alert").evaluate_all(
        "items => items.map(i => [Number(i.dataset.id), i.dataset.status, Number(i.dataset.at)])"
    )
    assert shown == [[a["id"], a["status"], a["at"]] for a in alerts]
    assert shown[0][1] == "firing"
    assert (
        page.locator("#alerts li.alert.firing .alert-detail").first.inner_text()
        == (alerts[0]["detail"])
    )

    violations = read_api(server, "/churn/violations")
    rows = page.locator("#violations tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.column, r.dataset.rule, Number(r.dataset.count)])"
    )
    assert rows == [[v["column"], v["rule"], v["count"]] for v in violations]
    assert [HOSTILE, "unexpected_column", 1] in rows
    names = page.locator("#violations td.name").all_inner_texts()
    assert HOSTILE in names  # shown as text
    assert page.locator("#violations img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_the_page_follows_new_events_without_a_reload(with_token: Loaded, server: Server):
    page = with_token.page
    page.evaluate("window.__sameDocument = true")
    before = read_api(server, "/churn/history?limit=500")

    post_events(server, range(20, 25), shifted_from=0, bad=22)  # one more check
    history = read_api(server, "/churn/history?limit=500")
    violations = read_api(server, "/churn/violations")
    assert len(history) > len(before)
    page.wait_for_function(
        "n => JSON.parse(document.querySelector("
        '\'svg[data-chart="scores"] g[data-column="age"]\').dataset.points).length === n',
        arg=len(history),
        timeout=10_000,
    )
    page.wait_for_function(
        "total => Array.from(document.querySelectorAll('#violations tbody tr'))"
        ".reduce((sum, r) => sum + Number(r.dataset.count), 0) === total",
        arg=sum(v["count"] for v in violations),
        timeout=10_000,
    )
    assert read_series(page, "scores") == expected_series(history, "drift_score")
    assert read_series(page, "p-values") == expected_series(history, "p_value")
    assert page.evaluate("window.__sameDocument") is True
    assert with_token.problems() == []
