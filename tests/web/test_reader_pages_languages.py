"""A reader's own pages (the unsubscribe page, "you are unsubscribed", the preferences page)
speak their preferred language as the catalogue has it (es-MX reads es; another, English),
with the page's lang and direction; list titles show as stored."""

import lxml.html
import pytest
from sqlalchemy import select, update

from newsletter.content.phrases import catalogue_language, site_phrases
from newsletter.content.site_words import SITE_WORDS
from newsletter.db import transaction
from newsletter.db.models import Subscriber, Subscription
from newsletter.subscribers.membership import add_subscriber
from newsletter.tokens import Purpose, make_token

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ONE_CLICK = {"content": "List-Unsubscribe=One-Click",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
# The site's words in English (up to any value), which a reader of another language must not meet.
ENGLISH = [words.split("{")[0] for words in SITE_WORDS["en"].values()]


def reader(server, language):
    """Ana, of ``language``, on the weekly list: (her unsubscribe URL, her preferences URL)."""
    with transaction(server.settings.database_url) as session:
        add_subscriber(session=session, email="ana@example.org", name="Ana", list_name="weekly", confirmed=True)
        session.execute(update(Subscriber).values(language=language))
        subscriber_id, list_id = session.execute(select(Subscription.subscriber_id, Subscription.list_id)).one()
    secret = server.settings.secret_key
    return (f"/unsubscribe/{make_token(secret, Purpose.UNSUBSCRIBE, subscriber_id, list_id)}",
            f"/preferences/{make_token(secret, Purpose.PREFERENCES, subscriber_id)}")


def page(response):
    assert response.status_code in (200, 400), response.text
    return lxml.html.document_fromstring(response.text)


def text_of(doc, xpath):
    return [" ".join(node.text_content().split()) for node in doc.xpath(xpath)]


def the_three_pages(server, language):
    unsubscribe_url, preferences_url = reader(server, language)
    responses = (server.client.get(unsubscribe_url), server.client.post(unsubscribe_url, **ONE_CLICK),
                 server.client.get(preferences_url))
    return [page(response) for response in responses]


@SQLITE
def test_a_spanish_reader_s_pages_are_in_spanish(live_server):
    unsubscribe_url, preferences_url = reader(live_server, "es")
    asking = page(live_server.client.get(unsubscribe_url))
    assert asking.xpath("/html/@lang") == ["es"] and asking.xpath("/html/@dir") == ["ltr"]
    assert text_of(asking, "//h1") == ["Darse de baja"] and text_of(asking, "//title") == ["Darse de baja · The Weekly Brief"]
    assert text_of(asking, "//main//p[1]") == ["¿Dejar de recibir este boletín? El cambio es inmediato."]
    assert text_of(asking, "//form[@method='post']/button") == ["Darme de baja"]
    assert text_of(asking, "//main//a") == ["O gestiona tus preferencias"]
    assert asking.xpath("//main//a/@href") == [live_server.url + preferences_url]
    assert text_of(asking, "//footer//a") == ["Números anteriores", "Canal"]  # the whole archive's:
    assert asking.xpath("//footer//a/@href") == ["/archive", "/archive/feed.xml"]  # nothing went out in Spanish

    done = page(live_server.client.post(unsubscribe_url, **ONE_CLICK))
    assert done.xpath("/html/@lang") == ["es"]
    assert text_of(done, "//main/*") == ["Te has dado de baja", "Ya no recibirás The Weekly Brief.",
                                        "¿Has cambiado de opinión? Gestiona tus preferencias"]
    again = page(live_server.client.post(unsubscribe_url, **ONE_CLICK))  # still idempotent
    assert text_of(again, "//h1") == ["Te has dado de baja"]
    with transaction(live_server.settings.database_url) as session:
        assert session.scalar(select(Subscription.status)) == "unsubscribed"

    prefs = page(live_server.client.get(preferences_url))
    assert prefs.xpath("/html/@lang") == ["es"] and text_of(prefs, "//h1") == ["Tus preferencias"]
    assert text_of(prefs, "//p[@class='meta']") == ["Para ana@example.org"]
    assert text_of(prefs, "//label") == ["Nombre", "Idioma preferido", "El Resumen Semanal",
                                         "No registrar en qué hago clic ni qué abro"]
    assert text_of(prefs, "//div[@class='check'][span]") == ["The Weekly Brief: Volver a suscribirte"]  # left
    assert text_of(prefs, "//p[@class='hint']")[0].startswith("Para volver a suscribirte a una lista que dejaste")
    assert text_of(prefs, "//legend") == ["Listas", "Privacidad"]
    assert text_of(prefs, "//option")[0] == "Sin preferencia" and prefs.xpath("//option[@selected]/@value") == ["es"]
    assert text_of(prefs, "//form//button") == ["Guardar preferencias"]
    for doc in (asking, done, prefs):
        assert [words for words in ENGLISH if words in doc.text_content()] == []

    saved = page(live_server.client.post(preferences_url, data={"name": "Ana", "language": "es"}))
    assert text_of(saved, "//*[@role='status']") == ["Tus preferencias se han guardado."]
    refused = page(live_server.client.post(preferences_url, data={"name": "Ana", "language": "tlh"}))
    assert text_of(refused, "//*[@role='alert']") == ["Elige un idioma de la lista."]
    refused = page(live_server.client.post(preferences_url, data={"name": "Ana\nLima", "language": "es"}))
    assert text_of(refused, "//*[@role='alert']") == [site_phrases("es")["name_invalid"]]
    with transaction(live_server.settings.database_url) as session:
        assert session.scalar(select(Subscriber.name)) == "Ana"


def test_an_arabic_reader_s_pages_read_right_to_left(live_server):
    asking, done, prefs = the_three_pages(live_server, "ar")
    for doc in (asking, done, prefs):
        assert doc.xpath("/html/@lang") == ["ar"] and doc.xpath("/html/@dir") == ["rtl"]
    assert text_of(asking, "//h1") == ["إلغاء الاشتراك"] and text_of(done, "//h1") == ["أُلغي اشتراكك"]
    assert text_of(prefs, "//h1") == ["تفضيلاتك"] and text_of(prefs, "//footer//a")[0] == "الأعداد السابقة"
    # A list's title is as stored, whatever its language, and sets its own direction.
    assert prefs.xpath("//label[@for='list-2']/@dir") == prefs.xpath("//div[@class='check']/span/@dir") == ["auto"]


@SQLITE
@pytest.mark.parametrize(("preferred", "language"), [("es-MX", "es"), ("ES", "es"), ("pt-BR", "pt")])
def test_a_regional_language_reads_its_catalogue_language(live_server, preferred, language):
    for doc in the_three_pages(live_server, preferred):
        assert doc.xpath("/html/@lang") == [language] and doc.xpath("/html/@dir") == ["ltr"]
    assert text_of(doc, "//h1") == [site_phrases(language)["your_preferences"]]


@SQLITE
@pytest.mark.parametrize("preferred", [None, "zh", "he"])
def test_no_language_or_one_the_catalogue_lacks_reads_english(live_server, preferred):
    asking, done, prefs = the_three_pages(live_server, preferred)
    for doc in (asking, done, prefs):
        assert doc.xpath("/html/@lang") == ["en"] and doc.xpath("/html/@dir") == ["ltr"]
    assert text_of(asking, "//form[@method='post']/button") == ["Unsubscribe"]
    assert text_of(done, "//main/*")[:2] == ["You are unsubscribed", "You will not receive The Weekly Brief any more."]
    assert text_of(prefs, "//h1") == ["Your preferences"] and text_of(prefs, "//option")[0] == "No preference"


def test_every_language_names_the_values_english_does_in_each_site_phrase():
    for language, words in SITE_WORDS.items():
        for key, english in SITE_WORDS["en"].items():
            assert braces(words[key]) == braces(english), (language, key)
    assert [catalogue_language(tag) for tag in ("es-MX", "AR", "he", "", None)] == ["es", "ar", "en", "en", "en"]


def braces(text):
    return sorted(part.split("}")[0] for part in text.split("{")[1:])
