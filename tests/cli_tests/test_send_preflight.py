"""`newsletter send` and `send-test` run the pre-flight checks the newsroom's approval runs.

What the checks say is read from the checks themselves (``preview_issue``), so these tests
follow their wording; what is tested is that the command line refuses, names every error on a
line of its own, and that --force sends anyway and keeps the errors with the send.
"""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import IssueSection, Item, Send
from newsletter.editorial import get_issue
from newsletter.editorial.preview import preview_issue
from newsletter.errors import ContentError
from newsletter.sending import schedule_issue
from tests.cli import cli_env, ok, run_cli
from tests.conftest import make_settings
from tests.factories import issue_data, item


def findings(tmp_path: Path, url: str, issue_id: str, level: str) -> list[str]:
    """What the pre-flight checks say about the issue, at ``level``."""
    settings = make_settings(tmp_path, database_url=url)
    with transaction(url) as session:
        shown = preview_issue(get_issue(session=session, issue_id=int(issue_id)), settings)
    return [f.message for f in shown.findings if f.level == level]


def setup(tmp_path: Path, **issue_fields) -> tuple[dict[str, str], str, str]:
    """Two confirmed people on `weekly` and an imported issue: (env, database URL, issue id)."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    env = cli_env(tmp_path, database_url=url, outbox_dir=tmp_path / "outbox")
    env["COLUMNS"] = "200"
    (tmp_path / "people.csv").write_text("email,name\nana@example.org,Ana\nben@example.org,Ben\n")
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(issue_data(2, **issue_fields), allow_unicode=True))
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", "people.csv", "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    issue_id = ok(run_cli("issue", "import", "brief.yaml", cwd=tmp_path, env=env)).strip()
    return env, url, issue_id


BROKEN = {"intro": "Hello *|FNAME|*, the week in brief.",
          "items": [item(1, headline="A story for {{ name }}"), item(2)]}


def sent_messages(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "outbox").glob("send-*/*.eml"))


def test_send_refuses_an_issue_with_errors_and_names_each(tmp_path):
    env, url, issue_id = setup(tmp_path, **BROKEN)
    errors = findings(tmp_path, url, issue_id, "error")
    assert len(errors) >= 2  # the intro's merge tag and the headline's template field

    refused = run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env)

    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    lines = [line.strip(" -") for line in refused.stderr.splitlines()]
    for error in errors:
        assert error in lines, f"{error!r} is not on a line of its own in:\n{refused.stderr}"
    assert "--force" in refused.stderr
    assert sent_messages(tmp_path) == []
    with transaction(url) as session:
        assert session.scalars(select(Send)).all() == []


def test_send_force_sends_anyway_and_keeps_the_errors_with_the_send(tmp_path):
    env, url, issue_id = setup(tmp_path, **BROKEN)
    errors = findings(tmp_path, url, issue_id, "error")

    sent = run_cli("send", issue_id, "--list", "weekly", "--force", cwd=tmp_path, env=env)

    assert "2 accepted" in ok(sent)
    assert len(sent_messages(tmp_path)) == 2
    for error in errors:
        assert error in sent.stderr
    with transaction(url) as session:
        assert session.scalars(select(Send.forced_errors)).one().splitlines() == errors
    status = ok(run_cli("sends", "status", "1", cwd=tmp_path, env=env))
    for error in errors:
        assert error in status


def test_a_send_that_passes_records_no_forced_errors_and_prints_the_warnings(tmp_path):
    env, url, issue_id = setup(tmp_path, items=[item(1, url="http://example.org/plain"), item(2)])
    warnings = findings(tmp_path, url, issue_id, "warning")
    assert warnings and not findings(tmp_path, url, issue_id, "error")

    sent = run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env)

    assert "2 accepted" in ok(sent)
    for warning in warnings:
        assert f"warning: {warning}" in sent.stderr.splitlines()
    with transaction(url) as session:
        assert session.scalars(select(Send.forced_errors)).one() is None


def test_a_scheduled_send_is_checked_too(tmp_path):
    env, _, issue_id = setup(tmp_path, **BROKEN)
    refused = run_cli("send", issue_id, "--list", "weekly", "--at", "2099-12-04 08:00", cwd=tmp_path, env=env)
    assert refused.returncode == 1 and "--force" in refused.stderr
    forced = run_cli("send", issue_id, "--list", "weekly", "--at", "2099-12-04 08:00", "--force",
                     cwd=tmp_path, env=env)
    assert "scheduled for 2099-12-04 08:00" in ok(forced)


def test_send_test_shows_errors_and_warnings_and_still_sends_the_test(tmp_path):
    env, url, issue_id = setup(tmp_path, intro="Hello *|FNAME|*",
                               items=[item(1, url="http://example.org/plain"), item(2)])
    errors, warnings = findings(tmp_path, url, issue_id, "error"), findings(tmp_path, url, issue_id, "warning")
    assert errors and warnings

    tried = run_cli("send-test", issue_id, "--to", "me@example.org", cwd=tmp_path, env=env)

    assert "sent to me@example.org" in ok(tried)
    stderr = tried.stderr.splitlines()
    for error in errors:
        assert f"error: {error}" in stderr
    for warning in warnings:
        assert f"warning: {warning}" in stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_newsrooms_schedule_refuses_an_approved_issue_broken_since(tmp_path, database_url):
    """An item edited in the inbox after its issue was approved: the web's way in checks too."""
    settings = make_settings(tmp_path, database_url=database_url)
    env = cli_env(tmp_path, database_url=database_url)
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(issue_data(2), allow_unicode=True))
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    issue_id = int(ok(run_cli("issue", "import", "brief.yaml", cwd=tmp_path, env=env)))
    with transaction(database_url) as session:
        get_issue(session=session, issue_id=issue_id).status = "ready"
        session.execute(update(Item).where(Item.headline == "Headline number 1").values(blurb="Dear *|FNAME|*"))
    with pytest.raises(ContentError) as refused, transaction(database_url) as session:
        schedule_issue(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"], at=None,
                       timezone="UTC")
    assert "*|FNAME|*" in str(refused.value)


def test_force_cannot_send_an_issue_with_nothing_in_it(tmp_path):
    """An empty section cannot be rendered at all: refused as content, not as a configuration error."""
    env, url, issue_id = setup(tmp_path)
    with transaction(url) as session:
        session.add(IssueSection(issue_id=int(issue_id), position=1, title="Later"))
    errors = findings(tmp_path, url, issue_id, "error")

    refused = run_cli("send", issue_id, "--list", "weekly", "--force", cwd=tmp_path, env=env)

    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: ") and "configuration" not in refused.stderr, refused.stderr
    for error in errors:
        assert error in refused.stderr
    assert sent_messages(tmp_path) == []
