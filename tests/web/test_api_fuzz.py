"""The API fuzzed by schemathesis through the real HTTP stack: every operation of its OpenAPI
document, called as an admin with inputs that fit the document and inputs that do not.
However wrong the input, the answer says so with a 4xx: no input may make the API fail.

Each operation's Hypothesis strategy is run here rather than by ``schema.parametrize()``:
schemathesis' fixture-based loader (needed for a live server) sets ``Node._nodeid``, which
pytest 9 no longer has.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from newsletter.accounts import create_api_token
from newsletter.db import transaction
from newsletter.editorial.compose import create_issue
from newsletter.editorial.drafts import IssueFields, ItemDraft
from newsletter.editorial.items import create_item
from tests.web.conftest import add_user

EXAMPLES = 6  # per operation and mode: about 300 requests on each database


@pytest.fixture
def api_schema(live_server) -> schemathesis.BaseSchema:
    """The API's own OpenAPI document, to be called with an admin's token; an item and an
    issue exist (id 1), so that some requests get past the lookups."""
    user_id = add_user(live_server.settings, "fuzz@example.org", "admin")
    with transaction(live_server.settings.database_url) as session:
        token = create_api_token(session=session, user_id=user_id, name="fuzz")
        create_item(session=session, draft=ItemDraft(url="https://example.org/a", headline="A story"))
        create_issue(session=session, fields=IssueFields(title="Brief", date="2026-01-02"), editor="Fuzz")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    schema.config.update(base_url=f"{live_server.url}/api", headers={"Authorization": f"Bearer {token}"})
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_input_makes_the_api_fail(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20  # the walk found the API
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(checks=[not_a_server_error])

        try:
            call()
        except Unsatisfiable:  # nothing of it can be wrong (GET /lists has no parameters)
            assert mode is GenerationMode.NEGATIVE, operation.label
