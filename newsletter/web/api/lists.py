"""``/api/lists``: mailing lists, their members, CSV import and export; ``/api/imports``: the
imports under way (admins only)."""

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from newsletter.content.models import MAX_DB_INT
from newsletter.db import transaction
from newsletter.db.models import SubscriberImport, as_utc
from newsletter.subscribers import (
    create_list,
    list_counts,
    normalise_email,
    search_members,
    set_tracking,
)
from newsletter.subscribers.imports import get_import, queue_import, report_of
from newsletter.subscribers.membership import add_subscriber, remove_subscriber
from newsletter.subscribers.search import MAX_LIMIT
from newsletter.web.api.routing import ApiRoute
from newsletter.web.csv_files import export_response
from newsletter.web.deps import IdPath, SettingsDep
from newsletter.web.security import Admin

router = APIRouter(prefix="/lists", tags=["lists"], route_class=ApiRoute)
imports_router = APIRouter(prefix="/imports", tags=["lists"], route_class=ApiRoute)

ListName = Annotated[str, Path(max_length=100, description="The list's name, e.g. weekly.")]
Address = Annotated[str, Path(max_length=320)]
MemberStatus = Literal["confirmed", "pending", "unsubscribed", "suppressed"]
ExportStatus = Literal["confirmed", "pending", "unsubscribed", "all"]


class ListOut(BaseModel):
    """A list and its members counted by status."""

    name: str
    title: str | None
    confirmed: int = Field(description="Confirmed and not suppressed: they get the issues.")
    pending: int = Field(description="Waiting for them to confirm.")
    unsubscribed: int
    suppressed: int = Field(description="Confirmed, but unsubscribed from everything, bounced or complained.")
    track_clicks: bool = Field(description="Links of its sends go through /c/ and record who clicked.")
    track_opens: bool = Field(description="Its sends carry a 1x1 open image (an estimate).")


class ListsOut(BaseModel):
    lists: list[ListOut]


class NewList(BaseModel):
    name: str = Field(max_length=100, description="Lower case letters, digits, - and _, e.g. weekly-es.")
    title: str | None = Field(default=None, max_length=200, description="What subscribers see.")
    track_clicks: bool = Field(default=True, description="Record who clicks its sends' links.")
    track_opens: bool = Field(default=False, description="Put an open image in its sends (off by default).")


class TrackingChange(BaseModel):
    """What to switch; a field left out stays as it is. It applies to the list's next sends."""

    track_clicks: bool | None = None
    track_opens: bool | None = None


class MemberOut(BaseModel):
    """A person on a list."""

    email: str
    name: str | None
    language: str | None
    status: Literal["pending", "confirmed", "unsubscribed"] = Field(description="Their membership of this list.")
    suppressed: str | None = Field(description="Why no mail goes to them at all (bounced, complained, "
                                               "unsubscribed from everything), or null.")
    source: str | None
    subscribed_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None


class MembersOut(BaseModel):
    total: int = Field(description="How many members match, in all.")
    limit: int
    offset: int
    subscribers: list[MemberOut]


class NewSubscriber(BaseModel):
    email: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    confirmed: bool = Field(default=False, description="You hold their consent; otherwise they are pending.")


class Membership(BaseModel):
    email: str = Field(description="The address as stored (normalised).")
    list: str
    status: str = Field(description="Their status on the list now; it says so when they are suppressed.")


class RejectedRowOut(BaseModel):
    line: int = Field(description="The line of the file the row starts on (the header is line 1).")
    email: str
    reason: str


class ImportReportOut(BaseModel):
    rows: int = Field(description="Rows in the file, not counting the header and blank lines.")
    accepted: int = Field(description="Valid rows: new, or already on the list.")
    new_subscribers: int
    new_subscriptions: int = Field(description="Valid rows newly put on the list.")
    confirmed: int = Field(description="Pending members confirmed by this import (with confirmed=true).")
    rejected_count: int
    rejected: list[RejectedRowOut] = Field(description="The rejected rows with their reasons (the first 1,000).")


class ImportOut(BaseModel):
    """A CSV file being imported into a list in the background."""

    id: int
    filename: str
    confirmed: bool
    status: str = Field(description="queued, running, done or failed")
    size: int = Field(description="The file's size in bytes.")
    bytes_read: int = Field(description="How far the importer has got, in bytes.")
    error: str | None = Field(description="Why the file could not be imported (failed).")
    created_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    report: ImportReportOut | None = Field(description="What the import did (done).")


@router.get("")
def get_lists(viewer: Admin, settings: SettingsDep) -> ListsOut:
    """Every list with its members counted by status."""
    with transaction(settings.database_url) as session:
        return ListsOut(lists=[ListOut(**vars(counts)) for counts in list_counts(session=session)])


