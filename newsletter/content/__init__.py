"""What editors write: issues made of items, validated before anything renders them."""

from newsletter.content.issue_file import load_issue_file
from newsletter.content.models import IssueContent, ItemContent, SectionContent

__all__ = ["IssueContent", "ItemContent", "SectionContent", "load_issue_file"]
