"""`newsletter lists tracking` shows and switches a list's click and open tracking; `lists list`
shows it, as a user meets them (the installed command)."""

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
    assert "opens" in ok(run_cli("lists", "list", cwd=tmp_path, env=env)).splitlines()[-2]
    refused = run_cli("lists", "tracking", "nope", "--opens", cwd=tmp_path, env=env)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr and "nope" in refused.stderr
