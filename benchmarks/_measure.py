"""What the benchmarks share for measuring: resident memory, threads, the machine, child runs.

Child side (runs in the interpreter under test):

* ``rss_bytes``: the current resident set size (``/proc/self/statm``).
* ``peak_rss_bytes``: the peak resident set size so far, ``VmHWM`` in ``/proc/self/status``
  (``ru_maxrss`` where /proc lacks it); ``max_rss_bytes``: ``ru_maxrss`` itself, which also
  keeps the peaks of threads that have exited, so ``reset_peak_rss`` may not lower it.
* ``reset_peak_rss``: set the kernel's peak-RSS mark to the current RSS (``/proc/self/clear_refs``).
* ``threads``: how many threads the process has (``/proc/self/status``).
* ``report``: print a result as one JSON line after ``MARKER``, for the parent to read.

Parent side:

* ``run_script``: run a benchmark script in a child interpreter and return what it reported.
* ``describe_machine``: cpu model, logical cores, memory and operating system.

Only the standard library: children also run in the peers' interpreters, which may lack numpy
or pandas.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
from pathlib import Path
from typing import Any

__all__ = [
    "MARKER",
    "ChildFailed",
    "describe_machine",
    "max_rss_bytes",
    "peak_rss_bytes",
    "report",
    "reset_peak_rss",
    "rss_bytes",
    "run_script",
    "threads",
]

MARKER = "@@result "
"""Starts the line on which a child prints its result as JSON."""


# --- child side ------------------------------------------------------------------------------


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGESIZE")


def peak_rss_bytes() -> int:
    """VmHWM: the process's peak resident memory so far (ru_maxrss where /proc lacks it)."""
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024
    except (OSError, StopIteration):
        return max_rss_bytes()


def max_rss_bytes() -> int:
    """``ru_maxrss`` (KiB on Linux) in bytes."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def reset_peak_rss() -> bool:
    """Set the peak-RSS mark (ru_maxrss) to the current RSS; False where the kernel can't."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def threads() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


def report(result: dict[str, Any]) -> None:
    """Print ``result`` for ``run_script`` in the parent to read."""
    print(MARKER + json.dumps(result), flush=True)


# --- parent side -----------------------------------------------------------------------------


class ChildFailed(RuntimeError):
    """The child exited non-zero or reported nothing; ``tail`` is its last line of stderr."""

    def __init__(self, returncode: int, tail: str) -> None:
        super().__init__(f"exit code {returncode}: {tail}")
        self.returncode = returncode
        self.tail = tail


def run_script(
    python: str,
    script: str | Path,
    args: list[str],
    timeout: float,
    env: dict[str, str],
    *,
    check: bool = True,
) -> dict[str, Any]:
    """Run ``script`` in ``python`` with ``args``; the dict it reported with ``report``.

    The child runs in the script's folder, with this process's environment plus ``env``.
    Raises ``ChildFailed`` when it reported nothing or (unless ``check`` is False) exited
    non-zero, and whatever ``subprocess.run`` raises (``OSError``, ``TimeoutExpired``).
    """
    path = Path(script).resolve()
    done = subprocess.run(
        [python, str(path), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
        cwd=path.parent,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if (check and done.returncode != 0) or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChildFailed(done.returncode, tail)
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(MARKER))
    return result


def describe_machine(**extra: Any) -> dict[str, Any]:
    """CPU model, logical cores, memory in bytes (None if unknown) and OS; then ``extra``."""
    cpu = platform.processor() or "unknown"
    memory = None
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), cpu)
        with open("/proc/meminfo") as meminfo:
            memory = int(next(ln for ln in meminfo if ln.startswith("MemTotal")).split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "memory_bytes": memory,
        "os": platform.platform(),
        **extra,
    }
