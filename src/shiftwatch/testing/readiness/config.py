"""``readiness.toml``: how a project answers each test of the rubric.

One table per answered test, ``[SECTION.NUMBER]``, with exactly one of:

| key             | meaning                                                    | points        |
|-----------------|------------------------------------------------------------|---------------|
| ``manual``      | run by hand; where its results are recorded (a file in the | 0.5           |
|                 | project, which must exist, or any text: a URL, a wiki page) |               |
| ``command``     | a shell command, run in the project folder, that proves it | 1 if exit 0   |
| ``pytest_marker`` | a pytest marker: the tests carrying it prove it          | 1 if they pass |

and optionally ``note`` (text shown in the report) and, for a command, ``timeout``
(seconds). A ``[readiness]`` table may set ``timeout`` (seconds for each command and for
the pytest session; default 600) and ``pytest_args`` (extra arguments for that session).
Sections: ``data``, ``model``, ``infrastructure``, ``monitoring``; numbers 1 to 7. A test
left out scores 0. For example::

    [readiness]
    timeout = 300

    [data.1]
    pytest_marker = "data_schema"

    [model.3]
    manual = "notes/hyperparameters.md"

    [infrastructure.3]
    command = "python -m my_model.pipeline --smoke"
    timeout = 120
"""

import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftwatch.errors import FormatError
from shiftwatch.testing.readiness.rubric import BY_ID, SECTIONS, RubricTest

FILENAME = "readiness.toml"
DEFAULT_TIMEOUT = 600.0
SETTINGS = "readiness"
ANSWER_KINDS = ("manual", "command", "pytest_marker")
ANSWER_KEYS = (*ANSWER_KINDS, "timeout", "note")
SETTING_KEYS = ("timeout", "pytest_args")
MARKER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Answer:
    """How one rubric test is answered: ``kind`` is manual, command or pytest_marker."""

    test: RubricTest
    kind: str
    value: str
    timeout: float | None = None
    note: str = ""


@dataclass(frozen=True)
class ReadinessConfig:
    """A parsed ``readiness.toml``: the answers by test id, and the settings."""

    path: Path
    answers: Mapping[str, Answer]
    timeout: float = DEFAULT_TIMEOUT
    pytest_args: tuple[str, ...] = ()

    @property
    def project(self) -> Path:
        """The folder commands run in: the one holding the file."""
        return self.path.parent


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _expected(allowed: tuple[str, ...]) -> str:
    return ", ".join(repr(k) for k in allowed)


