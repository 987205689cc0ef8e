"""`newsletter lists tracking` switches a list's click and open tracking, and refuses an unknown
list in a line, as a user meets it (the installed command: each run costs a second or more)."""

from newsletter.db import transaction
from newsletter.db.schema import upgrade_database
from newsletter.subscribers import create_list, get_list
from tests.cli import cli_env, ok, run_cli


def test_a_lists_tracking_is_shown_and_switched(tmp_path):
    url = f"sqlite:///{tmp_path / 'news.db'}"
    upgrade_database(url)
    with transaction(url) as session:
        create_list(session=session, name="weekly")
    env = cli_env(tmp_path, database_url=url)
    switched = ok(run_cli("lists", "tracking", "weekly", "--opens", "--no-clicks", cwd=tmp_path, env=env))
    assert switched.strip() == "weekly tracks opens"
    with transaction(url) as session:
        found = get_list(session=session, name="weekly")
        assert (found.track_clicks, found.track_opens) == (False, True)
    refused = run_cli("lists", "tracking", "nope", "--opens", cwd=tmp_path, env=env)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr and "nope" in refused.stderr
