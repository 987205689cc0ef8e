"""`newsletter users create|password` refuse a short password before asking for it again."""

import re
import subprocess
from pathlib import Path

from newsletter.accounts.users import MIN_PASSWORD_LENGTH
from tests.cli import cli_env, ok, run_cli
from tests.conftest import BIN

SHORT = "x" * (MIN_PASSWORD_LENGTH - 1)
GOOD = "correct horse battery staple"


def typed(tmp_path: Path, env: dict[str, str], *args: str, lines: list[str]) -> subprocess.CompletedProcess:
    """Run `newsletter ARGS` with ``lines`` typed at its prompts (no terminal: they come from a pipe)."""
    return subprocess.run([str(BIN / "newsletter"), *args], cwd=tmp_path, env=env, input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60, check=False, start_new_session=True)


PROMPT = re.compile(r"Password \(|Repeat for confirmation")


def prompts(result: subprocess.CompletedProcess) -> list[str]:
    """The prompts the command showed, in order: "Password" or "Repeat"."""
    return ["Repeat" if shown.startswith("Repeat") else "Password" for shown in PROMPT.findall(result.stdout)]


def test_a_short_password_is_refused_before_the_confirmation(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}")

    result = typed(tmp_path, env, "users", "create", "ana@example.org", "--admin", lines=[SHORT, GOOD, GOOD])

    ok(result)
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in result.stdout + result.stderr
    assert prompts(result) == ["Password", "Password", "Repeat"]  # asked again at once, confirmed once
    assert "created admin ana@example.org" in result.stdout


def test_a_new_password_is_checked_before_the_confirmation_too(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}")
    ok(run_cli("users", "create", "ana@example.org", "--password", GOOD, cwd=tmp_path, env=env))

    result = typed(tmp_path, env, "users", "password", "ana@example.org", lines=[SHORT, GOOD + "!", GOOD + "!"])

    ok(result)
    assert prompts(result) == ["Password", "Password", "Repeat"]
    assert "password of ana@example.org changed" in result.stdout
