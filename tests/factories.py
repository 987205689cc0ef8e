"""Small builders of test data, so each test states only what matters to it."""

import datetime as dt
from typing import Any

from newsletter.content import IssueContent


def item(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """An item as it appears in an issue file."""
    data = {
        "headline": f"Headline number {n}",
        "blurb": f"Blurb of item {n}, a couple of sentences long.",
        "url": f"https://example.org/news/{n}",
        "source": f"Source {n}",
    }
    data.update(overrides)
    return data


def issue_data(count: int = 3, **overrides: Any) -> dict[str, Any]:
    """An issue as it appears in an issue file (the ``items`` shorthand)."""
    data = {
        "title": "The Weekly Brief",
        "date": dt.date(2023, 12, 29),
        "intro": "Just a quick update in case you missed it.",
        "items": [item(n) for n in range(1, count + 1)],
    }
    data.update(overrides)
    return data


def issue(count: int = 3, **overrides: Any) -> IssueContent:
    """Validated issue content."""
    return IssueContent.model_validate(issue_data(count, **overrides))
