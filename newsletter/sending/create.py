"""Creating and starting sends: an issue rendered once, checked, and sent now or scheduled.

The rendering is stored with the send, so workers never render and a later edit of the
issue cannot change a send under way; the issue's content is kept too, for the archive. When
any of its lists tracks clicks, its links are numbered in the send's link table (``send_links``)
and the email points at ``/c/<send>/<link>/<reader's token>`` instead (tracking/clicks.py). A
send goes to the lists of its audience rows (``send_lists``); its recipients are frozen
next, by :mod:`newsletter.sending.freeze`.
"""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from newsletter.config import Settings
from newsletter.content.editions import edition_content, edition_languages
from newsletter.content.models import IssueContent
from newsletter.db.models import Issue, MailingList, Send, SendLink, SendList, utcnow
from newsletter.editorial import get_issue, issue_content
from newsletter.editorial.archive import archive_slug, snapshot
from newsletter.editorial.branding import current_branding
from newsletter.editorial.preview import preview_issue
from newsletter.errors import ContentError, SendStateError
from newsletter.rendering import render_issue
from newsletter.rendering.article import article_links
from newsletter.rendering.personalise import MARKERS
from newsletter.sending.editions import edition_rows
from newsletter.sending.states import SendStatus, transition
from newsletter.subscribers.lists import get_list


def create_send(
    *, session: Session, settings: Settings, issue_id: int, list_names: list[str],
    scheduled_at: dt.datetime | None = None, timezone: str | None = None, force: bool = False,
) -> Send:
    """Create a send of issue ``issue_id`` to ``list_names``: rendered now, and either
    started at once (``sending``, its recipients frozen next by :func:`freeze_send`) or
    ``scheduled`` for ``scheduled_at``.

    The issue is rendered here, so what an admin schedules is what goes out and a template
    error shows at once, not at the scheduled hour. It is checked here too, with the
    pre-flight checks approval runs (an issue may break after approval, or be sent without):
    ContentError names every error, unless ``force``, and the send keeps the errors forced past.
    """
    names = list(dict.fromkeys(list_names))
    if not names:  # the newsroom's form shows this too, so it names no command-line flag
        raise ContentError("choose at least one list to send to")
    list_ids = [get_list(session=session, name=name).id for name in names]
    issue = get_issue(session=session, issue_id=issue_id)
    forced_errors = _preflight_errors(issue, settings, force=force)
    try:
        content = issue_content(issue)
    except ValidationError as err:  # no items, an empty section: not an email, even forced
        problems = forced_errors.splitlines() if forced_errors else [e["msg"] for e in err.errors()]
        raise ContentError(f"issue {issue.id} cannot be sent (not even with --force):\n"
                           + "\n".join(f"  - {problem}" for problem in problems)) from err
    send = Send(
        issue_id=issue.id,
        status="scheduled",
        subject=content.effective_subject,
        html_template="",  # rendered below, once the send has the id its tracked links carry
        text_template="",
        list_names=", ".join(names),
        scheduled_at=scheduled_at,
        timezone=timezone,
        forced_errors=forced_errors,
        archive=snapshot(content),  # the archive shows the issue as sent, not as edited since
        archive_slug=archive_slug(session=session, issue_id=issue.id, content=content),
    )
    session.add(send)
    session.flush()
    session.add_all([SendList(send_id=send.id, list_id=list_id) for list_id in list_ids])
    editions = [edition_content(content, language) for language in edition_languages(content)]
    links = _tracked_links(session, settings, send.id, issue, editions, list_ids)
    branding = current_branding(session=session, settings=settings)  # every edition wears the same
    rendered = render_issue(content, settings, links=links, branding=branding)
    send.html_template, send.text_template = rendered.html.source, rendered.text.source
    send.language = content.language  # its other editions, each rendered once:
    session.add_all(edition_rows(
        send.id, editions[1:], lambda edition: render_issue(edition, settings, links=links, branding=branding)))
    if scheduled_at is None:
        start_send(session=session, send_id=send.id)
        session.refresh(send)
    else:
        issue.status = "scheduled"
    return send

def _tracked_links(session: Session, settings: Settings, send_id: int, issue: Issue, editions: list[IssueContent],
                   list_ids: list[int]) -> dict[str, str] | None:
    """The addresses the send's links become (its items', an article's body's, its call-to-action
    button's), {link: tracked address}, when any of its lists tracks clicks (None: plain links).
    Each distinct link is numbered, the items' in reading order and the others after, and stored
    in the link table with the item it leads to (none for the others); the redirect goes nowhere
    else.
    Every edition's links are numbered (the main one's first): an edition's item may link to
    its own page in that language.

    A send to a list that tracks and one that does not is tracked; the readers of the other
    list get a token that records nothing (see dispatch), so their clicks go unrecorded.
    """
    if not session.scalar(select(exists().where(MailingList.id.in_(list_ids), MailingList.track_clicks))):
        return None
    entries = [entry for section in issue.sections for entry in section.entries]  # content.items' order
    items: dict[str, int | None] = {}
    for edition in editions:
        for item, entry in zip(edition.items, entries, strict=True):
            items.setdefault(item.url, entry.item_id)
    for edition in editions:  # an article's links, the call-to-action button's: links of no item
        for url in article_links(edition.body) if edition.format == "article" and edition.body else ():
            items.setdefault(url, None)
        if edition.call_to_action is not None:
            items.setdefault(edition.call_to_action.url, None)
    session.add_all([SendLink(send_id=send_id, link_id=number, url=url, item_id=item_id)
                     for number, (url, item_id) in enumerate(items.items(), start=1)])
    return {url: f"{settings.base_url}/c/{send_id}/{number}/{MARKERS['click_token']}"
            for number, url in enumerate(items, start=1)}

