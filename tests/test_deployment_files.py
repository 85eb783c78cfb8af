"""docker-compose.yml, rendered and validated by Debian's docker-compose (no Docker engine runs
here, so nothing is built or started), describes the topology of ``make cluster``; nginx checks
its configuration. The Dockerfiles are not built here (README says so)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from launcher.cluster import conversation_stores
from launcher.stack import ROOT

SECRETS = {
    "DESKBOT_DB_PASSWORD": "db-secret",
    "DESKBOT_RASA_TOKEN": "rasa-secret",
    "DESKBOT_ACTION_TOKEN": "action-secret",
    "DESKBOT_CONSOLE_SECRET_KEY": "console-secret",
}
LONG_RUNNING = ("postgres", "redis", "action", "rasa", "gateway", "console", "lb")


def _compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is missing: make test installs it (ensure-deploy-tools.sh)"
    return subprocess.run(
        [binary, "--project-directory", str(ROOT), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose() -> dict:
    rendered = _compose_config(SECRETS)
    assert rendered.returncode == 0, rendered.stderr
    return yaml.safe_load(rendered.stdout)


def test_the_compose_file_refuses_to_render_without_its_secrets():
    for missing in SECRETS:
        rendered = _compose_config({k: v for k, v in SECRETS.items() if k != missing})
        assert rendered.returncode != 0
        assert f"set {missing} in .env" in rendered.stderr


def test_every_process_has_replicas_health_checks_and_restarts(compose):
    services = compose["services"]
    assert {
        name: services[name]["deploy"]["replicas"]
        for name in ("action", "rasa", "gateway", "console")
    } == {
        "action": 2,
        "rasa": 2,
        "gateway": 2,
        "console": 2,
    }
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped", name
        assert services[name]["healthcheck"]["test"], name
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["lb"]["image"].startswith("nginx:")
    assert "postgres-data" in compose["volumes"]


def test_migrations_run_once_before_any_replica_starts(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["command"] == ["python", "-m", "servicedesk.db.migrate"]
    for name in ("action", "gateway", "console"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_the_containers_get_the_settings_make_cluster_gives_its_processes(compose):
    services = compose["services"]
    cluster_url = "postgresql+psycopg://deskbot:db-secret@postgres:5432/deskbot"
    stores = conversation_stores(cluster_url, "redis://redis:6379/0")
    rasa_env = services["rasa"]["environment"]
    assert {k: rasa_env[k] for k in stores} == stores
    for name in ("action", "gateway", "console"):
        env = services[name]["environment"]
        assert env["DESKBOT_DB_URL"] == cluster_url, name
        assert env["DESKBOT_REDIS_URL"] == "redis://redis:6379/0", name
    gateway = services["gateway"]["environment"]
    assert gateway["DESKBOT_RASA_TOKEN"] == rasa_env["DESKBOT_RASA_TOKEN"] == "rasa-secret"
    assert services["action"]["environment"]["DESKBOT_ACTION_TOKEN"] == "action-secret"
    assert rasa_env["DESKBOT_ACTION_TOKEN"] == "action-secret"
    rasa_image = (ROOT / "deploy" / "rasa.Dockerfile").read_text()
    assert '"--endpoints", "endpoints-cluster.yml"' in rasa_image


def test_nginx_accepts_the_load_balancers_configuration(tmp_path: Path):
    """Checked by nginx itself, with the compose services' names resolved to loopback."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    names = "|".join(("gateway", "console", "rasa", "action"))
    local = re.sub(rf"server ({names}):", "server 127.0.0.1:", config)
    (tmp_path / "nginx.conf").write_text(local)
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"pid {tmp_path}/nginx.pid; error_log stderr;"],
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
