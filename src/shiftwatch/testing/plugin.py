"""The shiftwatch pytest plugin: golden metrics, a reference profile, outcomes for readiness.

Installing shiftwatch registers it (entry point ``pytest11``); ``-p no:shiftwatch`` turns it
off. At load time it imports pytest and the standard library only: shiftwatch's data
modules are imported by the fixtures that use them.

| kind    | name                           | what it does                                      |
|---------|--------------------------------|---------------------------------------------------|
| option  | ``--shiftwatch-update-golden`` | record golden metrics instead of checking them    |
| option  | ``--shiftwatch-outcomes=PATH`` | write each test's markers and outcome as JSON     |
|         |                                | (``shiftwatch readiness`` reads it)               |
| ini     | ``shiftwatch_golden``          | default golden file, relative to the ini's folder |
| ini     | ``shiftwatch_reference``       | the profile ``shiftwatch_reference`` loads, ditto |
| marker  | ``shiftwatch_golden(path)``    | this test's golden file, relative to its file     |
| fixture | ``shiftwatch_golden``          | a :class:`~shiftwatch.testing.golden.GoldenFile`  |
| fixture | ``shiftwatch_reference``       | the reference :class:`~shiftwatch.Profile`        |

The golden file of a test is the marker's path, else the ini value, else
``golden_metrics.json`` beside the test file. In update mode a test's metrics are written
when the test passes, and the terminal summary lists what changed.
"""

import json
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from shiftwatch.profile import Profile
    from shiftwatch.testing.golden import GoldenFile

UPDATE_OPTION = "--shiftwatch-update-golden"
OUTCOMES_OPTION = "--shiftwatch-outcomes"
DEFAULT_GOLDEN = "golden_metrics.json"
_CALL_PASSED = pytest.StashKey[bool]()
_UPDATES = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add shiftwatch's command-line options and ini keys."""
    group = parser.getgroup("shiftwatch", "shiftwatch: ML data and training tests")
    group.addoption(
        UPDATE_OPTION,
        action="store_true",
        default=False,
        help="Record golden metrics (values and bootstrap intervals) instead of checking them.",
    )
    group.addoption(
        OUTCOMES_OPTION,
        metavar="PATH",
        default=None,
        help="Write each test's markers and outcome to PATH as JSON (for shiftwatch readiness).",
    )
    parser.addini(
        "shiftwatch_golden", "Default golden metrics file, relative to the ini file's folder."
    )
    parser.addini(
        "shiftwatch_reference",
        "Reference profile (.swp) the shiftwatch_reference fixture loads, relative to the ini "
        "file's folder.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, and the outcome recorder when asked for."""
    config.addinivalue_line(
        "markers",
        "shiftwatch_golden(path): the golden metrics file of this test, relative to its file.",
    )
    config.stash[_UPDATES] = []
    path = config.getoption("shiftwatch_outcomes")
    if path:
        config.pluginmanager.register(OutcomeRecorder(Path(path)), "shiftwatch-outcomes")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body passed, so a failed test records no golden metric."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the golden metrics recorded in update mode."""
    updates = terminalreporter.config.stash.get(_UPDATES, [])
    if updates:
        terminalreporter.section("shiftwatch golden metrics recorded")
        for line in updates:
            terminalreporter.write_line(line)


def _base(config: pytest.Config) -> Path:
    return config.inipath.parent if config.inipath is not None else config.rootpath


def golden_path(request: pytest.FixtureRequest) -> Path:
    """The golden file of the requesting test (rule in the module doc)."""
    marker = request.node.get_closest_marker("shiftwatch_golden")
    if marker is not None:
        if len(marker.args) != 1 or not isinstance(marker.args[0], str | os.PathLike):
            pytest.fail(
                "@pytest.mark.shiftwatch_golden takes one path, relative to the test file. "
                f"Got {marker.args!r} instead.",
                pytrace=False,
            )
        return Path(request.path).parent / marker.args[0]
    configured = request.config.getini("shiftwatch_golden")
    if configured:
        return _base(request.config) / str(configured)
    return Path(request.path).parent / DEFAULT_GOLDEN


@pytest.fixture
def shiftwatch_golden(request: pytest.FixtureRequest) -> Iterator["GoldenFile"]:
    """A golden metrics file: ``shiftwatch_golden.check(name, metric, *data)``.

    Checks new values against their golden intervals; with ``--shiftwatch-update-golden``
    records them instead, written when the test passes.
    """
    from shiftwatch.testing.golden import GoldenFile

    update = bool(request.config.getoption("shiftwatch_update_golden"))
    golden = GoldenFile(golden_path(request), update=update)
    yield golden
    if update and golden.recorded and request.node.stash.get(_CALL_PASSED, False):
        golden.save()
        updates = request.config.stash[_UPDATES]
        for name, metric in golden.recorded.items():
            before = golden.previous.get(name)
            was = "new" if before is None else f"was {before.value:.4g}"
            updates.append(f"{golden.path}: {name} = {metric.describe()} ({was})")


@pytest.fixture(scope="session")
def shiftwatch_reference(request: pytest.FixtureRequest) -> "Profile":
    """The reference profile named by the ``shiftwatch_reference`` ini key."""
    from shiftwatch.profile import Profile

    configured = request.config.getini("shiftwatch_reference")
    if not configured:
        pytest.fail(
            "The shiftwatch_reference fixture needs the profile's path: set "
            "shiftwatch_reference = 'reference.swp' in the pytest configuration.",
            pytrace=False,
        )
    return Profile.load(_base(request.config) / str(configured))


class OutcomeRecorder:
    """Writes ``{"exitstatus": ..., "tests": [{"nodeid", "markers", "outcome"}]}`` at the end.

    Outcomes: passed, failed, error (setup or teardown failed), skipped, xfailed, xpassed,
    or "not run" (collected but never run, as after ``-x``).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tests: dict[str, dict[str, Any]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Record the markers of every selected test."""
        for item in session.items:
            markers = sorted({marker.name for marker in item.iter_markers()})
            self.tests[item.nodeid] = {
                "nodeid": item.nodeid,
                "markers": markers,
                "outcome": "not run",
            }

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold one phase's report into the test's outcome."""
        entry = self.tests.setdefault(
            report.nodeid, {"nodeid": report.nodeid, "markers": [], "outcome": "not run"}
        )
        xfail = hasattr(report, "wasxfail")
        if report.when == "setup" and not report.passed:
            entry["outcome"] = "error" if report.failed else "skipped"
        elif report.when == "call":
            if report.passed:
                entry["outcome"] = "xpassed" if xfail else "passed"
            elif report.skipped:
                entry["outcome"] = "xfailed" if xfail else "skipped"
            else:
                entry["outcome"] = "failed"
        elif report.when == "teardown" and report.failed:
            entry["outcome"] = "error"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Write the outcomes."""
        document = {"exitstatus": int(exitstatus), "tests": list(self.tests.values())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(document, indent=1), encoding="utf-8")
