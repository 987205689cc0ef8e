"""A test send of a language edition: the editor reads the Spanish edition as a Spanish reader
will get it (the API's is in tests/web/test_api_test_send.py); an edition the issue does not
have is refused with the ones it has."""

import email
from email import policy

import pytest

from newsletter.content.models import IssueContent
from newsletter.db import transaction
from newsletter.editorial import save_issue
from newsletter.errors import ContentError
from newsletter.providers import FileProvider
from newsletter.sending.transactional import prepare_test, send_test
from tests.conftest import make_settings
from tests.editions.helpers import two_edition_data

def message_of(settings, outbox, issue_id, edition):
    """The test message of ``edition`` of the issue, as the file provider wrote it in ``outbox``."""
    with transaction(settings.database_url) as session:
        proof = prepare_test(session=session, settings=settings, issue_id=issue_id, to="Me@Example.org",
                             checked=False, edition=edition)
    send_test(settings=settings, provider=FileProvider(outbox), message=proof)
    [path] = outbox.rglob("*.eml")
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_a_test_of_each_edition_reads_as_its_readers_get_it(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url)
    with transaction(database_url) as session:
        issue_id = save_issue(session=session, content=IssueContent.model_validate(two_edition_data(2))).id
    spanish = message_of(settings, tmp_path / "es", issue_id, "es")
    assert spanish["Subject"] == "[Test] El Informe: 29 de diciembre"
    text = spanish.get_body(("plain",)).get_content()
    assert "Hola, lector:" in text and "Titular 1" in text and "/archive/2023-12-29-the-weekly-brief/es" in text
    assert '<html lang="es"' in spanish.get_body(("html",)).get_content()
    main = message_of(settings, tmp_path / "main", issue_id, None)
    assert main["Subject"] == "[Test] The Weekly Brief: 29 December 2023"
    assert "Hi there," in main.get_body(("plain",)).get_content()
    assert message_of(settings, tmp_path / "en", issue_id, "en")["Subject"] == main["Subject"]  # the main language by name
    with pytest.raises(ContentError, match=r"no 'fr' edition \(it has: en, es\)"), \
            transaction(database_url) as session:
        prepare_test(session=session, settings=settings, issue_id=issue_id, to="me@example.org", edition="fr")
