"""Fixtures of the tests of :mod:`shiftwatch.testing`.

pytester (pytest's own fixture for running pytest on a made-up project) is turned on here.
``pytest_plugins = ["pytester"]`` would do it only when this folder is given on the command
line: pytest refuses ``pytest_plugins`` in a conftest below the initial ones, as here when
the whole suite runs. Registering the plugin from ``pytest_configure`` works in both cases.
"""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
