"""A test send from the API, as the preview page's button does it: the issue as it would go
out, marked [Test], to the caller's own address only; editors too; refused, sending nothing,
while the checks find errors."""

import pytest
from sqlalchemy import select

from newsletter.accounts import create_api_token
from newsletter.db import transaction
from newsletter.db.models import User
from tests.web.test_admin_details import ready_issue
from tests.web.test_composer import add_item, new_issue, save

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def send_a_test(client, issue_id: int, **headers):
    return client.post(f"/api/issues/{issue_id}/test", headers={"X-CSRF-Token": client.csrf, **headers})


def test_an_editor_gets_a_test_of_the_issue_at_their_own_address(live_server, editor):
    issue_id = ready_issue(editor, 1)
    response = send_a_test(editor, issue_id)
    assert response.status_code == 200, response.text
    assert response.json()["to"] == "ed@example.org"
    [message] = live_server.outbox()
    assert [a.addr_spec for a in message["To"].addresses] == ["ed@example.org"]
    assert message["Subject"].startswith("[Test] ")
    assert message["Message-ID"] == response.json()["message_id"]
    assert "Story 1" in message.get_body(("plain",)).get_content()


@SQLITE
def test_a_script_sends_a_test_to_its_token_s_owner(live_server, editor):
    issue_id = ready_issue(editor, 1)
    with transaction(live_server.settings.database_url) as session:
        owner = session.scalar(select(User.id).where(User.email == "ed@example.org"))
        token = create_api_token(session=session, user_id=owner, name="script")
    response = live_server.client.post(f"/api/issues/{issue_id}/test", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["to"] == "ed@example.org"
    assert len(live_server.outbox()) == 1


@SQLITE
def test_an_issue_the_checks_find_errors_in_gets_no_test(live_server, admin):
    issue_id = new_issue(admin)
    blurbless = add_item(admin, 1, blurb="")
    assert save(admin, issue_id, 1, [{"item_ids": [blurbless]}]).status_code == 200
    response = send_a_test(admin, issue_id)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("fix the errors the checks list first") and "no blurb" in response.text
    assert send_a_test(admin, 999).status_code == 404
    assert live_server.outbox() == []


@SQLITE
def test_a_stranger_or_a_forged_form_sends_nothing(live_server, editor):
    issue_id = ready_issue(editor, 1)
    assert live_server.client.post(f"/api/issues/{issue_id}/test").status_code == 401
    assert editor.post(f"/api/issues/{issue_id}/test").status_code == 403  # the cookie, without the CSRF token
    assert live_server.outbox() == []


@SQLITE
def test_the_api_sends_a_test_of_the_edition_asked_for(live_server, editor):
    issue_id = ready_issue(editor, 1, editions=["es"])
    headers = {"X-CSRF-Token": editor.csrf}
    response = editor.post(f"/api/issues/{issue_id}/test?edition=es", headers=headers)
    assert response.status_code == 200, response.text
    [message] = live_server.outbox()
    assert '<html lang="es"' in message.get_body(("html",)).get_content()
    refused = editor.post(f"/api/issues/{issue_id}/test?edition=fr", headers=headers)
    assert refused.status_code == 422 and "no 'fr' edition" in refused.text
