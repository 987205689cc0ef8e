"""The deployment files: compose validates, and .env.example documents every setting."""

import shutil
import subprocess

from newsletter.config import Settings
from tests.conftest import REPO, require


def env_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias.choices[0] if alias is not None else f"NEWSLETTER_{name.upper()}")
    return names


def test_env_example_documents_every_setting_and_nothing_else():
    lines = (REPO / ".env.example").read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert documented == env_names()


def test_docker_compose_is_valid_and_demands_a_secret():
    require(shutil.which("docker-compose") is not None, "docker-compose is not installed")
    base = ["docker-compose", "--project-directory", str(REPO), "-f", str(REPO / "docker-compose.yml"), "config", "-q"]
    ok = subprocess.run(base, capture_output=True, text=True, env={"NEWSLETTER_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"})
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(base, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert missing.returncode != 0 and "NEWSLETTER_SECRET_KEY" in missing.stderr


def test_compose_services_use_the_documented_commands():
    compose = (REPO / "docker-compose.yml").read_text()
    for command in ('"celery", "-A", "workers", "worker"', '"celery", "-A", "workers", "beat"', '"newsletter", "db", "upgrade"'):
        assert command in compose


def test_env_example_copied_to_dot_env_gives_the_defaults():
    assert Settings(_env_file=REPO / ".env.example") == Settings(_env_file=None)
