"""Mistyped commands get one line saying what is wrong and exit 2, never a traceback."""

import os
import select
import signal
import subprocess
import time

import pytest

from tests.cli import cli_env, run_cli
from tests.conftest import BIN


def usage_error(result: subprocess.CompletedProcess, hint: str = "newsletter") -> str:
    """The error line of a command refused as mistyped (checked: exit 2, one line and a hint)."""
    assert result.returncode == 2, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 2, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    if len(lines) == 2:
        assert lines[1] == f"try `{hint} --help`", result.stderr
    return lines[0]


@pytest.fixture
def env(tmp_path):
    return cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}")


def test_an_unknown_command_is_named_with_the_likely_ones(tmp_path, env):
    line = usage_error(run_cli("sned", cwd=tmp_path, env=env))
    assert "'sned'" in line and "'send'" in line and "'sends'" in line


def test_a_missing_argument_is_named(tmp_path, env):
    line = usage_error(run_cli("send", cwd=tmp_path, env=env), hint="newsletter send")
    assert "issue_id" in line.lower()


def test_a_missing_option_is_named(tmp_path, env):
    line = usage_error(run_cli("send", "1", cwd=tmp_path, env=env), hint="newsletter send")
    assert "list" in line.lower()


def test_an_unknown_option_is_named(tmp_path, env):
    line = usage_error(run_cli("send", "1", "--list", "weekly", "--bogus", cwd=tmp_path, env=env),
                       hint="newsletter send")
    assert "--bogus" in line


def test_a_value_of_the_wrong_type_is_refused(tmp_path, env):
    line = usage_error(run_cli("sends", "list", "--limit", "many", cwd=tmp_path, env=env),
                       hint="newsletter sends list")
    assert "many" in line or "integer" in line


def test_a_time_that_cannot_be_read_is_one_line_of_error(tmp_path, env):
    """--at is read by the service, not by the parser: a service error, exit 1."""
    result = run_cli("send", "1", "--list", "weekly", "--at", "notadate", cwd=tmp_path, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: cannot read the time 'notadate' (write it like 2026-12-04 08:00)"


def test_no_arguments_show_the_help(tmp_path, env):
    for args in ((), ("sends",)):
        result = run_cli(*args, cwd=tmp_path, env=env)
        assert "Traceback" not in result.stderr
        assert "Usage:" in result.stdout + result.stderr and "Commands" in result.stdout + result.stderr


def test_a_prompt_without_input_is_aborted_in_one_line(tmp_path, env):
    result = subprocess.run([str(BIN / "newsletter"), "users", "create", "ana@example.org"], check=False,
                            cwd=tmp_path, env=env, input="", capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "aborted"


def test_ctrl_c_at_a_prompt_is_aborted_in_one_line(tmp_path, env):
    process = subprocess.Popen([str(BIN / "newsletter"), "users", "create", "ana@example.org"], cwd=tmp_path,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)  # no terminal: the prompt reads the pipe
    try:
        asked = b""
        deadline = time.monotonic() + 30
        while b"Password" not in asked:
            assert time.monotonic() < deadline, f"no prompt within 30 s: {asked!r}"
            if select.select([process.stdout], [], [], 1)[0]:
                asked += os.read(process.stdout.fileno(), 1024)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    stderr = stderr.decode()
    assert "Traceback" not in stderr
    assert process.returncode == 1, stderr
    assert stderr.strip().splitlines()[-1] == "aborted", stderr