def _preflight_errors(issue: Issue, settings: Settings, *, force: bool) -> str | None:
    """The pre-flight errors of ``issue``, one a line, that ``force`` overrides (None: none).

    Without ``force``, an error refuses the send: ContentError names each, on a line of its own.
    """
    errors = [f.message for f in preview_issue(issue, settings).findings if f.level == "error"]
    if errors and not force:
        raise ContentError(f"issue {issue.id} fails the pre-flight checks; fix these first "
                           "(or, from the command line, send it anyway with --force):\n"
                           + "\n".join(f"  - {error}" for error in errors))
    return "\n".join(errors) or None

def start_send(*, session: Session, send_id: int, from_: SendStatus | tuple[SendStatus, ...] = SendStatus.SCHEDULED,
               where: tuple = ()) -> bool:
    """Make a scheduled (or held) send ``sending`` now; False if it no longer is one (another
    poller started it, or an admin changed it meanwhile).

    Its recipients are frozen next, by :func:`freeze_send`: the sender's process does it
    (``queue_send``), or the sweep, which also takes over a freeze that stopped (see
    :func:`sends_to_freeze`).
    """
    started = session.execute(
        transition(Send, from_, SendStatus.SENDING, Send.id == send_id, *where, started_at=utcnow(),
                   status_reason=None).returning(Send.issue_id)
    ).first()
    if started is None:
        return False
    session.get_one(Issue, started.issue_id).status = "sent"
    return True

def schedule_issue(
    *, session: Session, settings: Settings, issue_id: int, list_names: list[str], at: str | dt.datetime | None,
    timezone: str,
) -> Send:
    """Schedule an approved (ready) issue for wall-clock time ``at`` in ``timezone`` (read by
    :func:`parse_schedule`; a moment it gave is taken as it is), or start it now when ``at`` is
    None: the newsroom's way in, where only an approved issue goes out. Takes the time as
    :func:`~newsletter.sending.commands.reschedule_send` does."""
    scheduled_at = None if at is None else schedule_moment(at, timezone)
    # Claimed first, by a conditional UPDATE: a save landing from now on waits for this
    # transaction and then finds the issue scheduled, so what is rendered is what was approved.
    claimed = session.execute(
        update(Issue).where(Issue.id == issue_id, Issue.status == "ready").values(status="scheduled")
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        get_issue(session=session, issue_id=issue_id)  # NotFoundError for an unknown issue
        raise SendStateError(f"issue {issue_id} is not approved (ready): approve it first")
    session.expire_all()
    return create_send(session=session, settings=settings, issue_id=issue_id, list_names=list_names,
                       scheduled_at=scheduled_at, timezone=None if at is None else timezone)

def schedule_moment(at: str | dt.datetime, timezone: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """The UTC moment a send is (re)scheduled for: wall-clock ``at`` read by :func:`parse_schedule`,
    or a moment already read, checked as it checks one (a known zone, not in the past)."""
    if isinstance(at, str):
        return parse_schedule(at, timezone, now=now)
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware (parse_schedule gives it in UTC)")
    _zone(timezone)
    if at <= (now or utcnow()):
        raise SendStateError(f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC is in the past", field="at")
    return at.astimezone(dt.UTC)

def parse_schedule(at: str, timezone: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """The UTC moment of wall-clock time ``at`` ("2026-12-04 08:00", or "2026-12-04T08:00" from
    a browser's picker, said back with a space) in ``timezone``.

    Refuses an unknown zone, a time in the past, and a wall-clock time that does not exist
    in that zone (skipped by a daylight-saving change), naming the field at fault (``at`` or
    ``timezone``). A time that happens twice (the hour the clocks go back) means the first.
    """
    zone = _zone(timezone)
    at = at.strip()
    if at[10:11] == "T":  # "2026-12-04T08:00"
        at = f"{at[:10]} {at[11:]}"
    if not at:
        raise SendStateError("give the date and time to send it", field="at")
    try:
        wall = dt.datetime.fromisoformat(at)
    except ValueError:
        raise SendStateError(f"cannot read the time {at!r} (write it like 2026-12-04 08:00)", field="at") from None
    if wall.tzinfo is not None:
        raise SendStateError("give the time without an offset, and the zone separately", field="at")
    local = wall.replace(tzinfo=zone)
    moment = local.astimezone(dt.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        raise SendStateError(f"{at} does not exist in {timezone} (the clocks skip it)", field="at")
    if moment <= (now or utcnow()):
        raise SendStateError(f"{at} {timezone} is in the past", field="at")
    return moment

def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SendStateError(f"unknown time zone {timezone!r} (use a name like Europe/London or UTC)",
                             field="timezone") from None
