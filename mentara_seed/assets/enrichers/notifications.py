"""Tier 5 enricher: every client has notifications."""

from mentara_seed.assets.common import seed_asset
from mentara_seed.assets.enrichers.posts import needs
from mentara_seed.generate import makers
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@seed_asset("enriched_notifications", group="tier5", deps=["tier5", "enriched_meetings", "enriched_worksheets"],
            owns=T.Notification)
def enrich_notifications(s: Seeding) -> None:
    """Guarantees: every client has at least two notifications (session reminders, worksheets,
    community replies, messages, ...), dated in the 30 days before the anchor."""
    makers.make_notifications(s, "notifications/client_notifications", needs(s, "client_notifications"))
