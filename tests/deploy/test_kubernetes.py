"""deploy/kubernetes/shiftwatch.yaml, checked structurally: every object the service needs,
selectors and ports that meet, probes on /healthz, mounts where the image reads, settings the
service accepts, and tokens that agree with each other and with the KServe example."""

import json
from pathlib import Path
from typing import Any

import yaml

from shiftwatch.service.settings import ServerSettings, load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def objects() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    text = (DEPLOY / "kubernetes" / "shiftwatch.yaml").read_text("utf-8")
    for item in yaml.safe_load_all(text):
        found[f"{item['kind']}/{item['metadata']['name']}"] = item
        assert item["metadata"]["namespace"] == "monitoring"
    return found


def test_every_object_the_service_needs_is_there() -> None:
    kinds = {key.split("/")[0] for key in objects()}
    assert kinds == {
        "Secret",
        "ConfigMap",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "ServiceMonitor",
    }


def test_selectors_ports_and_probes_meet() -> None:
    found = objects()
    deployment, service = found["Deployment/shiftwatch"], found["Service/shiftwatch"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    (port,) = container["ports"]
    (exposed,) = service["spec"]["ports"]
    assert (port["name"], port["containerPort"]) == (exposed["targetPort"], 8000)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    monitor = found["ServiceMonitor/shiftwatch"]
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    (endpoint,) = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == (exposed["name"], "/metrics")
    assert deployment["spec"]["replicas"] == 1  # metrics and windows live in the process


def test_mounts_are_where_the_image_reads_and_name_existing_sources() -> None:
    found = objects()
    spec = found["Deployment/shiftwatch"]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert f'"{mounts["config"]}/shiftwatch.toml"' in dockerfile  # the entrypoint's --config
    assert mounts["data"] == "/var/lib/shiftwatch/data"
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    assert f"ConfigMap/{volumes['config']['configMap']['name']}" in found
    claim = volumes["data"]["persistentVolumeClaim"]["claimName"]
    assert f"PersistentVolumeClaim/{claim}" in found
    assert spec["securityContext"]["runAsUser"] == 10001  # the image's user


def test_the_config_and_tokens_are_what_the_service_accepts(tmp_path: Path) -> None:
    found = objects()
    config = tmp_path / "shiftwatch.toml"
    config.write_text(found["ConfigMap/shiftwatch-config"]["data"]["shiftwatch.toml"])
    secret = found["Secret/shiftwatch-tokens"]["stringData"]
    tokens = {}
    for name, value in secret.items():
        key = name.removeprefix("SHIFTWATCH_").lower()
        assert key in ServerSettings.model_fields
        tokens[key] = json.loads(value)
    settings = load_settings(config, server=tokens)
    assert settings.server.db_url.endswith("/var/lib/shiftwatch/data/shiftwatch.db")
    scrape = found["Secret/shiftwatch-scrape"]["stringData"]["token"]
    assert scrape in settings.server.read_tokens
    service = yaml.safe_load((DEPLOY / "kserve" / "inferenceservice.yaml").read_text("utf-8"))
    url = service["spec"]["predictor"]["logger"]["url"]
    assert url.split("token=")[1] in settings.server.write_tokens
    assert service["metadata"]["name"] in {model.name for model in settings.models}
