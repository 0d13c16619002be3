"""Evidence a project already holds, found by reading its files; and the tests it could prove.

Nothing is run or imported: Python files are parsed (``ast``), other files read as text.
Hidden folders, virtual environments, caches and build output are skipped.

| found                                                       | could prove                  |
|-------------------------------------------------------------|------------------------------|
| a shiftwatch profile (``*.swp``) or schema (JSON)           | data-1                       |
| a golden metrics file (JSON)                                | infrastructure-4             |
| a test calling ``assert_schema``                            | data-1, monitoring-2         |
| a test calling ``assert_profile_close``                     | data-1, data-7               |
| a test calling ``assert_no_drift``                          | monitoring-3                 |
| a test calling ``assert_trains`` or ``assert_overfits``     | infrastructure-2             |
| a test calling ``assert_reproducible``                      | infrastructure-1             |
| a test using ``shiftwatch_golden`` or ``GoldenFile``        | infrastructure-4             |
| code building a shiftwatch ``Monitor`` (a monitor config)   | monitoring-2, monitoring-3,  |
|                                                             | and -7 with expected errors  |
| ``shiftwatch serve``/``validate``/``compare`` in a script    | monitoring-2 and/or -3       |

A test's own markers are listed, so that the suggestion can name the ``pytest_marker`` that
would turn the evidence into an automated answer.
"""

import ast
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shiftwatch.errors import ShiftwatchError

SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages"}
)
MAX_FILES = 20_000
MAX_BYTES = 2_000_000
SCRIPT_SUFFIXES = frozenset({".sh", ".toml", ".yaml", ".yml", ".cfg", ".ini", ".service", ".mk"})
SCRIPT_NAMES = frozenset({"Makefile", "Dockerfile", "Procfile", "Justfile", "tox.ini"})
BUILTIN_MARKERS = frozenset(
    {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", "shiftwatch_golden"}
)
CALLS: dict[str, tuple[str, ...]] = {
    "assert_schema": ("data-1", "monitoring-2"),
    "assert_profile_close": ("data-1", "data-7"),
    "assert_no_drift": ("monitoring-3",),
    "assert_trains": ("infrastructure-2",),
    "assert_overfits": ("infrastructure-2",),
    "assert_reproducible": ("infrastructure-1",),
    "GoldenFile": ("infrastructure-4",),
    "shiftwatch_golden": ("infrastructure-4",),
}
COMMANDS: dict[str, tuple[str, ...]] = {
    "serve": ("monitoring-2", "monitoring-3"),
    "validate": ("monitoring-2",),
    "compare": ("monitoring-3",),
}
_COMMAND = re.compile(r"\bshiftwatch\s+(serve|validate|compare)\b")


@dataclass(frozen=True)
class Evidence:
    """One thing found: where, what, the rubric tests it could prove, and a suggestion."""

    path: str
    line: int | None
    kind: str
    detail: str
    proves: tuple[str, ...]
    markers: tuple[str, ...] = ()
    suggestion: str = ""

    @property
    def where(self) -> str:
        """``path:line``, or the path alone."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


def _files(project: Path) -> Iterator[Path]:
    count = 0
    for folder, folders, files in os.walk(project):
        folders[:] = sorted(
            f
            for f in folders
            if not f.startswith(".") and f not in SKIPPED_FOLDERS and not f.endswith(".egg-info")
        )
        for name in sorted(files):
            if name.startswith("."):
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield Path(folder) / name


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _marker_names(decorators: list[ast.expr]) -> list[str]:
    names = []
    for decorator in decorators:
        node = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "mark"
        ):
            names.append(node.attr)
    return [n for n in names if n not in BUILTIN_MARKERS]


def _module_markers(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            values = (
                node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            )
            return _marker_names(list(values))
    return []


def _used_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, int]:
    """Names the function calls, or takes as fixtures, with the line of first use."""
    used: dict[str, int] = {}
    for argument in function.args.args:
        used.setdefault(argument.arg, function.lineno)
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if isinstance(name, str):
                used.setdefault(name, node.lineno)
    return used


def _tests(
    tree: ast.Module,
) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, list[str]]]:
    """Every test function with its qualified name and its markers (module and class too)."""
    module = _module_markers(tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            yield node.name, node, module + _marker_names(node.decorator_list)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            outer = module + _marker_names(node.decorator_list)
            for item in node.body:
                if isinstance(
                    item, ast.FunctionDef | ast.AsyncFunctionDef
                ) and item.name.startswith("test"):
                    name = f"{node.name}::{item.name}"
                    yield name, item, outer + _marker_names(item.decorator_list)


def _suggestion(markers: list[str]) -> str:
    if markers:
        return f'pytest_marker = "{markers[0]}"'
    return (
        "mark it (@pytest.mark.NAME, registered in the pytest configuration), then "
        'pytest_marker = "NAME"'
    )


def _from_tests(relative: str, tree: ast.Module) -> Iterator[Evidence]:
    for name, function, markers in _tests(tree):
        used = _used_names(function)
        found = [call for call in CALLS if call in used]
        if not found:
            continue
        proves = tuple(dict.fromkeys(test for call in found for test in CALLS[call]))
        unique = list(dict.fromkeys(markers))
        yield Evidence(
            path=relative,
            line=function.lineno,
            kind="test",
            detail=f"{relative}::{name} uses {', '.join(found)}",
            proves=proves,
            markers=tuple(unique),
            suggestion=_suggestion(unique),
        )


def _imports_shiftwatch(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "shiftwatch" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "shiftwatch":
            return True
    return False


def _from_monitors(relative: str, tree: ast.Module) -> Iterator[Evidence]:
    if not _imports_shiftwatch(tree):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name != "Monitor":
            continue
        keywords = {k.arg for k in node.keywords if k.arg}
        proves: tuple[str, ...] = ("monitoring-2", "monitoring-3")
        detail = f"{relative} builds a shiftwatch Monitor"
        if "expected_error_rate" in keywords:
            proves += ("monitoring-7",)
            detail += " with an expected error rate"
        yield Evidence(
            path=relative,
            line=node.lineno,
            kind="monitor",
            detail=detail,
            proves=proves,
            suggestion="a test feeding it serving-like batches (with labels, for the error "
            "rate), marked and answered with pytest_marker",
        )


def _from_data_file(path: Path, relative: str) -> Evidence | None:
    if path.suffix == ".swp":
        from shiftwatch.profile import Profile

        try:
            profile = Profile.load(path)
        except (ShiftwatchError, OSError, EOFError):
            return None  # an editor's swap file, or damaged
        return Evidence(
            path=relative,
            line=None,
            kind="profile",
            detail=(
                f"{relative}: a shiftwatch profile ({profile.n:,} rows, {len(profile)} columns) "
                "holding a schema"
            ),
            proves=("data-1",),
            suggestion="a test validating data against it (assert_schema), marked for "
            "pytest_marker",
        )
    if path.suffix != ".json":
        return None
    text = _read(path)
    if text is None or "shiftwatch." not in text:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == "shiftwatch.schema":
        return Evidence(relative, None, "schema", f"{relative}: a shiftwatch schema", ("data-1",))
    if kind == "shiftwatch.golden":
        count = len(document.get("metrics", {}))
        return Evidence(
            relative,
            None,
            "golden",
            f"{relative}: golden metrics ({count}) with bootstrap intervals",
            ("infrastructure-4",),
            suggestion="a test checking them (shiftwatch_golden), marked for pytest_marker",
        )
    return None


def _from_script(relative: str, text: str) -> Iterator[Evidence]:
    for number, line in enumerate(text.splitlines(), start=1):
        match = _COMMAND.search(line)
        if match:
            command = match.group(1)
            yield Evidence(
                relative,
                number,
                "script",
                f"{relative} runs shiftwatch {command}",
                COMMANDS[command],
            )


def find_evidence(project: str | Path) -> tuple[Evidence, ...]:
    r"""Everything in ``project`` that could prove a rubric test (table in the module doc).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "test_data.py").write_text(
    ...     "import pytest\nfrom shiftwatch.testing import assert_schema\n"
    ...     "@pytest.mark.data_schema\ndef test_rows(): assert_schema(rows, 'ref.swp')\n")
    >>> [(e.where, e.proves, e.suggestion) for e in find_evidence(folder)]
    [('test_data.py:4', ('data-1', 'monitoring-2'), 'pytest_marker = "data_schema"')]
    """
    root = Path(project)
    found: list[Evidence] = []
    for path in _files(root):
        relative = path.relative_to(root).as_posix()
        data = _from_data_file(path, relative)
        if data is not None:
            found.append(data)
            continue
        if path.suffix == ".py":
            text = _read(path)
            if text is None:
                continue
            try:
                tree = ast.parse(text)
            except (SyntaxError, ValueError):
                continue
            is_test = path.name.startswith("test_") or path.stem.endswith("_test")
            found.extend(_from_tests(relative, tree) if is_test else _from_monitors(relative, tree))
        elif (path.suffix in SCRIPT_SUFFIXES or path.name in SCRIPT_NAMES) and (
            path.name != "readiness.toml"  # its commands are answers already, not evidence
        ):
            text = _read(path)
            if text is not None:
                found.extend(_from_script(relative, text))
    return tuple(found)
