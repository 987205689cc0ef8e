"""A list's description (the subscribe page's pitch) and whether it is public, set by admins
from the command line or by the service the list page calls."""

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import MailingList
from newsletter.errors import ContentError
from newsletter.subscribers import create_list, update_list
from tests.cli import cli_env, ok, run_cli


def stored(url, name):
    with transaction(url) as session:
        found = session.scalar(select(MailingList).where(MailingList.name == name))
        return found.title, found.description, found.public


def test_lists_create_takes_a_description_and_private(tmp_path, database_url):
    env = cli_env(tmp_path, database_url=database_url)
    ok(run_cli("lists", "create", "donors", "--title", "Donor news", "--description",
               "Twice a year.\n\nWhat your gifts did.", "--private", cwd=tmp_path, env=env))
    ok(run_cli("lists", "create", "weekly", cwd=tmp_path, env=env))
    assert stored(database_url, "donors") == ("Donor news", "Twice a year.\n\nWhat your gifts did.", False)
    assert stored(database_url, "weekly") == (None, None, True)

    refused = run_cli("lists", "create", "bad", "--description", "a\x07b", cwd=tmp_path, env=env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "the list's description must not contain control characters" in refused.stdout + refused.stderr


def test_update_list_sets_title_description_and_public(database_url):
    with transaction(database_url) as session:
        create_list(session=session, name="weekly", title="Weekly")
    with transaction(database_url) as session:
        update_list(session=session, name="weekly", title="The Weekly Brief",
                    description="  Stories you may have missed.  ", public=False)
    assert stored(database_url, "weekly") == ("The Weekly Brief", "Stories you may have missed.", False)
    with transaction(database_url) as session:
        update_list(session=session, name="weekly", title="", description=" ", public=True)
    assert stored(database_url, "weekly") == (None, None, True)
    with transaction(database_url) as session, pytest.raises(ContentError, match="at most 2000 characters"):
        update_list(session=session, name="weekly", title=None, description="x" * 2001, public=True)
