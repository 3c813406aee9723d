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


# -- availability (booking/services/availability-validator.service.ts, slot-generator.service.ts) -----
# The weekday as JavaScript's getDay on the API's UTC clock: "0" is Sunday.
WEEKDAYS = tuple(str(day) for day in range(7))
# Windows are "HH:MM" strings compared as text (so zero-padded), on the slot grid's half hours;
# 23:59 is the latest end the validator allows.
HALF_HOURS = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))
WINDOW_ENDS = (*HALF_HOURS[1:], "23:59")
# booking.service getDurations: the session lengths the booking screen offers.
SESSION_MINUTES = (30, 60, 90, 120)


# -- therapists (web: constants/provider.ts, therapist_application.ts, provinces.ts; the form's zod schema) --
PROVIDER_TYPES = ("Therapist", "Psychologist", "Mental Health Counselor")
LICENCE_TYPES = ("rpsy", "rpm", "rgc")  # Registered Psychologist, Psychometrician, Guidance Counselor
# The registration form's province list (no "Metro Manila").
PROVINCES = (
    "Abra", "Agusan del Norte", "Agusan del Sur", "Aklan", "Albay", "Antique", "Apayao", "Aurora", "Basilan",
    "Bataan", "Batanes", "Batangas", "Benguet", "Biliran", "Bohol", "Bukidnon", "Bulacan", "Cagayan",
    "Camarines Norte", "Camarines Sur", "Camiguin", "Capiz", "Catanduanes", "Cavite", "Cebu", "Cotabato",
    "Davao de Oro", "Davao del Norte", "Davao del Sur", "Davao Occidental", "Davao Oriental", "Dinagat Islands",
    "Eastern Samar", "Guimaras", "Ifugao", "Ilocos Norte", "Ilocos Sur", "Iloilo", "Isabela", "Kalinga", "La Union",
    "Laguna", "Lanao del Norte", "Lanao del Sur", "Leyte", "Maguindanao del Norte", "Maguindanao del Sur",
    "Marinduque", "Masbate", "Misamis Occidental", "Misamis Oriental", "Mountain Province", "Negros Occidental",
    "Negros Oriental", "Northern Samar", "Nueva Ecija", "Nueva Vizcaya", "Occidental Mindoro", "Oriental Mindoro",
    "Palawan", "Pampanga", "Pangasinan", "Quezon", "Quirino", "Rizal", "Romblon", "Samar", "Sarangani", "Siquijor",
    "Sorsogon", "South Cotabato", "Southern Leyte", "Sultan Kudarat", "Sulu", "Surigao del Norte", "Surigao del Sur",
    "Tarlac", "Tawi-Tawi", "Zambales", "Zamboanga del Norte", "Zamboanga del Sur", "Zamboanga Sibugay",
)
# The form: a PRC licence number is seven digits; a mobile number is 09XXXXXXXXX or +639XXXXXXXXX.
PRC_LICENCE_DIGITS = 7
MOBILE_PATTERN = r"^(09|\+639)\d{9}$"
# Licensed after a master's degree: nobody starts practising before 21.
YOUNGEST_PRACTICE_AGE = 21

# -- relationships and worksheets (client.service, therapist-management, worksheets.service) ------------
RELATIONSHIP_STATUSES = ("active", "inactive")
# Stored worksheet statuses the app sets: submitting sets SUBMITTED, reviewing REVIEWED; overdue is
# ASSIGNED with a past due date (no job ever stores OVERDUE).
WORKSHEET_STATUSES = ("ASSIGNED", "SUBMITTED", "REVIEWED")
WORKSHEET_HANDED_IN = ("SUBMITTED", "REVIEWED")
# booking.service: a video session's room is FRONTEND_URL + /meeting/<id> (the local web app by default).
MEETING_ROOM_URL = "http://localhost:3000/meeting/"
