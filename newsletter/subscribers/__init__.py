"""Lists, subscribers and their consent: import, counts, suppression."""

from newsletter.subscribers.addresses import normalise_email
from newsletter.subscribers.importer import ImportReport, RejectedRow, import_subscribers
from newsletter.subscribers.lists import ListCounts, create_list, get_list, list_counts

__all__ = [
    "ImportReport",
    "ListCounts",
    "RejectedRow",
    "create_list",
    "get_list",
    "import_subscribers",
    "list_counts",
    "normalise_email",
]
