"""deploy/ stays complete and valid: every setting documented in .env.example, the compose file
(bot + PostgreSQL, named volumes, healthchecks, restart policy) validated by Debian's
docker-compose when installed, the systemd unit by ``systemd-analyze verify``, the image slim,
non-root and health-checked, and every dependency pinned in the lock the README uses.
No Docker engine runs here: nothing is built or started."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# Read by docker compose for interpolation, not by the bot.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}


def env_example() -> dict[str, str]:
    entries = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"not KEY=value: {line!r}"
            entries[key.strip()] = value
    return entries


def test_env_example_documents_every_setting_and_nothing_else():
    documented = set(env_example())
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from deploy/.env.example"
    assert documented - fields - COMPOSE_ONLY == set(), "deploy/.env.example names settings that do not exist"


def test_every_setting_in_env_example_has_an_explanation_above_it():
    lines = (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[number - 1].startswith("# "), f"no comment above {line!r}"


def test_env_example_as_copied_is_a_valid_configuration(tmp_path, monkeypatch):
    for key in env_example():
        monkeypatch.delenv(key, raising=False)
    env = tmp_path / ".env"
    env.write_text((DEPLOY / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(_env_file=env)
    # Blank lines mean "not set": no empty token that would start a bot without one.
    assert settings.telegram_bot_token is None and settings.jxc_webhook_secret is None
    defaults = Settings(_env_file=None)
    assert settings.model_dump() == defaults.model_dump()


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_the_bot_with_postgresql_volumes_healthchecks_and_restarts():
    spec = compose()
    services = spec["services"]
    assert set(services) == {"bot", "db"}
    for name, service in services.items():
        assert service["restart"] in ("unless-stopped", "always"), name
        assert service["healthcheck"]["test"], name
    assert services["db"]["image"].startswith("postgres:")
    assert services["bot"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["bot"]["build"]["dockerfile"] == "deploy/Dockerfile"
    named = set(spec["volumes"])
    used = {mount.split(":", 1)[0] for service in services.values() for mount in service.get("volumes", [])}
    assert named == used == {"pgdata", "botdata"}
    assert "/healthz" in " ".join(services["bot"]["healthcheck"]["test"])


def test_compose_file_is_valid_for_docker_compose(tmp_path):
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose not installed (deploy/jxc.sh test installs Debian's as root)")
    folder = tmp_path / "deploy"
    folder.mkdir()
    shutil.copy(DEPLOY / "docker-compose.yml", folder)
    (folder / ".env").write_text("TELEGRAM_BOT_TOKEN=1:x\n", encoding="utf-8")
    done = subprocess.run([tool, "-f", str(folder / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_image_is_slim_non_root_health_checked_and_installs_from_the_lock():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*healthz", dockerfile, re.M)
    assert "pip install -r deploy/requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile  # nothing unpinned sneaks in with the project
    ignored = {line for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines() if line and line[0] != "#"}
    for copied in re.findall(r"^COPY (\S+)", dockerfile, re.M):
        assert (ROOT / copied).exists(), f"Dockerfile copies a missing {copied}"
        assert copied not in ignored and copied.split("/")[0] not in ignored, f".dockerignore hides {copied}"
    assert {".venv", ".env", "data"} <= ignored  # no secrets or local databases in the image


def test_the_systemd_unit_verifies(tmp_path):
    unit = (DEPLOY / "jxc.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/jxc/.venv/bin/jxc run" in unit and "User=jxc" in unit and "Restart=on-failure" in unit
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not available")
    # Verify it where its paths exist: the unit's /opt/jxc becomes a scratch tree.
    home = tmp_path / "opt" / "jxc"
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / "data").mkdir()
    (home / ".env").write_text("", encoding="utf-8")
    jxc = home / ".venv" / "bin" / "jxc"
    jxc.write_text("#!/bin/sh\n", encoding="utf-8")
    jxc.chmod(0o755)
    local = tmp_path / "jxc.service"
    local.write_text(unit.replace("/opt/jxc", str(home)), encoding="utf-8")
    done = subprocess.run([tool, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    problems = [line for line in done.stderr.splitlines() if "jxc.service" in line]
    assert problems == [], problems


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=~!; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    wanted |= {"tornado", "aiolimiter", "apscheduler"}  # the extras of python-telegram-bot used
    pinned = {}
    for line in (DEPLOY / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"not pinned: {line!r}"
            pinned[_name(name)] = version
    assert wanted - set(pinned) == set()


def test_the_readme_installs_from_the_lock():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "deploy/requirements.lock" in readme and "bash deploy/jxc.sh" in readme
    assert "requirements.lock" in (DEPLOY / "jxc.sh").read_text(encoding="utf-8")
    for command in ("jxc backup", "jxc restore", "--webhook", "/healthz", "pg_dump"):
        assert command in readme
