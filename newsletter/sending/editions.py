"""A send's language editions: each rendered once when the send is made, and the one each
batch's readers get when it is sent.

The main edition's rendering stays on the send (``sends.html_template``...); every other
edition's is a ``send_editions`` row. The freeze gives every reader the edition of their
language (sending/freeze.py), and numbers each edition's readers into batches of their own,
so a batch is one edition and goes to the provider as one message with its substitutions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from newsletter.content.models import IssueContent
from newsletter.db.models import Delivery, Send, SendEdition, Subscriber
from newsletter.rendering import RenderedIssue


def edition_rows(send_id: int, editions: list[IssueContent],
                 render: Callable[[IssueContent], RenderedIssue]) -> list[SendEdition]:
    """The ``send_editions`` rows of ``editions`` (all but the main one), each rendered once by ``render``."""
    rows = []
    for edition in editions:
        rendered = render(edition)
        rows.append(SendEdition(send_id=send_id, language=edition.language, subject=rendered.subject,
                                html_template=rendered.html.source, text_template=rendered.text.source))
    return rows


@dataclass(frozen=True)
class EditionRendering:
    """The rendering a batch's readers get: the send's own or one of its editions'. ``id`` is
    the send's, so that it stands in for the send where only its rendering matters."""

    id: int
    language: str | None
    main: bool
    subject: str
    html_template: str
    text_template: str

    @property
    def edition(self) -> str | None:
        """The language edition this is, for its web version's address; None for the main one."""
        return None if self.main else self.language


def batch_rendering(session: Session, send: Send, batch_number: int) -> EditionRendering:
    """The rendering of batch ``batch_number`` of ``send``: its readers' edition (one per batch)."""
    edition = session.scalar(select(Delivery.edition).where(
        Delivery.send_id == send.id, Delivery.batch_number == batch_number).limit(1))
    row = session.get(SendEdition, (send.id, edition)) if edition and edition != send.language else None
    source = row or send
    return EditionRendering(send.id, edition or send.language, row is None, source.subject, source.html_template,
                            source.text_template)


def send_editions(session: Session, send_id: int) -> tuple[str | None, list[str]]:
    """The main language of send ``send_id`` and its other editions' languages."""
    main = session.scalar(select(Send.language).where(Send.id == send_id))
    return main, list(session.scalars(select(SendEdition.language).where(SendEdition.send_id == send_id)
                                      .order_by(SendEdition.language)))


def reader_edition(main: str | None, editions: list[str]) -> ColumnElement:
    """SQL for the edition a subscriber gets: the edition of their exact language (``pt-BR``),
    else of its primary language (``es`` for ``es-MX``), else the main one."""
    if not editions:
        return literal(main)
    language = func.lower(Subscriber.language)
    exact = [(language == edition.lower(), edition) for edition in editions]
    wider = [(language.like(f"{edition.lower()}-%"), edition) for edition in editions if "-" not in edition]
    return case(*exact, *wider, else_=literal(main))