def _timeout(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise FormatError(
            f"{where}: 'timeout' must be a number of seconds > 0. Got {value!r} instead."
        )
    return float(value)


def _settings(name: str, table: Any) -> tuple[float, tuple[str, ...]]:
    where = f"{name}, [{SETTINGS}]"
    if not isinstance(table, Mapping):
        raise FormatError(f"{where} must be a table. Got {table!r} instead.")
    for key in table:
        if key not in SETTING_KEYS:
            raise FormatError(
                f"{where}: {key!r} is not a setting; expected one of "
                f"{_expected(SETTING_KEYS)}{_suggest(key, SETTING_KEYS)}."
            )
    timeout = _timeout(where, table["timeout"]) if "timeout" in table else DEFAULT_TIMEOUT
    args = table.get("pytest_args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise FormatError(
            f"{where}: 'pytest_args' must be a list of strings, such as [\"tests\"]. "
            f"Got {args!r} instead."
        )
    return timeout, tuple(args)


def _answer(name: str, test: RubricTest, entry: Any) -> Answer:
    where = f"{name}, [{test.section.key}.{test.number}] ({test.title})"
    if not isinstance(entry, Mapping):
        raise FormatError(
            f'{where} must be a table such as {{ manual = "where the results are recorded" }}. '
            f"Got {entry!r} instead."
        )
    for key in entry:
        if key not in ANSWER_KEYS:
            raise FormatError(
                f"{where}: {key!r} is not a key of an answer; expected one of "
                f"{_expected(ANSWER_KEYS)}{_suggest(key, ANSWER_KEYS)}."
            )
    given = [kind for kind in ANSWER_KINDS if kind in entry]
    if len(given) != 1:
        found = f"got {', '.join(repr(k) for k in given)}" if given else "got none"
        raise FormatError(f"{where} needs exactly one of {_expected(ANSWER_KINDS)}; {found}.")
    kind = given[0]
    value = entry[kind]
    if not isinstance(value, str) or not value.strip():
        raise FormatError(f"{where}: {kind!r} must be a non-empty string. Got {value!r} instead.")
    if kind == "pytest_marker" and not MARKER.fullmatch(value):
        raise FormatError(
            f"{where}: 'pytest_marker' must be one marker name (letters, digits, underscores), "
            f'such as "data_schema". Got {value!r} instead; for a marker expression, use '
            f"command = \"pytest -m '...'\"."
        )
    timeout = None
    if "timeout" in entry:
        if kind != "command":
            raise FormatError(
                f"{where}: 'timeout' applies to a command only (pytest markers share the "
                f"session's [{SETTINGS}] timeout)."
            )
        timeout = _timeout(where, entry["timeout"])
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise FormatError(f"{where}: 'note' must be a string. Got {note!r} instead.")
    return Answer(test, kind, value.strip(), timeout, note)


def parse_config(document: Mapping[str, Any], path: Path) -> ReadinessConfig:
    """Check a parsed ``readiness.toml`` and turn it into answers.

    >>> config = parse_config({"data": {"1": {"manual": "notes.md"}}}, Path("readiness.toml"))
    >>> config.answers["data-1"].kind, config.timeout
    ('manual', 600.0)
    >>> parse_config({"data": {"1": {"comand": "make test"}}}, Path("readiness.toml"))
    Traceback (most recent call last):
    ...
    shiftwatch.errors.FormatError: readiness.toml, [data.1] (Feature expectations are captured in a schema): 'comand' is not a key of an answer; expected one of 'manual', 'command', 'pytest_marker', 'timeout', 'note' (did you mean 'command'?).
    """  # noqa: E501
    name = path.name
    tables = (SETTINGS, *(section.key for section in SECTIONS))
    timeout = DEFAULT_TIMEOUT
    pytest_args: tuple[str, ...] = ()
    answers: dict[str, Answer] = {}
    for key, table in document.items():
        if key not in tables:
            raise FormatError(
                f"{name}: [{key}] is not a table of readiness.toml; expected one of "
                f"{_expected(tables)}{_suggest(key, tables)}."
            )
        if key == SETTINGS:
            timeout, pytest_args = _settings(name, table)
            continue
        if not isinstance(table, Mapping):
            raise FormatError(
                f"{name}: [{key}] must be a table of tests 1 to 7. Got {table!r} instead."
            )
        for number, entry in table.items():
            test = BY_ID.get(f"{key}-{number}")
            if test is None:
                raise FormatError(
                    f"{name}: [{key}.{number}] is not a test: the {key} section has tests 1 to 7."
                )
            answers[test.id] = _answer(name, test, entry)
    return ReadinessConfig(path, answers, timeout, pytest_args)


def config_path(path: str | Path) -> Path:
    """The ``readiness.toml`` of ``path``: the file itself, or the one in that folder."""
    path = Path(path)
    return path / FILENAME if path.is_dir() else path


def load_config(path: str | Path) -> ReadinessConfig:
    """Read and check ``readiness.toml`` (``path`` is the file or the project folder)."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(
            f"No {file.name} in {str(file.parent)!r}: write one to answer the rubric "
            f"(`shiftwatch readiness --template` prints one to start from)."
        ) from None
    except OSError as error:
        raise FormatError(f"Cannot read {str(file)!r}: {error}.") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FormatError(f"{file.name} is not valid TOML: {error}.") from None
    return parse_config(document, file.resolve())
