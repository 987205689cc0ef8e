"""Fixtures of the sending tests (defined in helpers, which other test folders import too)."""

from tests.sending.helpers import issue_id, small_batches  # noqa: F401
