"""Settings: the TOML file, then the environment, then flags; errors name the key."""

from pathlib import Path

import pytest

from shiftwatch.errors import InvalidParameterError
from shiftwatch.service.settings import load_settings

CONFIG = """
[server]
db_url = "sqlite:///from-file.db"
port = 8100
write_tokens = ["file-token"]

[[models]]
name = "churn"
reference = "ref.swp"
window = 1000
ert = 50000

[[models]]
name = "fraud"
reference = "fraud.swp"
duration = 3600
"""


def test_file_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shiftwatch.toml"
    path.write_text(CONFIG)
    settings = load_settings(path)
    assert settings.server.db_url == "sqlite:///from-file.db"
    assert [m.name for m in settings.models] == ["churn", "fraud"]
    assert settings.models[1].duration == 3600
    monkeypatch.setenv("SHIFTWATCH_PORT", "8200")
    monkeypatch.setenv("SHIFTWATCH_WRITE_TOKENS", '["env-token"]')
    settings = load_settings(path)
    assert (settings.server.port, settings.server.write_tokens) == (8200, ["env-token"])
    assert load_settings(path, server={"port": 8300}).server.port == 8300


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[server]\nport = -1\n", "server.port"),
        ("[server]\ncolour = 1\n", "server.colour"),
        ('[[models]]\nname = "m"\nreference = "r"\n', "models.0"),
        ('[[models]]\nname = "bad name!"\nreference = "r"\nwindow = 5\n', "models.0.name"),
        ("[extra]\n", "Unknown section"),
        ("not toml ==", "is not TOML"),
    ],
)
def test_bad_settings_name_the_key(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidParameterError, match=named):
        load_settings(path)


def test_model_names_are_unique() -> None:
    model = {"name": "m", "reference": "r.swp", "window": 10}
    with pytest.raises(InvalidParameterError, match="repeated"):
        load_settings(models=[model, model])
