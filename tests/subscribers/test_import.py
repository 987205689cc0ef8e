import csv

import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Subscriber, Subscription
from newsletter.errors import ImportFileError, NotFoundError
from newsletter.subscribers import create_list, import_subscribers, list_counts
from newsletter.subscribers.importer import CHUNK_ROWS

NASTY = (
    "\ufeffEmail;Name;Language;Company\r\n"                       # BOM, semicolons, capitalised header
    "ana@example.org;Ana Lima;pt-BR;\"Direitos; Já\"\r\n"         # line 2: quoted delimiter
    "not-an-address;Bad;en;\r\n"                                   # line 3: invalid
    ";No Email;en;\r\n"                                            # line 4: missing email
    "ANA@Example.org;Ana Again;pt;\r\n"                            # line 5: duplicate in another case
    "\r\n"                                                         # line 6: blank, not a row
    "ben@example.org;\"Ben\r\nMultiline\";en;\r\n"                # line 7-8: a name with a line break
    "chen@example.org;陈伟;zh;Org\r\n"                             # line 9: valid, CJK
    f"long@example.org;{'x' * 201};en;\r\n"                        # line 10: over-long name
    "dora@example.org;Dora;english;\r\n"                           # line 11: bad language code
    "eve@example.org;Eve;en;Org;extra\r\n"                         # line 12: too many fields
    "fay@example.org;Fay\x07;en;\r\n"                              # line 13: control character
    "\"gil@example.org\";\"Gil \"\"G\"\" Ray\";;\r\n"              # line 14: valid, escaped quotes
)


def write(tmp_path, text, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.fixture
def weekly(database_url):
    with transaction(database_url) as session:
        create_list(session=session, name="weekly")
    return "weekly"


def subscriptions(database_url):
    with transaction(database_url) as session:
        rows = session.execute(
            select(Subscriber.email, Subscriber.name, Subscription.status)
            .join(Subscription, Subscription.subscriber_id == Subscriber.id)
            .order_by(Subscriber.email)
        )
        return [tuple(r) for r in rows]


def test_nasty_file_reports_every_bad_row_by_line_and_keeps_the_good(database_url, weekly, tmp_path):
    rejects = tmp_path / "rejects.csv"
    report = import_subscribers(database_url=database_url, path=write(tmp_path, NASTY), list_name=weekly,
                                confirmed=True, rejects_path=rejects)
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 7, 10, 11, 12, 13]
    assert "@-sign" in reasons[3]
    assert reasons[4] == "email is missing"
    assert reasons[5] == "duplicate of line 2"
    assert "single line" in reasons[7]
    assert "longer than 200" in reasons[10]
    assert "language 'english'" in reasons[11]
    assert "5 fields but the header has 4" in reasons[12]
    assert "control characters" in reasons[13]
    assert (report.rows, report.accepted, report.rejected_count) == (11, 3, 8)
    assert subscriptions(database_url) == [
        ("ana@example.org", "Ana Lima", "confirmed"),
        ("chen@example.org", "陈伟", "confirmed"),
        ("gil@example.org", 'Gil "G" Ray', "confirmed"),
    ]
    with rejects.open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in written] == [3, 4, 5, 7, 10, 11, 12, 13]


def test_other_columns_become_attributes(database_url, weekly, tmp_path):
    path = write(tmp_path, "email,name,city,empty\nana@example.org,Ana,Lisbon,\n")
    import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    with transaction(database_url) as session:
        subscriber = session.scalar(select(Subscriber))
    assert (subscriber.language, subscriber.attributes) == (None, {"city": "Lisbon"})


def test_reimporting_the_same_file_changes_nothing(database_url, weekly, tmp_path):
    path = write(tmp_path, NASTY)
    import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    before = subscriptions(database_url)
    again = import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    assert (again.new_subscribers, again.new_subscriptions, again.confirmed) == (0, 0, 0)
    assert subscriptions(database_url) == before


def test_import_never_resubscribes_the_unsubscribed_or_suppressed(database_url, weekly, tmp_path):
    path = write(tmp_path, "email\nleft@example.org\nbounced@example.org\n")
    import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    with transaction(database_url) as session:
        left = session.scalar(select(Subscription).join(Subscriber).where(Subscriber.email == "left@example.org"))
        left.status = "unsubscribed"
        bounced = session.scalar(select(Subscriber).where(Subscriber.email == "bounced@example.org"))
        bounced.status = "bounced"
    import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    assert subscriptions(database_url) == [
        ("bounced@example.org", None, "confirmed"),
        ("left@example.org", None, "unsubscribed"),
    ]
    with transaction(database_url) as session:
        assert session.scalar(select(Subscriber.status).where(Subscriber.email == "bounced@example.org")) == "bounced"
        [counts] = list_counts(session=session)
    assert (counts.confirmed, counts.unsubscribed, counts.suppressed) == (0, 1, 1)


def test_without_confirmed_people_are_pending_and_a_confirmed_import_confirms_them(database_url, weekly, tmp_path):
    path = write(tmp_path, "email\nana@example.org\n")
    import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=False)
    assert subscriptions(database_url) == [("ana@example.org", None, "pending")]
    report = import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    assert report.confirmed == 1
    assert subscriptions(database_url) == [("ana@example.org", None, "confirmed")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("name,language\nAna,en\n", "has no 'email' column"),
        ("email,Email\na@example.org,b@example.org\n", "repeats column(s): email"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(database_url, weekly, tmp_path, content, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_subscribers(database_url=database_url, path=write(tmp_path, content), list_name=weekly, confirmed=True)


def test_a_file_that_is_not_utf8_keeps_the_rows_before_the_bad_byte(database_url, weekly, tmp_path):
    path = tmp_path / "latin1.csv"
    good = "".join(f"person{n}@example.org\n" for n in range(CHUNK_ROWS + 500))
    path.write_bytes(b"email\n" + good.encode() + "zoë@example.org\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8"):
        import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)
    assert len(subscriptions(database_url)) == CHUNK_ROWS  # the first full chunk went in


def test_a_header_that_is_not_utf8_is_a_clear_error(database_url, weekly, tmp_path):
    path = tmp_path / "latin1-header.csv"
    path.write_bytes("email,société\na@example.org,x\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="not UTF-8 text \\(after line 0\\)"):
        import_subscribers(database_url=database_url, path=path, list_name=weekly, confirmed=True)


def test_unknown_list_is_a_clear_error(database_url, tmp_path):
    with pytest.raises(NotFoundError, match="newsletter lists create weekly"):
        import_subscribers(database_url=database_url, path=write(tmp_path, "email\n"), list_name="weekly", confirmed=True)
