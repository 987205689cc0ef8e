"""`newsletter items ...` and `newsletter feeds ...` as a user runs them, against a real local
server of pages and feeds."""

import json

import pytest

from tests.cli import cli_env, ok, run_cli
from tests.cli_tests.test_usage_errors import usage_error
from tests.intake.feeds import RSS
from tests.intake.pasted import NEWSLETTER
from tests.intake.test_links import OPENGRAPH
from tests.web.test_intake_http import site  # noqa: F401 - the local site of pages and feeds


@pytest.fixture
def env(tmp_path):
    return cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}", fetch_allow_private="true")


def test_add_a_url_import_pasted_text_and_list_the_inbox(site, tmp_path, env):
    added = json.loads(ok(run_cli("items", "add-url", site.add("/story", OPENGRAPH), "--tag", "courts", "--json",
                                  cwd=tmp_path, env=env)))
    assert (added["headline"], added["author"], added["tags"]) == ("Activists detained & released", "Ana López",
                                                                    ["courts"])
    (tmp_path / "pasted.txt").write_text(NEWSLETTER)
    imported = json.loads(ok(run_cli("items", "import-text", "pasted.txt", "--yes", "--json", cwd=tmp_path,
                                     env=env)))
    assert [i["url"] for i in imported] == ["https://partner.example/news/court", "", "https://policy.example/law"]
    inbox = json.loads(ok(run_cli("items", "list", "--json", cwd=tmp_path, env=env)))
    assert [i["id"] for i in inbox] == [4, 3, 2, 1]  # newest first
    assert set(inbox[0]) >= {"headline", "blurb", "url", "source", "author", "image", "published", "language",
                             "tags", "id"}


def test_add_poll_and_list_feeds(site, tmp_path, env):
    url = site.add("/rss", RSS, content_type="application/rss+xml")
    assert "added feed 1: Partner" in ok(run_cli("feeds", "add", url, "--name", "Partner", "--tag", "ngo",
                                                 cwd=tmp_path, env=env))
    polled = ok(run_cli("feeds", "poll", cwd=tmp_path, env=env))
    assert "Partner: 2 new" in polled and "polled 1 feed, 2 new items" in polled


def test_usage_mistakes_are_one_line_and_exit_2(tmp_path, env):
    assert "--every" in usage_error(run_cli("feeds", "add", "https://x.example/feed", "--name", "X", "--every", "1",
                                            cwd=tmp_path, env=env), hint="newsletter feeds add")
