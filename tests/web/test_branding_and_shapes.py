"""The content shapes and the branding through the newsroom, the API and the archive, over HTTP:
an admin sets the branding (an editor may not), an editor writes an item with its byline,
kicker, caption and credit and an issue with its call to action, pre-flight refuses a colour
that fails contrast, and the sent issue's archive page carries it all."""

import lxml.html
import pytest
from playwright.sync_api import expect

from tests.web.test_admin_browser import signed_in_page
from tests.web.test_archive_pages import send_now
from tests.web.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BRANDING = {"organisation_name": "Rights Org", "primary_colour": "#0b3d2e", "accent_colour": "#6a1b9a",
            "logo_url": "https://example.org/logo.png", "logo_alt": "Rights Org", "footer_text": "No government money.",
            "postal_address": "1 Road, Town", "social_links": "Mastodon https://mastodon.example/@r"}
SHAPES = {"byline": "Benedict Rogers", "kicker": "North Korea", "image_url": "https://example.org/p.jpg",
          "image_alt": "The gate", "image_caption": "A guard at the gate.", "image_credit": "© 2016 Reuters",
          "featured": True}
CTA = {"cta_text": "Your gift can help.", "cta_button": "Donate", "cta_url": "https://example.org/give",
       "cta_position": "after_intro"}


def set_branding(client, **values):
    return client.post("/admin/branding", data={**BRANDING, **values, "csrf_token": client.csrf})


def findings(client, issue_id):
    return [(f["level"], f["message"]) for f in client.get(f"/api/issues/{issue_id}/preview").json()["findings"]]


@SQLITE
def test_branding_and_shapes_from_the_newsroom_to_the_archive(live_server, editor, admin):
    assert editor.get("/admin/branding").status_code == 403
    assert set_branding(editor).status_code == 403
    refused = set_branding(admin, primary_colour="blue", logo_url="http://example.org/logo.png")
    assert refused.status_code == 422 and 'id="primary_colour-error"' in refused.text and 'id="logo_url-error"' in refused.text
    assert set_branding(admin).status_code == 303
    page = admin.get("/admin/branding").text
    assert 'value="#0b3d2e"' in page and "Mastodon https://mastodon.example/@r" in page

    item_id = add_item(editor, 1, **SHAPES)
    stored = editor.get(f"/api/items/{item_id}").json()
    assert {k: stored[k] for k in SHAPES} == SHAPES
    issue_id = new_issue(editor)
    saved = save(editor, issue_id, 1, [{"item_ids": [item_id]}], **CTA)
    assert saved.status_code == 200 and {k: saved.json()[k] for k in CTA} == CTA
    assert save(editor, issue_id, 2, [{"item_ids": [item_id]}], **{**CTA, "cta_url": "javascript:alert(1)"}).status_code == 422

    set_branding(admin, primary_colour="#8899ff", logo_alt="")  # too light for white text; no alt
    errors = [message for level, message in findings(editor, issue_id) if level == "error"]
    assert any("primary colour #8899ff" in m and "WCAG AA" in m for m in errors)
    assert any("logo has no alt text" in m for m in errors)
    refused = editor.post(f"/api/issues/{issue_id}/approve", json={"version": 2}, headers={"X-CSRF-Token": editor.csrf})
    assert refused.status_code in (409, 422) and "WCAG AA" in refused.text
    set_branding(admin)
    assert not [m for level, m in findings(editor, issue_id) if level == "error"]

    send_now(editor, admin, issue_id, 2)
    shown = lxml.html.document_fromstring(live_server.client.get("/archive/2026-12-04-the-weekly-brief").text)
    article = shown.xpath("//article[contains(@class, 'featured')]")[0]
    assert article.xpath(".//p[@class='item-kicker']/text()") == ["North Korea"]
    assert article.xpath(".//figcaption")[0].text_content() == "A guard at the gate. © 2016 Reuters"
    assert "By Benedict Rogers" in article.text_content()
    assert shown.xpath("//a[@class='cta-button']/@href") == ["https://example.org/give"]
    assert "--brand: #0b3d2e" in live_server.client.get("/archive/2026-12-04-the-weekly-brief").text
    assert "Rights Org, 1 Road, Town" in shown.text_content()
    index = live_server.client.get("/archive").text
    assert "--brand: #0b3d2e" in index and "Rights Org, 1 Road, Town" in index


@SQLITE
def test_a_single_article_goes_out_and_its_archive_page_links_its_endnotes_both_ways(live_server, editor, admin):
    issue_id = new_issue(editor, title="Release the detained journalists")
    body = ("Police detained three reporters[^1] <script>alert(1)</script> [x](javascript:alert(2)).\n\n"
            "> Reporting is not a crime.\n\n[^1]: On 30 November, at the border.")
    saved = save(editor, issue_id, 1, [{"item_ids": []}], title="Release the detained journalists", format="article",
                 dateline="SEOUL, 3 December 2026", byline="Ana Ruiz", body=body)
    assert saved.status_code == 200 and saved.json()["format"] == "article"
    assert not [m for level, m in findings(editor, issue_id) if level == "error"]
    send_now(editor, admin, issue_id, 2)
    page = live_server.client.get("/archive/2026-12-04-release-the-detained-journalists").text
    shown = lxml.html.document_fromstring(page)
    assert shown.xpath("//article[@class='article']//a[@id='fnref1']/@href") == ["#fn1"]
    assert shown.xpath("//li[@id='fn1']//a[@class='footnote-backref']/@href") == ["#fnref1"]
    assert "By Ana Ruiz" in shown.text_content() and shown.xpath("//blockquote")
    assert not shown.xpath("//article[@class='article']//script")
    assert not [href for href in shown.xpath("//a/@href") if "javascript" in href.lower()]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@SQLITE
def test_an_editor_gives_an_issue_a_call_to_action_in_the_composer(live_server, editor, browser):  # noqa: F811
    issue_id = new_issue(editor)
    page = signed_in_page(browser, live_server, "ed@example.org", width=375)
    page.goto(f"{live_server.url}/admin/issues/{issue_id}")
    page.get_by_label("Text", exact=True).fill("Your gift can help.")
    page.get_by_label("Button label").fill("Donate")
    page.get_by_label("Button link").fill("https://example.org/give")
    page.get_by_label("Where").select_option("after_intro")
    expect(page.locator("#save-state")).to_contain_text("Saved at")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.ok and 'A note.' in r.text()):
        page.get_by_label("Format", exact=True).select_option("article")
        page.get_by_label("Body").fill("The statement[^1].\n\n[^1]: A note.")
    stored = editor.get(f"/api/issues/{issue_id}").json()
    assert (stored["cta_text"], stored["cta_button"], stored["cta_url"], stored["cta_position"]) == (
        "Your gift can help.", "Donate", "https://example.org/give", "after_intro")
    assert stored["format"] == "article" and stored["body"] == "The statement[^1].\n\n[^1]: A note."
    page.context.close()
