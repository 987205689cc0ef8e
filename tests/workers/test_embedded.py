"""The whole path through the CLI with the embedded worker (no broker), on both databases."""

import csv
import email
import io
from email import policy
from pathlib import Path

import yaml

from tests.cli import cli_env, ok, run_cli
from tests.factories import issue_data


def write_inputs(tmp_path: Path, people: int) -> tuple[Path, Path]:
    csv_path = tmp_path / "people.csv"
    rows = [f"reader{n}@example.org,Reader {n}" for n in range(people)]
    csv_path.write_text("email,name\n" + "\n".join(rows) + "\nbroken-address,Bad\n", encoding="utf-8")
    issue_path = tmp_path / "brief.yaml"
    issue_path.write_text(yaml.safe_dump(issue_data(4), allow_unicode=True), encoding="utf-8")
    return csv_path, issue_path


def test_import_render_and_send_through_the_embedded_worker(tmp_path, database_url):
    env = cli_env(tmp_path, database_url=database_url, outbox_dir=tmp_path / "outbox", batch_size=40)
    csv_path, issue_path = write_inputs(tmp_path, people=101)

    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    imported = ok(run_cli("subscribers", "import", str(csv_path), "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    assert "102 rows: 101 valid" in imported and "line 103: broken-address" in imported
    issue_id = ok(run_cli("issue", "import", str(issue_path), cwd=tmp_path, env=env)).strip()
    assert issue_id.isdigit()
    assert "The Weekly Brief" in ok(run_cli("issue", "list", cwd=tmp_path, env=env))
    shown = ok(run_cli("issue", "show", issue_id, cwd=tmp_path, env=env))
    assert "4. Headline number 4" in shown
    assert "101" in ok(run_cli("lists", "list", cwd=tmp_path, env=env))

    ok(run_cli("render", issue_id, "--out", str(tmp_path / "rendered"), cwd=tmp_path, env=env))
    assert "Headline number 3" in (tmp_path / "rendered" / "issue.txt").read_text(encoding="utf-8")

    sent = ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
    assert "101 recipients frozen" in sent and "101 accepted, 0 failed" in sent
    files = sorted((tmp_path / "outbox").glob("send-*/*.eml"))
    assert len(files) == 101
    recipients = set()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        recipients.add(message["To"].addresses[0].addr_spec)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert recipients == {f"reader{n}@example.org" for n in range(101)}


def test_errors_are_one_line_with_exit_status_1(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    result = run_cli("send", "42", "--list", "weekly", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: there is no list named 'weekly' (create it with `newsletter lists create weekly`)"
    result = run_cli("lists", "create", "Bad Name", cwd=tmp_path, env=env)
    assert result.returncode == 1 and "is not valid" in result.stderr


def test_bad_settings_are_reported_not_raised(tmp_path):
    env = cli_env(tmp_path, environment="production", secret_key="development-only-secret-key-change-me")
    result = run_cli("issue", "list", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "NEWSLETTER_SECRET_KEY must be set" in result.stderr and "Traceback" not in result.stderr


def test_demo_runs_on_embedded_defaults_in_an_empty_directory(tmp_path):
    env = cli_env(tmp_path)
    del env["NEWSLETTER_SECRET_KEY"], env["NEWSLETTER_BASE_URL"]  # the demo needs no settings at all
    output = ok(run_cli("demo", cwd=tmp_path, env=env))
    assert "52 rows: 50 valid" in output and "line 14: not-an-address" in output
    assert "50 accepted, 0 failed" in output
    assert (tmp_path / "newsletter.db").exists()
    assert len(list((tmp_path / "outbox" / "send-1").glob("*.eml"))) == 50
    preview = (tmp_path / "outbox" / "preview" / "issue.html").read_text(encoding="utf-8")
    assert "Court orders compensation" in preview


def test_subscriber_commands_add_remove_and_export(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    assert "confirmed" in ok(run_cli("subscribers", "add", "ana@example.org", "--list", "weekly", "--name", "Ana", "--confirmed", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "add", "ben@example.org", "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "remove", "BEN@example.org", "--list", "weekly", cwd=tmp_path, env=env))
    exported = ok(run_cli("subscribers", "export", "--list", "weekly", cwd=tmp_path, env=env))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["email"], r["name"], r["status"]) for r in rows] == [("ana@example.org", "Ana", "confirmed")]
    missing = run_cli("subscribers", "remove", "ghost@example.org", "--list", "weekly", cwd=tmp_path, env=env)
    assert missing.returncode == 1 and "not on the list" in missing.stderr
