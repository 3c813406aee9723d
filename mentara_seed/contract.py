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
