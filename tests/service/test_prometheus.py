"""Real peers: ``promtool check metrics`` on the live /metrics, and a real Prometheus scraping
the server and answering a query with the drift series.

promtool and prometheus come from Debian's ``prometheus`` package (``.ci/run`` installs it).
Without them these tests skip, except under CI, where they fail.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.service.conftest import reference_data
from tests.service.servers import free_port, running_server


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs Debian's prometheus package")
        pytest.skip(f"{name} is not installed (Debian package prometheus)")
    return path


def shifted_server_config(folder: Path, reference: Path) -> Path:
    config = folder / "shiftwatch.toml"
    config.write_text(
        f'[server]\ndb_url = "sqlite:///{folder / "sw.db"}"\n\n'
        f'[[models]]\nname = "churn"\nreference = "{reference}"\nwindow = 1000\n'
        "check_every = 500\nert = 1000000\n"
    )
    return config


def send_shifted(url: str) -> None:
    rng = np.random.default_rng(11)
    with httpx.Client(timeout=10) as client:
        for batch in range(20):
            data = reference_data(rng, 100)
            data["age"] = data["age"] + (15.0 if batch >= 5 else 0.0)
            events = [
                {"id": f"{batch}-{i}", "inputs": {k: v[i].item() for k, v in data.items()}}
                for i in range(100)
            ]
            answer = client.post(f"{url}/v1/models/churn/events", json={"events": events})
            assert answer.status_code == 200, answer.text


def test_promtool_accepts_the_live_metrics(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    promtool = binary("promtool")
    with running_server(shifted_server_config(tmp_path, reference_files[0])) as server:
        send_shifted(server.url)
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert 'shiftwatch_drift_state{model="churn",source="window"} 1.0' in text


def test_prometheus_scrapes_the_drift_series(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    prometheus = binary("prometheus")
    with running_server(shifted_server_config(tmp_path, reference_files[0])) as server:
        send_shifted(server.url)
        port = free_port()
        config = tmp_path / "prometheus.yml"
        target = server.url.removeprefix("http://")
        config.write_text(
            "global:\n  scrape_interval: 1s\n"
            f"scrape_configs:\n  - job_name: shiftwatch\n    static_configs:\n"
            f"      - targets: ['{target}']\n"
        )
        process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            query = 'shiftwatch_feature_drifted{model="churn",feature="age"}'
            found = None
            deadline = time.time() + 60
            while found is None and time.time() < deadline:
                time.sleep(0.5)
                try:
                    answer = httpx.get(
                        f"http://127.0.0.1:{port}/api/v1/query", params={"query": query}, timeout=5
                    ).json()
                except httpx.HTTPError:
                    continue
                if answer.get("data", {}).get("result"):
                    found = answer["data"]["result"]
        finally:
            process.terminate()
            process.wait(20)
    assert found is not None, "Prometheus never returned the series"
    assert found[0]["metric"]["job"] == "shiftwatch"
    assert found[0]["value"][1] == "1"


def test_prometheus_rules_and_the_direct_alert_are_one_alert_in_alertmanager(
    tmp_path: Path, reference_files: tuple[Path, Path], alertmanager: str
) -> None:
    from tests.service.test_alertmanager import active_alerts

    prometheus = binary("prometheus")
    config = shifted_server_config(tmp_path, reference_files[0])
    text = config.read_text().replace(
        "[server]\n",
        f'[server]\nalertmanager_url = "{alertmanager}"\nalertmanager_resend_seconds = 2\n',
    )
    config.write_text(text)
    rules = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "shiftwatch-rules.yml"
    with running_server(config) as server:
        port = free_port()
        prometheus_config = tmp_path / "prometheus.yml"
        prometheus_config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files: ['{rules}']\n"
            "alerting:\n  alertmanagers:\n    - static_configs:\n"
            f"        - targets: ['{alertmanager.removeprefix('http://')}']\n"
            "scrape_configs:\n  - job_name: shiftwatch\n    static_configs:\n"
            f"      - targets: ['{server.url.removeprefix('http://')}']\n"
        )
        process = subprocess.Popen(
            [
                prometheus,
                f"--config.file={prometheus_config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            send_shifted(server.url)
            firing: list[dict] = []
            deadline = time.time() + 60
            while not firing and time.time() < deadline:  # the rule fires in Prometheus
                time.sleep(0.5)
                try:
                    rules_state = httpx.get(f"http://127.0.0.1:{port}/api/v1/alerts", timeout=5)
                except httpx.HTTPError:
                    continue
                firing = [
                    alert
                    for alert in rules_state.json()["data"]["alerts"]
                    if alert["labels"]["alertname"] == "ShiftwatchDrift"
                    and alert["state"] == "firing"
                ]
            time.sleep(3)  # both paths have posted to Alertmanager by now
            active = [
                alert
                for alert in active_alerts(alertmanager)
                if alert["labels"]["alertname"].startswith("Shiftwatch")
            ]
        finally:
            process.terminate()
            process.wait(20)
    assert firing, "Prometheus never fired ShiftwatchDrift"
    assert len(active) == 1, active  # one identity: deduplicated by Alertmanager
    assert active[0]["labels"] == {
        "alertname": "ShiftwatchDrift",
        "model": "churn",
        "source": "window",
        "severity": "page",
    }
