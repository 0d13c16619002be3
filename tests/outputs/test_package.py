import subprocess
import sys

import shiftwatch.outputs as outputs


def test_outputs_never_import_scikit_learn() -> None:
    code = "import sys, shiftwatch.outputs; print('sklearn' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "False"


def test_public_names_are_exported_and_documented() -> None:
    for name in outputs.__all__:
        value = getattr(outputs, name)
        if callable(value):
            assert value.__doc__, name
