"""Lists, subscribers and their consent: import, counts, suppression."""

from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.importer import ImportReport, RejectedRow, import_subscribers
from newsletter.subscribers.lists import (
    ListCounts,
    create_list,
    get_list,
    list_counts,
    set_tracking,
    update_list,
)
from newsletter.subscribers.search import SEARCH_STATUSES, ListMember, MemberPage, search_members

__all__ = [
    "SEARCH_STATUSES",
    "ImportReport",
    "ListCounts",
    "ListMember",
    "MemberPage",
    "RejectedRow",
    "create_list",
    "get_list",
    "import_subscribers",
    "list_counts",
    "normalise_email",
    "search_members",
    "set_tracking",
    "update_list",
]
