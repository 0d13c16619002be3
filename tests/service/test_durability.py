"""Durability: concurrent clients, ``kill -9`` mid-stream, restart; every acknowledged event
is stored exactly once, and sending everything again adds nothing twice."""

import threading
from pathlib import Path

import httpx
import numpy as np
import pytest

from shiftwatch.service.storage import Store
from tests.service.conftest import reference_data
from tests.service.servers import Server, free_port

CLIENTS, BATCHES, BATCH = 6, 40, 50


def config_file(folder: Path, db_url: str, reference: Path) -> Path:
    path = folder / "shiftwatch.toml"
    path.write_text(
        f'[server]\ndb_url = "{db_url}"\nwrite_tokens = ["t"]\n\n'
        f'[[models]]\nname = "m"\nreference = "{reference}"\nwindow = 1000\n'
    )
    return path


def batches_of(client: int) -> list[dict]:
    rng = np.random.default_rng([7, client])
    out = []
    for b in range(BATCHES):
        data = reference_data(rng, BATCH)
        out.append(
            {
                "events": [
                    {
                        "id": f"c{client}-b{b}-{i}",
                        "inputs": {name: values[i].item() for name, values in data.items()},
                    }
                    for i in range(BATCH)
                ]
            }
        )
    return out


def send(url: str, batches: list[dict], acknowledged: list[str]) -> None:
    with httpx.Client(headers={"Authorization": "Bearer t"}, timeout=10) as client:
        for body in batches:
            try:
                answer = client.post(f"{url}/v1/models/m/events", json=body)
            except httpx.HTTPError:
                return  # the server is gone
            if answer.status_code == 200:
                acknowledged.extend(event["id"] for event in body["events"])


@pytest.mark.slow
def test_acknowledged_events_survive_sigkill_exactly_once(
    tmp_path: Path, db_url: str, reference_files: tuple[Path, Path]
) -> None:
    config = config_file(tmp_path, db_url, reference_files[0])
    port = free_port()
    work = [batches_of(client) for client in range(CLIENTS)]
    acknowledged: list[list[str]] = [[] for _ in range(CLIENTS)]
    server = Server(config, port, tmp_path / "first.log")
    threads = [
        threading.Thread(target=send, args=(server.url, work[c], acknowledged[c]))
        for c in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    total = CLIENTS * BATCHES * BATCH
    while sum(map(len, acknowledged)) < total // 3:  # kill once a third is acknowledged
        threading.Event().wait(0.01)
    server.kill()
    for thread in threads:
        thread.join(30)
    acked = {event_id for ids in acknowledged for event_id in ids}
    assert 0 < len(acked) < total  # killed mid-stream

    store = Store(db_url)
    stored = [row.event_id for row in store.latest_rows("m", total * 2)]
    store.close()
    assert len(stored) == len(set(stored))  # nothing twice
    assert acked <= set(stored)  # nothing acknowledged was lost

    # restart on the same database and send everything again: each event counted once
    restarted = Server(config, free_port(), tmp_path / "second.log")
    try:
        again: list[str] = []
        for batches in work:
            send(restarted.url, batches, again)
        status = httpx.get(f"{restarted.url}/v1/models/m", timeout=10).json()
        metrics = httpx.get(f"{restarted.url}/metrics", timeout=10).text
    finally:
        restarted.stop()
    assert len(again) == total
    assert status["stored_rows"] == total
    duplicates = len(stored)  # what the first server stored came again
    assert f'shiftwatch_events_duplicate_total{{model="m"}} {float(duplicates)}' in metrics