@router.post("", status_code=201)
def add_list(new: NewList, viewer: Admin, settings: SettingsDep) -> ListOut:
    """Create a list."""
    with transaction(settings.database_url) as session:
        created = create_list(session=session, name=new.name, title=new.title or None,
                              track_clicks=new.track_clicks, track_opens=new.track_opens)
        return ListOut(name=created.name, title=created.title, confirmed=0, pending=0, unsubscribed=0, suppressed=0,
                       track_clicks=created.track_clicks, track_opens=created.track_opens)


@router.patch("/{name}")
def change_tracking(name: ListName, change: TrackingChange, viewer: Admin, settings: SettingsDep) -> ListOut:
    """Switch a list's click or open tracking, for its next sends."""
    with transaction(settings.database_url) as session:
        set_tracking(session=session, name=name, clicks=change.track_clicks, opens=change.track_opens)
        [counts] = list_counts(session=session, name=name)
        return ListOut(**vars(counts))


@router.get("/{name}/subscribers")
def find_subscribers(
    name: ListName, viewer: Admin, settings: SettingsDep,
    q: Annotated[str, Query(max_length=320, description="Part of the address or the name, any case.")] = "",
    status: MemberStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> MembersOut:
    """The list's members whose address or name contains ``q``, by address, a page at a time."""
    with transaction(settings.database_url) as session:
        found = search_members(session=session, list_name=name, query=q, status=status, limit=limit, offset=offset)
    return MembersOut(total=found.total, limit=found.limit, offset=found.offset,
                      subscribers=[MemberOut(**vars(member)) for member in found.members])


@router.post("/{name}/subscribers")
def add_one_subscriber(name: ListName, new: NewSubscriber, viewer: Admin, settings: SettingsDep) -> Membership:
    """Put one person on the list (pending unless ``confirmed``). Never resubscribes someone who
    unsubscribed."""
    with transaction(settings.database_url) as session:
        status = add_subscriber(session=session, email=new.email, name=new.name, list_name=name,
                                confirmed=new.confirmed)
    return Membership(email=normalise_email(new.email), list=name, status=status)


@router.delete("/{name}/subscribers/{email}", responses={404: {"description": "They are not on the list."}})
def unsubscribe_one(name: ListName, email: Address, viewer: Admin, settings: SettingsDep) -> Membership:
    """Take one person off the list on their behalf. They are kept as unsubscribed, so that
    no later import or API call puts them back."""
    with transaction(settings.database_url) as session:
        remove_subscriber(session=session, email=email, list_name=name)
    return Membership(email=normalise_email(email), list=name, status="unsubscribed")


@router.post("/{name}/import", status_code=202, responses={413: {"description": "Over NEWSLETTER_MAX_UPLOAD_MB."}})
def import_csv(
    name: ListName, viewer: Admin, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="UTF-8 CSV with a header row that has an email column.")],
    confirmed: Annotated[bool, Form(description="You hold their consent; otherwise they are pending.")] = False,
) -> ImportOut:
    """Queue a CSV file to be imported into the list by a worker, as `newsletter subscribers
    import` does: every valid row goes in and every bad row is reported with its line number.
    Follow it at ``/api/imports/{id}``."""
    with transaction(settings.database_url) as session:  # an unknown list is a 404, and nothing is stored
        return import_out(queue_import(session=session, list_name=name, filename=file.filename or "",
                                       data=file.file.read(), confirmed=confirmed, created_by=viewer.email))


@imports_router.get("/{import_id}")
def get_one_import(import_id: IdPath, viewer: Admin, settings: SettingsDep) -> ImportOut:
    """An import: queued, running (with the bytes read so far), done with its report, or failed
    with what is wrong with the file."""
    with transaction(settings.database_url) as session:
        return import_out(get_import(session=session, import_id=import_id))


def import_out(job: SubscriberImport) -> ImportOut:
    report = report_of(job)
    return ImportOut(
        id=job.id, filename=job.filename, confirmed=job.confirmed, status=job.status, size=job.size,
        bytes_read=job.bytes_read, error=job.error, created_by=job.created_by,
        created_at=as_utc(job.created_at), finished_at=as_utc(job.finished_at) if job.finished_at else None,
        report=None if report is None else ImportReportOut(
            rows=report.rows, accepted=report.accepted, new_subscribers=report.new_subscribers,
            new_subscriptions=report.new_subscriptions, confirmed=report.confirmed,
            rejected_count=report.rejected_count,
            rejected=[RejectedRowOut(line=r.line, email=r.email, reason=r.reason) for r in report.rejected]),
    )


@router.get("/{name}/export.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "The members as CSV (the import format)."}})
def export_csv(name: ListName, viewer: Admin, settings: SettingsDep,
               status: ExportStatus = "confirmed") -> StreamingResponse:
    """The list's members with ``status`` as a CSV download."""
    return export_response(settings, name, status)
