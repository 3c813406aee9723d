"""What the Mentara application expects of its data: formats and state sets the seeder writes and checks.

Generators draw from these and integrity rules test against them, so a
check can never demand what the app rejects. Each names the API behaviour it
mirrors (``mentara-api/src`` at a301020a, the Oct 2025 schema; ``apps/api/src``
at the head, the current one).
"""

# Meeting statuses (booking/constants/meeting-status.constants.ts): a session is open until it
# happens; once its end has passed it is completed, cancelled or a no-show.
MEETING_OPEN = ("SCHEDULED", "WAITING", "CONFIRMED", "IN_PROGRESS")
MEETING_CLOSED = ("COMPLETED", "CANCELLED", "NO_SHOW")

# Moderation (admin/reports/admin-reports.service.ts): the statuses the queue filters on.
REPORT_STATUSES = ("PENDING", "REVIEWED", "DISMISSED")
# Report reasons: posts and comments (web ReportModal), users (users/validation/user.schemas.ts).
CONTENT_REPORT_REASONS = ("spam", "harassment", "inappropriate", "misinformation", "hate_speech", "self_harm", "privacy",
                          "other")
# Message reactions the messenger offers (web MessengerInterface EMOJI_REACTIONS).
REACTIONS = ("\u2764\ufe0f", "\U0001f44d", "\U0001f602", "\U0001f62e", "\U0001f622", "\U0001f621")
# billing.service.ts: the failures a retried payment can end in.
PAYMENT_FAILURES = ("Insufficient funds", "Card declined", "Expired card", "Invalid card number", "Network error")


# -- time ---------------------------------------------------------------------------------------
# The product runs in the Philippines (UTC+8, no daylight saving); the API's clock is UTC.
MANILA_OFFSET_HOURS = 8


def local_hour(moment) -> int:
    """The hour of a (naive UTC) moment in Manila."""
    return (moment.hour + MANILA_OFFSET_HOURS) % 24


def part_of_day(moment) -> str:
    """``morning``, ``afternoon`` or ``evening`` in Manila, as the preferences form names them."""
    hour = local_hour(moment)
    return "morning" if 5 <= hour < 12 else "afternoon" if 12 <= hour < 18 else "evening"


# -- client preferences (web: client/onboarding/therapist-preferences; matching services) --------------
PREFERENCE_APPROACHES = ("cbt", "dbt", "psychodynamic", "humanistic", "emdr", "family-systems", "mindfulness",
                         "solution-focused")
PREFERENCE_LANGUAGES = ("english", "spanish", "french", "german", "chinese", "japanese", "korean", "arabic", "other",
                        "filipino", "cebuano", "ilocano", "hiligaynon")
BUDGET_RANGES = ("under-100", "100-150", "150-200", "200-plus", "insurance")
# preference-matching.service.ts: a budget is the highest hourly rate it admits.
BUDGET_CEILINGS = (("under-100", 100), ("100-150", 150), ("150-200", 200), ("200-plus", 10_000))
APPROACH_SLUGS = {
    "Cognitive Behavioral Therapy": "cbt", "Dialectical Behavior Therapy": "dbt", "Psychodynamic Therapy": "psychodynamic",
    "Mindfulness-Based Therapy": "mindfulness", "Solution-Focused Brief Therapy": "solution-focused", "EMDR": "emdr",
    "Acceptance and Commitment Therapy": "humanistic",
    "cbt": "cbt", "dbt": "dbt", "psychodynamic": "psychodynamic", "mindfulness": "mindfulness",
    "solution-focused": "solution-focused", "person-centered": "humanistic", "narrative": "humanistic",
}


def budget_for(hourly_rate) -> str:
    """The narrowest budget range whose ceiling the rate fits under."""
    return next(name for name, ceiling in BUDGET_CEILINGS if float(hourly_rate or 0) <= ceiling)
