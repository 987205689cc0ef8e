"""What an admin sees after a send: every delivery's fate (the send report, from the event
ledger and the batch counters) and the suppression list, as view models that the newsroom
page, the API and the command line show under the same names.

``aggregate`` is pure (the report from counts, the complaint-rate levels); ``queries`` reads the
counts in a few GROUP BY queries, ``engagement`` the clicks and opens; ``charts`` draws
accessible SVG charts (pure); ``list_health`` counts a list's weeks; ``suppressions`` lists and
lifts suppressions.
"""

from newsletter.reports.aggregate import (
    LIMIT_RATE,
    TOP_DOMAINS,
    WARNING_RATE,
    build_send_report,
    complaint_level,
)
from newsletter.reports.charts import clicks_chart
from newsletter.reports.list_health import HealthWeek, health_chart, list_health
from newsletter.reports.models import (
    DomainRow,
    LiftOut,
    SendReport,
    SuppressionList,
    SuppressionOut,
)
from newsletter.reports.past_items import InboxHistory, PastPerformance, inbox_history
from newsletter.reports.queries import send_report
from newsletter.reports.recipient_events import export_send_events
from newsletter.reports.suppressions import lift_bounce, suppression_list

__all__ = [
    "LIMIT_RATE",
    "TOP_DOMAINS",
    "WARNING_RATE",
    "DomainRow",
    "HealthWeek",
    "InboxHistory",
    "LiftOut",
    "PastPerformance",
    "SendReport",
    "SuppressionList",
    "SuppressionOut",
    "build_send_report",
    "clicks_chart",
    "complaint_level",
    "export_send_events",
    "health_chart",
    "inbox_history",
    "lift_bounce",
    "list_health",
    "send_report",
    "suppression_list",
]
