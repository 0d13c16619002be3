"""Running the evidence: shell commands, and one pytest session for every marker.

Commands run one at a time through the shell, in the project folder, with a timeout; on
timeout the command's whole process group is killed. They run in the environment
shiftwatch runs in: the folder of its Python interpreter comes first on ``PATH``, so
``python``, ``pytest`` and ``shiftwatch`` are the ones installed beside it.

Every ``pytest_marker`` answer is proved by one pytest session, ``python -m pytest -m "a or
b or ..."`` in the project folder, which records each test's markers and outcome through the
shiftwatch plugin (``--shiftwatch-outcomes``). A marker passes when at least one test
carrying it passed and none failed or errored (skips count neither way).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TAIL_LINES = 15
TAIL_CHARS = 2000
PASSING = frozenset({"passed", "xpassed"})
FAILING = frozenset({"failed", "error", "not run"})


@dataclass(frozen=True)
class Outcome:
    """What running one piece of evidence gave: passed or not, why, how long, its output."""

    passed: bool
    detail: str
    seconds: float
    output: str = ""


def tail(text: str, lines: int = TAIL_LINES) -> str:
    r"""The last ``lines`` lines of ``text``, at most ``TAIL_CHARS`` characters.

    >>> tail("a\nb\nc\n", lines=2)
    'b\nc'
    """
    kept = "\n".join(text.rstrip().splitlines()[-lines:])
    return kept[-TAIL_CHARS:]


def environment() -> dict[str, str]:
    """The environment commands run in: this one, this interpreter's folder first on PATH."""
    env = dict(os.environ)
    folder = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([folder, env.get("PATH", "")]).rstrip(os.pathsep)
    return env


def _run(argv: str | Sequence[str], cwd: Path, timeout: float) -> tuple[int | None, str, float]:
    """Run, return (exit status or None on timeout, output, seconds)."""
    start = time.monotonic()
    process = subprocess.Popen(
        argv,
        shell=isinstance(argv, str),
        cwd=cwd,
        env=environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a descendant left the group and holds the pipe
            output = ""
        return None, output or "", time.monotonic() - start
    return process.returncode, output or "", time.monotonic() - start


def _kill(process: "subprocess.Popen[str]") -> None:
    """Kill the process and everything it started (its process group, where there is one)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups of this kind
            process.kill()
    except ProcessLookupError:  # pragma: no cover - it ended just now
        pass


def run_command(command: str, *, cwd: Path, timeout: float) -> Outcome:
    """Run a shell command in ``cwd``; it passes when it exits with status 0.

    >>> run_command("exit 3", cwd=Path("."), timeout=10).detail
    'exit status 3'
    """
    status, output, seconds = _run(command, cwd, timeout)
    if status is None:
        return Outcome(False, f"timed out after {timeout:g} s", seconds, tail(output))
    if status == 0:
        return Outcome(True, "exit status 0", seconds, tail(output))
    detail = f"exit status {status}"
    if status == 127:
        detail += " (command not found)"
    return Outcome(False, detail, seconds, tail(output))


def pytest_argv(markers: Sequence[str], outcomes: Path, extra: Sequence[str] = ()) -> list[str]:
    """The pytest session that proves ``markers``, recording outcomes in ``outcomes``."""
    return [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        " or ".join(markers),
        "-p",
        "shiftwatch",
        f"--shiftwatch-outcomes={outcomes}",
        "-p",
        "no:cacheprovider",
        "-q",
        *extra,
    ]


def _marker_outcome(marker: str, tests: Sequence[Mapping[str, Any]], seconds: float) -> Outcome:
    carrying = [t for t in tests if marker in t.get("markers", ())]
    counts = Counter(str(t.get("outcome")) for t in carrying)
    if not carrying:
        return Outcome(False, f"no test carries the marker {marker!r}", seconds)
    bad = [str(t["nodeid"]) for t in carrying if t.get("outcome") in FAILING]
    passed = sum(counts[o] for o in PASSING)
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    if set(counts) == {"passed"}:
        summary = f"{passed} test{'s' if passed > 1 else ''} passed"
    if bad:
        shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        return Outcome(False, f"{len(bad)} of {len(carrying)} tests did not pass: {shown}", seconds)
    if not passed:
        return Outcome(False, f"no test passed ({summary})", seconds)
    return Outcome(True, summary, seconds)


def run_markers(
    markers: Sequence[str], *, cwd: Path, timeout: float, pytest_args: Sequence[str] = ()
) -> dict[str, Outcome]:
    """Run the tests carrying any of ``markers`` in one pytest session; an outcome each."""
    unique = sorted(set(markers))
    if not unique:
        return {}
    with tempfile.TemporaryDirectory(prefix="shiftwatch-readiness-") as folder:
        record = Path(folder) / "outcomes.json"
        status, output, seconds = _run(pytest_argv(unique, record, pytest_args), cwd, timeout)
        document: Mapping[str, Any] | None = None
        if record.exists():
            try:
                document = json.loads(record.read_text(encoding="utf-8"))
            except ValueError:
                document = None
    shown = tail(output)
    if status is None:
        failure = f"the pytest session timed out after {timeout:g} s"
    elif status not in (0, 1, 5) or document is None:
        failure = f"pytest could not run the tests (exit status {status})"
    else:
        tests = list(document.get("tests", []))
        outcomes = {m: _marker_outcome(m, tests, seconds) for m in unique}
        return {
            m: o if o.passed else Outcome(o.passed, o.detail, o.seconds, shown)
            for m, o in outcomes.items()
        }
    return {m: Outcome(False, failure, seconds, shown) for m in unique}
