"""`newsletter sends list` fits an 80-column terminal without cutting off what matters."""

import re

import yaml

from tests.cli import cli_env, ok, run_cli
from tests.factories import issue_data


def test_sends_list_fits_80_columns(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'news.db'}", outbox_dir=tmp_path / "outbox")
    env["COLUMNS"] = "80"
    (tmp_path / "people.csv").write_text("email\n" + "".join(f"p{n}@example.org\n" for n in range(12)))
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(issue_data(2, title="The Weekly Brief of the Network")))
    for name in ("weekly", "weekly-es"):
        ok(run_cli("lists", "create", name, cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "import", "people.csv", "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    first = ok(run_cli("issue", "import", "brief.yaml", cwd=tmp_path, env=env)).strip()
    second = ok(run_cli("issue", "import", "brief.yaml", cwd=tmp_path, env=env)).strip()
    ok(run_cli("send", first, "--list", "weekly", "--list", "weekly-es", cwd=tmp_path, env=env))
    ok(run_cli("send", second, "--list", "weekly", "--at", "2099-12-04 08:00", "--tz", "America/Argentina/Buenos_Aires",
               cwd=tmp_path, env=env))

    listed = ok(run_cli("sends", "list", cwd=tmp_path, env=env))

    lines = listed.splitlines()
    assert max(len(line) for line in lines) <= 80, listed
    assert "…" not in listed and "..." not in listed, listed
    words = set(re.findall(r"[\w/:.-]+", listed))
    assert {"1", "2", "sent", "scheduled", "12"} <= words, listed  # ids, statuses, recipients
    # Each time is there whole, if over two lines: its date, its hour and its zone.
    assert {"2099-12-04", "08:00", "America/Argentina/Buenos_Aires"} <= words, listed
