"""The preferences page offers the languages the service speaks: the phrase catalogue's, those
of every edition it has sent (Hebrew, Persian, Urdu...) and the subscriber's own, each named
in itself; a language outside them is refused with a 400."""

import lxml.html
import pytest
from sqlalchemy import select, update

from newsletter.db import transaction
from newsletter.db.models import Subscriber
from newsletter.subscribers.membership import add_subscriber
from newsletter.tokens import Purpose, make_token
from tests.factories import issue_data
from tests.web.test_edition_archive import sent_issue

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CATALOGUE_NAMES = ["Deutsch", "English", "Español", "Français", "Português", "العربية"]


def preferences_url(server, language):
    with transaction(server.settings.database_url) as session:
        add_subscriber(session=session, email="ana@example.org", name="Ana", list_name="weekly", confirmed=True)
        session.execute(update(Subscriber).values(language=language))
        subscriber_id = session.scalar(select(Subscriber.id))
    return f"/preferences/{make_token(server.settings.secret_key, Purpose.PREFERENCES, subscriber_id)}"


def offered(server, url):
    page = lxml.html.document_fromstring(server.client.get(url).text)
    options = page.xpath("//select[@name='language']/option")
    return [(o.get("value"), o.text) for o in options], page.xpath("//option[@selected]/@value")


def saved_language(server):
    with transaction(server.settings.database_url) as session:
        return session.scalar(select(Subscriber.language))


@SQLITE
def test_the_languages_offered_are_the_catalogue_s_the_editions_sent_and_the_subscriber_s_own(live_server):
    url = preferences_url(live_server, "zh")
    options, selected = offered(live_server, url)
    assert [name for _, name in options] == ["No preference", *CATALOGUE_NAMES, "中文"]
    assert selected == ["zh"]  # their own language stays theirs, though nothing is sent in it
    assert live_server.client.post(url, data={"name": "Ana", "language": "he"}).status_code == 400
    assert live_server.client.post(url, data={"name": "Ana", "language": "zh"}).status_code == 200

    sent_issue(live_server.settings, issue_data(1, editions=["he", "fa", "ur"]))
    options, _ = offered(live_server, url)
    assert {("he", "עברית"), ("fa", "فارسی"), ("ur", "اردو")} <= set(options)
    page = lxml.html.document_fromstring(live_server.client.get(url).text)
    assert page.xpath("//option[@value='fa']/@lang") == ["fa"]
    saved = live_server.client.post(url, data={"name": "Ana", "language": "fa"})
    assert saved.status_code == 200 and "Your preferences are saved." in saved.text
    assert saved_language(live_server) == "fa"
    options, _ = offered(live_server, url)
    assert "zh" not in dict(options)  # no longer theirs, and nothing went out in it
    refused = live_server.client.post(url, data={"name": "Ana", "language": "zh"})
    assert refused.status_code == 400 and "Choose a language from the list." in refused.text
    assert saved_language(live_server) == "fa"
