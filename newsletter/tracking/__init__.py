"""After the send: the event ledger of what providers report about deliveries, and the
suppressions those events cause (a hard bounce, a complaint, soft bounces past a limit)."""

from newsletter.tracking.ledger import LedgerReport, apply_provider_events, record_events
from newsletter.tracking.suppression import SuppressionEntry, lift_suppression, list_suppressions

__all__ = ["LedgerReport", "SuppressionEntry", "apply_provider_events", "lift_suppression", "list_suppressions", "record_events"]
