"""Each reader's version of a send's message: tracked or plain links, with or without the open
image, prepared once per batch from the one rendering (never a render per reader).

A send is rendered once (sending/create.py); when a list of it tracks clicks its links are
``{base}/c/<send>/<link>/<token slot>``. Readers differ in what may be tracked about them: their
list tracks clicks or not, opens or not, and they may have turned tracking off for themselves
(``subscribers.tracking_opt_out``). So each batch prepares up to four versions of the two
parts, each a :class:`PersonalisableTemplate` made once, and every reader is given the index of
theirs: choosing one costs a dictionary lookup, not a rendering.

- links plain: every tracked link is put back to its own address (the send's link table);
- open image: a 1x1 ``<img>`` of ``{base}/o/<send>/<token slot>`` before ``</body>``, the same
  token as the links' (tracking/opens.py), so it is one more slot, filled like the others.
"""

import html
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from newsletter.db.engine import one_of
from newsletter.db.models import MailingList, Send, SendLink, SendList, Subscriber
from newsletter.rendering.personalise import MARKERS, PersonalisableTemplate
from newsletter.sending.editions import EditionRendering

TOKEN = MARKERS["click_token"]
# No alt text (it is not content) and nothing a reader could see or select.
PIXEL = ('<img src="{base}/o/{send}/' + TOKEN + '" width="1" height="1" alt="" '
         'style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;overflow:hidden">')

Documents = tuple[PersonalisableTemplate, PersonalisableTemplate]  # (HTML, text)


def open_pixel(base_url: str, send_id: int) -> str:
    """The open image's tag for send ``send_id`` (its token slot filled per reader)."""
    return PIXEL.format(base=html.escape(base_url, quote=True), send=send_id)


def with_pixel(document: str, pixel: str) -> str:
    """``document`` (a finished HTML email) with ``pixel`` just before its last ``</body>``."""
    end = document.lower().rfind("</body>")
    return document + pixel if end < 0 else document[:end] + pixel + document[end:]


def plain_links(document: str, *, send_id: int, links: dict[int, str], escape: bool) -> str:
    """``document`` with each of send ``send_id``'s tracked links put back to its own address
    (HTML-escaped when ``escape``); a number not in ``links`` is left as it is."""
    tracked = re.compile(r'(?:https?://[^\s"\'<>]*?)?/c/' + str(send_id) + r"/(\d+)/" + TOKEN)

    def address(match: re.Match) -> str:
        url = links.get(int(match.group(1)))
        if url is None:
            return match.group(0)
        return html.escape(url, quote=True) if escape else url

    return tracked.sub(address, document)


@dataclass
class ReaderVersions:
    """The versions of one send's message that a batch needs, made on first use: index 0 is
    the send's own rendering as stored; the others are listed in :attr:`extra`."""

    html_source: str
    text_source: str
    send_id: int
    base_url: str
    links: dict[int, str]  # the send's link table: number -> address
    stored_tracks_clicks: bool  # the stored rendering's links go through /c/
    _index: dict[tuple[bool, bool], int] = field(default_factory=dict)
    documents: list[Documents] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.documents.append((PersonalisableTemplate(self.html_source, escape_html=True),
                               PersonalisableTemplate(self.text_source, escape_html=False)))
        self._index[(self.stored_tracks_clicks, False)] = 0

    def index(self, *, clicks: bool, opens: bool) -> int:
        """The index of the version with tracked links when ``clicks`` (and the stored rendering
        has them) and the open image when ``opens``."""
        key = (clicks and self.stored_tracks_clicks, opens)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.documents)
            self.documents.append(self._make(*key))
        return found

    @property
    def extra(self) -> tuple[Documents, ...]:
        """Every version but the stored one, in index order (index 1 first)."""
        return tuple(self.documents[1:])

    def _make(self, clicks: bool, opens: bool) -> Documents:
        html_doc, text_doc = self.html_source, self.text_source
        if not clicks and self.stored_tracks_clicks:
            html_doc = plain_links(html_doc, send_id=self.send_id, links=self.links, escape=True)
            text_doc = plain_links(text_doc, send_id=self.send_id, links=self.links, escape=False)
        if opens:
            html_doc = with_pixel(html_doc, open_pixel(self.base_url, self.send_id))
        return (PersonalisableTemplate(html_doc, escape_html=True), PersonalisableTemplate(text_doc, escape_html=False))


@dataclass
class Tracking:
    """What may be tracked about each reader of a batch, and their versions of the message."""

    versions: ReaderVersions
    lists: dict[int, tuple[bool, bool]]  # list id -> (tracks clicks, tracks opens)
    opted_out: set[int]  # subscribers who turned tracking off for themselves

    def version(self, list_id: int, subscriber_id: int) -> tuple[int, bool]:
        """(the reader's version, whether it carries their token) for a reader of ``list_id``."""
        clicks, opens = (False, False) if subscriber_id in self.opted_out else self.lists.get(list_id, (False, False))
        return self.versions.index(clicks=clicks, opens=opens), clicks or opens


def load_tracking(*, session: Session, send: Send | EditionRendering, base_url: str,
                  subscriber_ids: list[int]) -> Tracking | None:
    """The tracking of a batch of ``send`` (or of its edition's rendering, which carries the
    send's id) to ``subscriber_ids``; None when nothing is tracked (no tracked link in the
    rendering and no list tracking opens): everyone gets the stored rendering."""
    lists = {list_id: (clicks, opens) for list_id, clicks, opens in session.execute(
        select(MailingList.id, MailingList.track_clicks, MailingList.track_opens)
        .join(SendList, SendList.list_id == MailingList.id).where(SendList.send_id == send.id))}
    tracked_links = TOKEN in send.html_template or TOKEN in send.text_template
    if not tracked_links and not any(opens for _, opens in lists.values()):
        return None
    links = dict(session.execute(select(SendLink.link_id, SendLink.url).where(SendLink.send_id == send.id)).all())
    opted_out = set(session.scalars(select(Subscriber.id).where(
        one_of(session, Subscriber.id, sorted(set(subscriber_ids))), Subscriber.tracking_opt_out)))
    versions = ReaderVersions(send.html_template, send.text_template, send.id, base_url, links, tracked_links)
    return Tracking(versions, lists, opted_out)
