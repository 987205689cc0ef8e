"""Running the real `newsletter` command in a subprocess, as a user would."""

import os
import subprocess
from pathlib import Path

from tests.conftest import BIN


def cli_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment minus any NEWSLETTER_* of the developer's, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}
    env.update({"NEWSLETTER_SECRET_KEY": "test-secret-key", "NEWSLETTER_BASE_URL": "https://news.example.org"})
    env.update({f"NEWSLETTER_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def run_cli(*args: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `newsletter ARGS...`; the result has text stdout and stderr."""
    return subprocess.run(
        [str(BIN / "newsletter"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def ok(result: subprocess.CompletedProcess) -> str:
    """The stdout of a command that must have succeeded."""
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout
