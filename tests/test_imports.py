import subprocess
import sys

import pytest

import shiftwatch as sw


def test_import_loads_no_heavy_or_optional_dependency() -> None:
    code = (
        "import sys, shiftwatch; "
        "heavy = {'pandas', 'polars', 'fastapi', 'sqlalchemy', 'plotly', 'dask', 'sklearn', "
        "'torch', 'typer', 'rich', 'PIL'}; "
        "loaded = {m.split('.')[0] for m in sys.modules}; "
        "images = [m for m in sys.modules if m.startswith('shiftwatch.images')]; "
        "print(sorted(heavy & loaded) + sorted(images))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_public_names_are_exported() -> None:
    import importlib

    assert set(sw.__all__) == {*sw._EXPORTS, "__version__"}  # one list, both ways
    for name, module in sw._EXPORTS.items():
        assert getattr(sw, name) is getattr(importlib.import_module(module), name)
    assert {"Monitor", "Profile", "compare"} <= set(sw.__all__)  # what the README uses
    assert sw.__version__.count(".") == 2
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        sw.nothing  # noqa: B018


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_import_shiftwatch_loads_nothing_heavy() -> None:
    assert not {"numpy", "scipy", "pyarrow", "datasketches"} & _loaded_after("import shiftwatch")


def test_the_model_servers_client_loads_no_data_library() -> None:
    loaded = _loaded_after("import shiftwatch.client")
    assert not {"numpy", "scipy", "pyarrow", "pandas", "datasketches"} & loaded


def test_images_load_pillow_only_to_decode_files() -> None:
    code = (
        "import sys, numpy as np, shiftwatch as sw; "
        "sw.compare(np.zeros((4, 8, 8), np.uint8), np.ones((4, 8, 8), np.uint8)); "
        "print('shiftwatch.images' in sys.modules, 'PIL' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "True False"
