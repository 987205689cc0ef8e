"""`newsletter users`: the first admin is made from the command line."""

import pytest

from newsletter.accounts import authenticate, user_for_api_token
from newsletter.db import transaction
from newsletter.errors import AuthenticationError
from tests.cli import cli_env, ok, run_cli


def test_create_an_admin_then_a_token_for_them(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    out = ok(run_cli("users", "create", "Ada@Example.org", "--admin", "--name", "Ada", "--password",
                     "a long enough passphrase", cwd=tmp_path, env=env))
    assert "created admin ada@example.org" in out
    short = run_cli("users", "create", "bo@example.org", "--password", "short", cwd=tmp_path, env=env)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    token = ok(run_cli("users", "token", "ada@example.org", "--name", "intake", cwd=tmp_path, env=env)).strip()
    assert token.startswith("nl_")

    with transaction(f"sqlite:///{tmp_path / 'n.db'}") as session:
        assert authenticate(session=session, email="ada@example.org", password="a long enough passphrase").role == "admin"
        assert user_for_api_token(session=session, token=token).email == "ada@example.org"
    missing = run_cli("users", "token", "nobody@example.org", cwd=tmp_path, env=env)
    assert missing.returncode == 1 and "there is no user nobody@example.org" in missing.stderr


def test_the_last_active_admin_stays_one_and_a_deactivated_user_cannot_sign_in(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    for email, *admin in (("ada@example.org", "--admin"), ("bo@example.org",)):
        ok(run_cli("users", "create", email, *admin, "--password", "a long enough passphrase", cwd=tmp_path, env=env))
    last = run_cli("users", "deactivate", "ada@example.org", cwd=tmp_path, env=env)
    assert last.returncode == 1 and "ada@example.org is the only active admin" in last.stderr
    demoted = run_cli("users", "role", "ada@example.org", "editor", cwd=tmp_path, env=env)
    assert demoted.returncode == 1 and "the only active admin" in demoted.stderr

    assert "bo@example.org is now an admin" in ok(run_cli("users", "role", "bo@example.org", "admin",
                                                          cwd=tmp_path, env=env))
    assert "ada@example.org deactivated" in ok(run_cli("users", "deactivate", "ada@example.org", cwd=tmp_path, env=env))
    with transaction(f"sqlite:///{tmp_path / 'n.db'}") as session, pytest.raises(AuthenticationError):
        authenticate(session=session, email="ada@example.org", password="a long enough passphrase")
    ok(run_cli("users", "activate", "ada@example.org", cwd=tmp_path, env=env))
    with transaction(f"sqlite:///{tmp_path / 'n.db'}") as session:
        assert authenticate(session=session, email="ada@example.org", password="a long enough passphrase").active
    unknown = run_cli("users", "role", "bo@example.org", "owner", cwd=tmp_path, env=env)
    assert unknown.returncode == 1 and "role must be one of editor, admin" in unknown.stderr
