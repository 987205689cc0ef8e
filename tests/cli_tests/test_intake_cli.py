"""`newsletter items ...` and `newsletter feeds ...` as a user runs them, against a real local
server of pages and feeds."""

import json

import pytest

from tests.cli import cli_env, ok, run_cli
from tests.cli_tests.test_usage_errors import usage_error
from tests.intake.feeds import RSS, WITHOUT_LINKS, rss
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


def test_list_poll_all_and_remove_feeds(site, tmp_path, env):  # noqa: F811
    ok(run_cli("feeds", "add", site.add("/rss", RSS, content_type="application/rss+xml", etag='"v1"'),
               "--name", "Partner", "--tag", "ngo", cwd=tmp_path, env=env))
    ok(run_cli("feeds", "add", site.add("/s", WITHOUT_LINKS, content_type="text/xml"), "--name", "Statements",
               cwd=tmp_path, env=env))
    listed = ok(run_cli("feeds", "list", cwd=tmp_path, env=env))
    assert "Partner" in listed and "Statements" in listed and "ngo" in listed and listed.count("never") == 2
    polled = ok(run_cli("feeds", "poll", "--all", cwd=tmp_path, env=env))
    assert "Partner: 2 new" in polled and "Statements: 2 new (1 without a link" in polled
    assert "polled 2 feeds, 4 new items" in polled
    again = ok(run_cli("feeds", "poll", "--all", cwd=tmp_path, env=env))
    assert "Partner: unchanged" in again and "Statements: 0 new" in again and site.conditional["/rss"] == 1
    assert "never" not in ok(run_cli("feeds", "list", cwd=tmp_path, env=env))
    assert "removed feed 1: Partner" in ok(run_cli("feeds", "remove", "1", cwd=tmp_path, env=env))
    listed = ok(run_cli("feeds", "list", cwd=tmp_path, env=env))
    assert "Partner" not in listed and "Statements" in listed
    gone = run_cli("feeds", "remove", "1", cwd=tmp_path, env=env)
    assert gone.returncode == 1 and "there is no feed 1" in gone.stderr
    assert "polled 1 feed," in ok(run_cli("feeds", "poll", "--all", cwd=tmp_path, env=env))


def test_the_inbox_list_says_when_it_shows_only_the_newest(site, tmp_path, env):  # noqa: F811
    entries = [(f"Story {n}", f"https://many.example/{n}") for n in range(5)]
    ok(run_cli("feeds", "add", site.add("/many", rss("Many", entries), content_type="text/xml"), "--name", "Many",
               cwd=tmp_path, env=env))
    ok(run_cli("feeds", "poll", cwd=tmp_path, env=env))
    shown = run_cli("items", "list", "--json", "--limit", "3", cwd=tmp_path, env=env)
    assert len(json.loads(ok(shown))) == 3 and "showing the newest 3 items; the inbox has more" in shown.stderr
    every = run_cli("items", "list", "--limit", "5", cwd=tmp_path, env=env)
    assert "Story 4" in ok(every) and "Story 0" in every.stdout and every.stderr == ""


def test_a_link_already_in_the_inbox_is_saved_with_a_note_on_stderr(site, tmp_path, env):  # noqa: F811
    url = site.add("/story", OPENGRAPH)
    ok(run_cli("items", "add-url", url, cwd=tmp_path, env=env))
    again = run_cli("items", "add-url", url, cwd=tmp_path, env=env)
    assert "#2 Activists detained & released" in ok(again)
    assert again.stderr.strip() == "note: already in the inbox: “Activists detained & released”; saved as #2 all the same"
    as_json = run_cli("items", "add-url", url, "--json", cwd=tmp_path, env=env)
    assert json.loads(ok(as_json))["note"].startswith("already in the inbox") and "note:" in as_json.stderr


def test_usage_mistakes_are_one_line_and_exit_2(tmp_path, env):
    assert "--every" in usage_error(run_cli("feeds", "add", "https://x.example/feed", "--name", "X", "--every", "1",
                                            cwd=tmp_path, env=env), hint="newsletter feeds add")
