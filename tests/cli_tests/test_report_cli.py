"""`newsletter sends report` and `newsletter suppressions list|lift`, run as the installed
command: the same figures and names as the API, and a bounce lifted by the command line's user."""

import getpass
import json

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Suppression
from newsletter.reports import SendReport, send_report
from tests.cli import cli_env, ok, run_cli
from tests.conftest import make_settings
from tests.reports.helpers import EXPECTED, every_kind

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def ledger(tmp_path, database_url):
    """A send whose ledger holds every kind of event (its hard bounce and its complaint
    suppress two people, its unsubscribe a third): (send id, settings, the command's environment)."""
    settings = make_settings(tmp_path, database_url=database_url)
    env = cli_env(tmp_path, database_url=database_url, outbox_dir=tmp_path / "outbox")
    env["COLUMNS"] = "200"
    return every_kind(settings), settings, env


@SQLITE
def test_the_report_as_json_has_the_apis_names_and_figures(ledger, tmp_path):
    send_id, settings, env = ledger
    printed = json.loads(ok(run_cli("sends", "report", str(send_id), "--json", cwd=tmp_path, env=env)))
    assert list(printed) == list(SendReport.model_fields)  # the API's response model
    assert {name: printed[name] for name in EXPECTED} == EXPECTED
    with transaction(settings.database_url) as session:
        assert printed == send_report(session=session, send_id=send_id).model_dump(mode="json")


@SQLITE
def test_the_report_as_tables(ledger, tmp_path):
    send_id, _, env = ledger
    out = ok(run_cli("sends", "report", str(send_id), cwd=tmp_path, env=env))
    lines = [" ".join(line.replace("│", " ").split()) for line in out.splitlines()]
    for name, count in EXPECTED.items():
        assert f"{name} {count}" in lines, (name, out)
    assert ("complaint rate: 33.33% of delivered: over (keep it under 0.1%; Gmail's and Yahoo's limit: 0.3%)"
            in lines), out
    assert "example.net 2 0 2" in lines and "example.org 2 2 0" in lines
    missing = run_cli("sends", "report", "999", cwd=tmp_path, env=env)
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: there is no send 999")


@SQLITE
def test_suppressions_are_listed_and_a_bounce_lifted_by_the_commands_user(ledger, tmp_path):
    _, settings, env = ledger
    listed = json.loads(ok(run_cli("suppressions", "list", "--json", cwd=tmp_path, env=env)))
    assert {s["email"]: s["reason"] for s in listed["suppressions"]} == {
        "cy@example.net": "bounced", "ana@example.org": "complained", "fay@example.com": "unsubscribed"}
    table = ok(run_cli("suppressions", "list", cwd=tmp_path, env=env))
    assert "hard bounce (sendgrid): 550 5.1.1 no such user" in table
    assert "no: only they can undo it" in table and "no: can be lifted" in table

    refused = run_cli("suppressions", "lift", "ana@example.org", cwd=tmp_path, env=env)
    assert refused.returncode == 1
    assert refused.stderr.strip() == ("error: ana@example.org complained: only they can undo that, by subscribing "
                                      "again and confirming it")
    who = f"cli:{getpass.getuser()}"
    lifted = ok(run_cli("suppressions", "lift", "CY@example.net", cwd=tmp_path, env=env))
    assert lifted.strip() == f"cy@example.net gets mail again (lifted by {who})"
    with transaction(settings.database_url) as session:
        assert session.scalars(select(Suppression.lifted_by).where(Suppression.lifted_by.is_not(None))).all() == [who]

    now = json.loads(ok(run_cli("suppressions", "list", "--json", cwd=tmp_path, env=env)))["suppressions"]
    assert "cy@example.net" not in [s["email"] for s in now]
    everything = ok(run_cli("suppressions", "list", "--all", cwd=tmp_path, env=env))
    assert "cy@example.net" in everything and f"UTC by {who}" in everything
