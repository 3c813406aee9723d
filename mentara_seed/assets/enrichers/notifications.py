"""Tier 5 enricher: every client has notifications."""

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("notifications", tier=5, owns=T.Notification, inputs=["enriched_meetings", "enriched_worksheets"])
def enrich_notifications(s: Seeding) -> None:
    """Guarantees: every client has at least two notifications (session reminders, worksheets,
    community replies, messages, ...), dated in the 30 days before the anchor."""
    makers.make_notifications(s, "notifications/client_notifications", s.needs(BY_NAME["client_notifications"]))
