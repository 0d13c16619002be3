"""deploy/: the Dockerfile, install script, compose file, KServe example and example config.

Docker cannot run here, so the image is checked structurally; the install script it runs is
run for real in a clean virtual environment by the slow test in test_install.py.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from shiftwatch.service.settings import ModelSettings, ServerSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def instructions(name: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile() if instruction == name]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    return loaded


def test_the_image_starts_from_python_311_slim() -> None:
    assert dockerfile()[0] == ("FROM", "python:3.11-slim")


def test_the_image_installs_with_the_install_script() -> None:
    copied = [shlex.split(arguments) for arguments in instructions("COPY")]
    assert ["deploy/install.sh", "./deploy/install.sh"] in copied
    assert ["pyproject.toml", "README.md", "./"] in copied
    assert ["src", "./src"] in copied
    runs = instructions("RUN")
    (install,) = [run for run in runs if "install.sh" in run]
    assert "SHIFTWATCH_VENV=/opt/shiftwatch sh deploy/install.sh" in install
    assert not any("pip install" in run for run in runs)  # every install step is in the script
    assert "PATH=/opt/shiftwatch/bin:$PATH" in instructions("ENV")


def test_the_image_runs_shiftwatch_serve_as_a_non_root_user() -> None:
    (user,) = instructions("USER")
    assert user.split(":")[0] not in {"root", "0"}
    (entrypoint,) = instructions("ENTRYPOINT")
    assert yaml.safe_load(entrypoint) == [
        "shiftwatch",
        "serve",
        "--config",
        "/etc/shiftwatch/shiftwatch.toml",
    ]
    assert instructions("EXPOSE") == ["8000"]
    copied = [shlex.split(arguments) for arguments in instructions("COPY")]
    assert ["deploy/shiftwatch.toml", "/etc/shiftwatch/shiftwatch.toml"] in copied


def test_the_image_checks_its_health_on_healthz() -> None:
    (healthcheck,) = instructions("HEALTHCHECK")
    assert "--interval=" in healthcheck
    command = healthcheck.split("CMD", 1)[1].strip()
    assert "http://127.0.0.1:8000/healthz" in command
    assert yaml.safe_load(command)[0] == "python"  # python:3.11-slim has no curl


def test_the_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text("utf-8").splitlines()
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    assert allowed >= {
        "pyproject.toml",
        "README.md",
        "src/**",
        "deploy/install.sh",
        "deploy/shiftwatch.toml",
    }
    assert "**" in ignore  # everything else (.venv, caches) stays out of the context


def test_the_install_script_installs_the_service_extra() -> None:
    script = DEPLOY / "install.sh"
    text = script.read_text("utf-8")
    assert text.startswith("#!/bin/sh\n")
    assert "set -eu" in text
    assert '-m venv "$venv"' in text
    assert 'pip install --disable-pip-version-check "$project[service]"' in text
    assert script.stat().st_mode & 0o111
    subprocess.run(["sh", "-n", str(script)], check=True)  # parses


def test_the_service_extra_exists() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "optional-dependencies"
    ]
    names = {re.split(r"[<>=\[ ]", requirement)[0] for requirement in extras["service"]}
    assert names >= {
        "fastapi",
        "uvicorn",
        "sqlalchemy",
        "alembic",
        "pydantic-settings",
        "prometheus-client",
        "psycopg",
    }
    assert [r.split(">")[0] for r in extras["client"]] == ["httpx"]


def test_compose_wires_shiftwatch_prometheus_and_grafana() -> None:
    services = compose()["services"]
    assert set(services) == {"shiftwatch", "prometheus", "grafana"}
    build = services["shiftwatch"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert "8000:8000" in services["shiftwatch"]["ports"]
    assert "./prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    assert services["prometheus"]["depends_on"] == ["shiftwatch"]
    assert services["grafana"]["depends_on"] == ["prometheus"]


def test_compose_mounts_only_files_that_exist() -> None:
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, source)


def test_compose_pins_image_versions() -> None:
    for name, service in compose()["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), name


def test_compose_mounts_the_config_the_entrypoint_reads() -> None:
    volumes = compose()["services"]["shiftwatch"]["volumes"]
    assert "./shiftwatch.toml:/etc/shiftwatch/shiftwatch.toml:ro" in volumes


def test_the_kserve_logger_points_at_shiftwatchs_kserve_ingest() -> None:
    service = yaml.safe_load((DEPLOY / "kserve" / "inferenceservice.yaml").read_text("utf-8"))
    assert service["apiVersion"] == "serving.kserve.io/v1beta1"
    assert service["kind"] == "InferenceService"
    name = service["metadata"]["name"]
    logger = service["spec"]["predictor"]["logger"]
    (token,) = example_config()["server"]["write_tokens"]  # the token the example opens with
    assert logger == {
        "mode": "all",
        "url": f"http://shiftwatch.monitoring.svc:8000/v1/models/{name}/kserve?token={token}",
    }
    assert name in {model["name"] for model in example_config()["models"]}
    assert service["spec"]["predictor"]["model"]["modelFormat"]["name"]


def example_config() -> dict[str, Any]:
    return tomllib.loads((DEPLOY / "shiftwatch.toml").read_text("utf-8"))


def test_the_example_config_uses_the_documented_keys() -> None:
    config = example_config()
    assert set(config) == {"server", "models"}
    assert set(config["server"]) <= set(ServerSettings.model_fields)
    assert config["server"]["host"] == "0.0.0.0"
    assert config["server"]["port"] == 8000
    model_keys = set(ModelSettings.model_fields)
    for model in config["models"]:
        assert set(model) <= model_keys
    kserve = yaml.safe_load((DEPLOY / "kserve" / "inferenceservice.yaml").read_text("utf-8"))
    assert kserve["metadata"]["name"] in {model["name"] for model in config["models"]}


def test_the_example_config_is_valid_for_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    settings_module = pytest.importorskip("shiftwatch.service.settings")
    for variable in ("HOST", "PORT", "DB_URL", "WRITE_TOKENS", "READ_TOKENS", "ADMIN_TOKENS"):
        monkeypatch.delenv(f"SHIFTWATCH_{variable}", raising=False)
    settings = settings_module.load_settings(DEPLOY / "shiftwatch.toml")
    assert settings.server.port == 8000
    assert [model.name for model in settings.models] == [
        model["name"] for model in example_config()["models"]
    ]
