import email
from email import policy
from email.utils import parseaddr, parsedate_to_datetime

import pytest

from newsletter.errors import HeaderInjectionError
from newsletter.providers.mime import MimeBuilder
from tests.providers.helpers import outgoing_batch, recipient


def parse(data: bytes):
    message = email.message_from_bytes(data, policy=policy.default)
    assert message.defects == []
    return message


def test_message_is_multipart_alternative_with_text_first(settings):
    batch = outgoing_batch(settings, [recipient(1)])
    message = parse(MimeBuilder(batch).build(batch.recipients[0]))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(p.defects == [] for p in parts)


def test_headers_round_trip(settings):
    batch = outgoing_batch(settings, [recipient(7)], reply_to="editors@example.org",
                           list_unsubscribe_mailto="unsubscribe@example.org")
    message = parse(MimeBuilder(batch).build(batch.recipients[0]))
    assert message["Subject"] == "Brief: ünïcode — a subject long enough to be folded over lines"
    assert parseaddr(message["From"]) == ("The Weekly Brief", "brief@example.org")
    assert parseaddr(message["To"]) == ("Zoë Müller", "reader7@example.org")
    assert message["Reply-To"] == "editors@example.org"
    assert message["Message-ID"] == "<1.7.abc@example.org>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["MIME-Version"] == "1.0"
    assert message["List-Unsubscribe"] == (
        "<https://news.example.org/unsubscribe/token-7>, <mailto:unsubscribe@example.org?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_bodies_decode_to_exactly_the_personalised_documents(settings):
    batch = outgoing_batch(settings, [recipient(n, name=name) for n, name in enumerate(["Ana", "<b>&", None, "李小龙"])])
    builder = MimeBuilder(batch)
    for r in batch.recipients:
        message = parse(builder.build(r))
        text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert text == batch.text.fill(r.fields)
        assert html == batch.html.fill(r.fields).replace("\r\n", "\n")


def test_lines_are_crlf_and_within_limits(settings):
    batch = outgoing_batch(settings, [recipient(1, name="A " * 40)])
    data = MimeBuilder(batch).build(batch.recipients[0])
    assert b"\n" not in data.replace(b"\r\n", b"")
    header_block, _, body = data.partition(b"\r\n\r\n")
    assert max(len(line) for line in header_block.split(b"\r\n")) <= 998
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable's limit
    assert data.isascii()


def test_ascii_name_with_specials_is_quoted(settings):
    batch = outgoing_batch(settings, [recipient(1, name='Smith, "Jo"')])
    message = parse(MimeBuilder(batch).build(batch.recipients[0]))
    assert parseaddr(message["To"]) == ('Smith, "Jo"', "reader1@example.org")


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Hello\r\nBcc: everyone@example.org"},
        {"from_name": "Brief\nBcc: x@example.org"},
        {"reply_to": "a@example.org\r\nX-Evil: 1"},
    ],
)
def test_line_breaks_in_batch_headers_are_refused(settings, overrides):
    batch = outgoing_batch(settings, [recipient(1)], **overrides)
    with pytest.raises(HeaderInjectionError):
        MimeBuilder(batch)


def test_line_breaks_in_recipient_headers_are_refused(settings):
    batch = outgoing_batch(settings, [recipient(1, name="Ana\r\nBcc: x@example.org")])
    with pytest.raises(HeaderInjectionError):
        MimeBuilder(batch).build(batch.recipients[0])


def test_boundary_differs_per_batch_and_never_appears_in_bodies(settings):
    batch = outgoing_batch(settings, [recipient(1)])
    first, second = MimeBuilder(batch), MimeBuilder(batch)
    assert first.boundary != second.boundary
    data = first.build(batch.recipients[0])
    assert data.count(first.boundary.encode()) == 4  # header, two part openings, the close
