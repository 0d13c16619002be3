import subprocess
import sys

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
    for name in sw.__all__:
        assert getattr(sw, name) is not None
    assert sw.__version__.count(".") == 2


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
