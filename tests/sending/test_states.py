"""The state tables are the documentation: docs/sending-states.md is generated from them."""

from newsletter.config import REPOSITORY_ROOT
from newsletter.sending.states import BATCH_TRANSITIONS, DELIVERY_TRANSITIONS, SEND_TRANSITIONS, state_diagram


def test_the_docs_state_diagram_is_generated_from_the_tables():
    page = (REPOSITORY_ROOT / "docs" / "sending-states.md").read_text()
    assert page.endswith(state_diagram())


def test_every_status_has_a_row_and_every_target_is_a_status():
    for table in (SEND_TRANSITIONS, BATCH_TRANSITIONS, DELIVERY_TRANSITIONS):
        statuses = set(type(next(iter(table))))
        assert set(table) == statuses
        assert set().union(*table.values()) <= statuses


def _status_writes_outside_the_helper():
    """(file, line) of every ``update(Send|Batch)...values(status=...)`` in the service code
    but the state module's own."""
    import ast

    found = []
    for path in sorted((REPOSITORY_ROOT / "newsletter").rglob("*.py")):
        if path.name == "states.py" and path.parent.name == "sending":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values"
                    and any(k.arg == "status" for k in node.keywords)):
                continue
            chain = node.func.value
            while isinstance(chain, ast.Call | ast.Attribute):
                if (isinstance(chain, ast.Call) and isinstance(chain.func, ast.Name) and chain.func.id == "update"
                        and chain.args and isinstance(chain.args[0], ast.Name) and chain.args[0].id in ("Send", "Batch")):
                    found.append((str(path.relative_to(REPOSITORY_ROOT)), node.lineno))
                    break
                chain = chain.func if isinstance(chain, ast.Call) else chain.value
    return found


def test_every_send_and_batch_status_change_goes_through_the_transition_helper():
    assert _status_writes_outside_the_helper() == []
