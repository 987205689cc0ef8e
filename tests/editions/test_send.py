"""One send of an issue in English and Spanish: each reader gets the edition of their language
(or the main one), once, through the file provider's real outbox."""

import email
import re
from email import policy

import pytest
from sqlalchemy import select

from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.db.models import Batch, Delivery, SendLink, Subscriber
from newsletter.editorial import save_issue
from newsletter.providers import FileProvider
from newsletter.sending import create_send, freeze_send, pending_batch_ids, send_batch
from newsletter.subscribers import create_list, get_list
from newsletter.subscribers.consent import update_preferences
from tests.conftest import make_settings
from tests.editions.helpers import two_edition_data
from tests.sending.helpers import add_people

READERS = {"en@example.org": "en", "none@example.org": None, "es@example.org": "es", "mx@example.org": "es-MX",
           "upper@example.org": "ES", "de@example.org": "de", "pt@example.org": "pt-BR"}
SPANISH = {"es@example.org", "mx@example.org", "upper@example.org"}


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url=database_url, batch_size=2)


def send_all(settings, issue_id, outbox):
    """Create, freeze and send a send of the issue: {address: the message they got} (each once)."""
    with transaction(settings.database_url) as session:
        send_id = create_send(session=session, settings=settings, issue_id=issue_id, list_names=["weekly"]).id
    freeze_send(settings=settings, send_id=send_id)
    with transaction(settings.database_url) as session:
        batch_ids = pending_batch_ids(session=session, send_id=send_id)
    for batch_id in batch_ids:
        send_batch(settings=settings, provider=FileProvider(outbox), batch_id=batch_id)
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted((outbox / f"send-{send_id}").glob("*.eml"))]
    by_reader = {message["To"].addresses[0].addr_spec: message for message in messages}
    assert len(by_reader) == len(messages) == len(READERS)
    return send_id, by_reader


def test_each_reader_gets_the_edition_of_their_language_once(settings, tmp_path):
    url = settings.database_url
    with transaction(url) as session:
        create_list(session=session, name="weekly")
        issue_id = save_issue(session=session, content=IssueContent.model_validate(two_edition_data(3))).id
    add_people(url, "weekly", list(READERS))
    with transaction(url) as session:
        for subscriber in session.scalars(select(Subscriber)):
            subscriber.language = READERS[subscriber.email]

    send_id, got = send_all(settings, issue_id, tmp_path / "box")

    for reader, message in got.items():
        html, text = message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()
        if reader in SPANISH:
            assert message["Subject"] == "El Informe: 29 de diciembre"
            assert '<html lang="es"' in html and "Hola, lector:" in text and "Titular 1" in text
            assert "/archive/2023-12-29-the-weekly-brief/es" in text
        else:  # English, no language, or a language with no edition (de, pt-BR): the main edition
            assert message["Subject"] == "The Weekly Brief: 29 December 2023"
            assert '<html lang="en"' in html and "Hi there," in text and "Titular" not in text
    with transaction(url) as session:
        editions = dict(session.execute(select(Delivery.email, Delivery.edition).where(Delivery.send_id == send_id)).all())
        batches = session.execute(select(Delivery.batch_number, Delivery.edition).where(Delivery.send_id == send_id)
                                  .distinct()).all()
        sizes = sorted(session.scalars(select(Batch.size).where(Batch.send_id == send_id)))
        links = dict(session.execute(select(SendLink.link_id, SendLink.url).where(SendLink.send_id == send_id)).all())
    # Each edition's links are tracked, and each edition's email leads to its own.
    assert set(links.values()) == {f"https://example.org/news/{n}" for n in (1, 2, 3)} | {
        f"https://example.org/es/news/{n}" for n in (1, 2)}
    for reader, expected in (("es@example.org", {"es/news/1", "es/news/2", "news/3"}),
                             ("de@example.org", {"news/1", "news/2", "news/3"})):
        html = got[reader].get_body(("html",)).get_content()
        numbers = {int(n) for n in re.findall(rf"/c/{send_id}/(\d+)/", html)}
        assert {links[n].removeprefix("https://example.org/") for n in numbers} == expected

    # A reader who changes their language on the preferences page gets that edition next time.
    with transaction(url) as session:
        subscriber = session.scalar(select(Subscriber).where(Subscriber.email == "de@example.org"))
        update_preferences(session=session, subscriber_id=subscriber.id, name="Dora", language="es",
                           list_ids={get_list(session=session, name="weekly").id})
    _, again = send_all(settings, issue_id, tmp_path / "box")
    assert again["de@example.org"]["Subject"] == "El Informe: 29 de diciembre"
    assert "Hola, Dora:" in again["de@example.org"].get_body(("plain",)).get_content()
