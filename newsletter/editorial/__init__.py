"""Items and issues in the database: stored from content, read back as content."""

from newsletter.editorial.issues import (
    IssueSummary,
    get_issue,
    issue_content,
    list_issues,
    save_issue,
)

__all__ = ["IssueSummary", "get_issue", "issue_content", "list_issues", "save_issue"]
