"""The suppression list through the real web server: the newsroom page (who, why, since when; a
bounce lifted, a complaint refused; the lifted ones and who lifted them) and /api/suppressions,
admins only."""

import lxml.html
import pytest
from sqlalchemy import select

from newsletter.db import transaction
from newsletter.db.models import Subscriber
from tests.reports.helpers import report_events, sent_send
from tests.web.test_admin_details import html_of, text_of

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BOUNCED, COMPLAINED, LEFT = "bo@example.org", "cy@example.org", "di@example.org"


@pytest.fixture
def suppressed(live_server):
    """A hard bounce, a complaint and an unsubscribe at the provider, from the ledger."""
    settings = live_server.settings
    _, deliveries = sent_send(settings, [BOUNCED, COMPLAINED, LEFT, "ok@example.org"])
    report_events(settings, deliveries, ("bounced", BOUNCED, "hard"), ("complained", COMPLAINED),
                  ("unsubscribed", LEFT))
    return settings


def status_of(settings, email: str) -> str:
    with transaction(settings.database_url) as session:
        return session.scalar(select(Subscriber.status).where(Subscriber.email == email))


def rows(page: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """{address: [why, since, lift cell]} of the page's table."""
    return {text_of(tr[0]): [text_of(td) for td in tr[1:]] for tr in page.xpath("//table[@class='suppressions']/tbody/tr")}


def lift_form(client, email: str, **extra: str):
    return client.post("/admin/suppressions/lift", data={"email": email, "csrf_token": client.csrf, **extra})


def test_the_page_says_who_why_and_when_and_lifts_a_bounce_only(live_server, admin, suppressed):
    page = html_of(admin, "/admin/suppressions")
    shown = rows(page)
    assert set(shown) == {LEFT, COMPLAINED, BOUNCED}  # not the address that still gets mail
    why, since, lift = shown[BOUNCED]
    assert why == "bounced hard bounce (sendgrid): 550 5.1.1 no such user" and since.endswith("UTC")
    assert lift == "Lift" and page.xpath(f"//button[@aria-label='Lift the bounce of {BOUNCED}']")
    assert shown[COMPLAINED][0].startswith("complained (spam)")
    assert shown[COMPLAINED][2] == "They marked a message as spam: only they can undo that, by subscribing again and confirming it."
    assert shown[LEFT][2].startswith("They unsubscribed at the provider: only they can undo that")
    assert len(page.xpath("//form[@action='/admin/suppressions/lift']")) == 1

    done = lift_form(admin, BOUNCED)
    assert (done.status_code, done.headers["location"]) == (303, "/admin/suppressions")
    page = html_of(admin, "/admin/suppressions")
    assert text_of(page.find_class("notice")[0]).startswith(f"{BOUNCED} gets mail again: the bounce is lifted.")
    assert set(rows(page)) == {COMPLAINED, LEFT} and status_of(suppressed, BOUNCED) == "active"

    page = html_of(admin, "/admin/suppressions?lifted=true")  # the toggle: lifted ones, and by whom
    lifted = rows(page)[BOUNCED][2]
    assert lifted.startswith("Lifted ") and lifted.endswith("UTC by ad@example.org")
    assert text_of(page.get_element_by_id("lifted-toggle")).endswith("Show only those in force.")
    assert page.xpath("//a[@href='/admin/suppressions']") and not page.xpath("//button[starts-with(@aria-label, 'Lift')]")


def test_a_complaint_or_an_unsubscribe_is_refused_saying_why(live_server, admin, suppressed):
    for email, status in ((COMPLAINED, "complained"), (LEFT, "unsubscribed")):
        refused = lift_form(admin, email)  # a forged form: the page offers no button for these
        assert refused.status_code == 409
        alert = text_of(lxml.html.fromstring(refused.text).xpath("//p[@role='alert']")[0])
        assert alert == f"Not lifted: {email} {status}: only they can undo that, by subscribing again and confirming it."
        assert status_of(suppressed, email) == status
    assert lift_form(admin, "nobody@example.org").status_code == 404
    assert lift_form(admin, "not an address").status_code == 422
    assert lift_form(admin, "ok@example.org").status_code == 409  # not suppressed
    no_token = admin.post("/admin/suppressions/lift", data={"email": BOUNCED})
    assert no_token.status_code == 403 and status_of(suppressed, BOUNCED) == "bounced"


@SQLITE
def test_editors_neither_see_nor_lift_suppressions(live_server, admin, editor, suppressed):
    assert "/admin/suppressions" in [a.get("href") for a in html_of(admin, "/admin/items").xpath("//nav//a")]
    assert "/admin/suppressions" not in [a.get("href") for a in html_of(editor, "/admin/items").xpath("//nav//a")]
    assert editor.get("/admin/suppressions").status_code == 403
    assert lift_form(editor, BOUNCED).status_code == 403
    assert editor.get("/api/suppressions").status_code == 403
    assert editor.post(f"/api/suppressions/{BOUNCED}/lift", headers={"X-CSRF-Token": editor.csrf}).status_code == 403
    assert status_of(suppressed, BOUNCED) == "bounced"


def test_the_api_lists_and_lifts(live_server, admin, suppressed):
    api = {"X-CSRF-Token": admin.csrf}
    listing = admin.get("/api/suppressions").json()
    assert (listing["include_lifted"], listing["limit"], listing["more"]) == (False, 500, False)
    by_email = {entry["email"]: entry for entry in listing["suppressions"]}
    assert {e: (s["reason"], s["event_kind"], s["can_lift"]) for e, s in by_email.items()} == {
        BOUNCED: ("bounced", "bounced", True), COMPLAINED: ("complained", "complained", False),
        LEFT: ("unsubscribed", "unsubscribed", False)}
    assert by_email[COMPLAINED]["why_not"].startswith("They marked a message as spam")
    assert len(admin.get("/api/suppressions", params={"limit": 2}).json()["suppressions"]) == 2
    assert admin.get("/api/suppressions", params={"limit": 2}).json()["more"] is True

    lifted = admin.post(f"/api/suppressions/{BOUNCED.upper()}/lift", headers=api)
    assert (lifted.status_code, lifted.json()) == (200, {"email": BOUNCED, "lifted_by": "ad@example.org"})
    refused = admin.post(f"/api/suppressions/{COMPLAINED}/lift", headers=api)
    assert refused.status_code == 409 and "only they can undo that" in refused.json()["detail"]
    assert admin.post("/api/suppressions/nobody@example.org/lift", headers=api).status_code == 404
    assert admin.post("/api/suppressions/not-an-address/lift", headers=api).status_code == 422
    assert admin.post(f"/api/suppressions/{BOUNCED}/lift").status_code == 403  # the cookie without the CSRF header
    assert BOUNCED not in [e["email"] for e in admin.get("/api/suppressions").json()["suppressions"]]
    everything = admin.get("/api/suppressions", params={"lifted": "true"}).json()["suppressions"]
    [entry] = [e for e in everything if e["email"] == BOUNCED]
    assert (entry["lifted_by"], entry["can_lift"], entry["lifted_at"] is not None) == ("ad@example.org", False, True)
    assert live_server.client.get("/api/suppressions").status_code == 401
