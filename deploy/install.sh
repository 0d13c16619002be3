#!/bin/sh
# Install shiftwatch and its service dependencies into a virtual environment.
#
# The Dockerfile runs this script, and so does the test that checks it in a clean
# environment (tests/deploy/test_install.py), so the image and CI install the same way.
#
#   deploy/install.sh [PROJECT_DIR]     PROJECT_DIR: the checkout to install (default: .)
#
# Environment: SHIFTWATCH_VENV (default /opt/shiftwatch), PYTHON (default python3),
# and pip's own variables (PIP_NO_CACHE_DIR, PIP_INDEX_URL, ...).
set -eu

project="${1:-.}"
venv="${SHIFTWATCH_VENV:-/opt/shiftwatch}"
python="${PYTHON:-python3}"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check "$project[service]"
# The installed command must start: fail the build here rather than at run time.
"$venv/bin/shiftwatch" --help >/dev/null
echo "shiftwatch installed in $venv"
