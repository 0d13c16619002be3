import subprocess
import sys

import shiftwatch as sw


def test_import_loads_no_heavy_or_optional_dependency() -> None:
    code = (
        "import sys, shiftwatch; "
        "heavy = {'pandas', 'polars', 'fastapi', 'sqlalchemy', 'plotly', 'dask', 'sklearn', "
        "'torch', 'typer', 'rich'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_public_names_are_exported() -> None:
    for name in sw.__all__:
        assert getattr(sw, name) is not None
    assert sw.__version__.count(".") == 2
