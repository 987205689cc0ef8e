"""The languages a subscriber can choose on their preferences page: those the phrase catalogue
speaks, those of every edition the service has sent (Hebrew, Persian, Urdu...), and their
own, even if it is neither, so saving the page never changes it behind their back. And the
language their own pages (unsubscribing, preferences) are written in."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.content.phrases import (
    CATALOGUE,
    DEFAULT_LANGUAGE,
    catalogue_language,
    language_name,
    site_phrases,
)
from newsletter.db.models import Send, SendEdition, Subscriber

NO_PREFERENCE = ""


@dataclass(frozen=True)
class LanguageChoice:
    """A language to choose: its tag (``""``: no preference) and its name in itself."""

    tag: str
    name: str


def sent_languages(*, session: Session) -> set[str]:
    """The languages of every edition that went out: each started send's main language and
    its other editions'."""
    started = Send.started_at.is_not(None)
    main = session.scalars(select(Send.language).where(started, Send.language.is_not(None)).distinct())
    others = session.scalars(select(SendEdition.language).join(Send, Send.id == SendEdition.send_id)
                             .where(started).distinct())
    return {*main, *others}


def language_choices(
    *, session: Session, current: str | None, page_language: str = DEFAULT_LANGUAGE
) -> list[LanguageChoice]:
    """No preference (named in ``page_language``), then the catalogue's languages, those of the
    editions sent and ``current`` (the subscriber's), each named in itself, in the order of those names."""
    tags = {*CATALOGUE, *sent_languages(session=session), *([current] if current else [])}
    named = (LanguageChoice(tag, _capitalised(language_name(tag))) for tag in tags)
    no_preference = LanguageChoice(NO_PREFERENCE, site_phrases(page_language)["no_preference"])
    return [no_preference, *sorted(named, key=lambda c: (c.name.casefold(), c.tag))]


def may_choose(*, session: Session, subscriber_id: int, language: str) -> bool:
    """Whether subscriber ``subscriber_id`` may choose ``language`` (``""``: no preference)."""
    current = session.scalar(select(Subscriber.language).where(Subscriber.id == subscriber_id))
    return language in {choice.tag for choice in language_choices(session=session, current=current)}


def page_language(*, session: Session, subscriber_id: int) -> str:
    """The language of subscriber ``subscriber_id``'s own pages: their preferred language as the
    catalogue speaks it (``es-MX`` reads ``es``); English for a language it lacks, for no
    preference, or for no such subscriber (an unsubscribe page still shows its button)."""
    return catalogue_language(session.scalar(select(Subscriber.language).where(Subscriber.id == subscriber_id)))


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]  # "español" heads a line of a list: "Español"
