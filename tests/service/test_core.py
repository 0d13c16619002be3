"""The service's state outside HTTP: each model's writes on its own thread, in order."""

import asyncio
import itertools
import threading
import time
from pathlib import Path

from shiftwatch.service.core import Service
from tests.service.test_app import settings_for


def test_a_models_writes_run_one_at_a_time_in_the_order_they_came(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    service = Service(settings_for(f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0]))
    spans: list[tuple[int, float, float, str]] = []

    def write(number: int) -> int:
        began = time.perf_counter()
        time.sleep(0.002)
        spans.append((number, began, time.perf_counter(), threading.current_thread().name))
        return number

    async def send_all() -> list[int]:
        return await asyncio.gather(
            *(service.on_model_thread("churn", write, i) for i in range(20))
        )

    try:
        assert asyncio.run(send_all()) == list(range(20))
    finally:
        service.stop()
    assert [number for number, *_ in spans] == list(range(20))
    assert all(later[1] >= earlier[2] for earlier, later in itertools.pairwise(spans))
    (thread,) = {name for *_, name in spans}
    assert thread.startswith("shiftwatch-churn")


def test_stopping_the_service_finishes_the_writes_already_queued(
    tmp_path: Path, reference_files: tuple[Path, Path]
) -> None:
    service = Service(settings_for(f"sqlite:///{tmp_path / 'sw.db'}", reference_files[0]))
    finished: list[int] = []

    def write(number: int) -> None:
        time.sleep(0.005)
        finished.append(number)

    async def queue_then_stop() -> int:
        calls = [
            asyncio.ensure_future(service.on_model_thread("churn", write, i)) for i in range(10)
        ]
        await asyncio.sleep(0)  # each call is queued on the model's thread
        await asyncio.to_thread(service.stop)
        done_when_stopped = len(finished)
        await asyncio.gather(*calls)
        return done_when_stopped

    assert asyncio.run(queue_then_stop()) == 10
    assert finished == list(range(10))
