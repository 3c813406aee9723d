"""How one row of each seeded table is made.

Each builder takes the row's id and parents and returns the full column dict.
Values come from the row's own stream (``Seeding.rng``: passed in by makers,
which already drew the row's parents from it, or made here from the row's
key) and all timestamps are offsets from the anchor, so a row depends only on
its key, the mode and the anchor. Legacy generators and enrichers share these
builders.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from functools import lru_cache

import bcrypt

from mentara_seed.generate import assessments, text
from mentara_seed.generate.keys import Stream, id_fraction, seed_id
from mentara_seed.seeding import Seeding

DAY = dt.timedelta(days=1)
BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@lru_cache(maxsize=4)
def password_hash(password: str) -> str:
    """The bcrypt hash (10 rounds) of the shared development password.

    Hashed once per process with a salt derived from the password, so the
    stored hash is the same on every run while still verifying like any other
    bcrypt hash in the Mentara API.
    """
    digest = hashlib.blake2b(b"mentara-seed/password-salt/" + password.encode(), digest_size=22).digest()
    # The 22nd salt character only carries two bits; bcrypt wants one of these four.
    salt = "".join(BCRYPT_ALPHABET[b % 64] for b in digest[:21]) + ".Oeu"[digest[21] % 4]
    return bcrypt.hashpw(password.encode(), f"$2b$10${salt}".encode()).decode()


def _updated(s: Seeding, rng, created: dt.datetime) -> dt.datetime:
    """``updatedAt``: the creation time, or a later edit that is still before the anchor."""
    if rng.random() < 0.7 or created >= s.anchor:
        return created
    return s.between(rng, created, s.anchor)


def _email_part(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isascii() and ch.isalnum())


# -- users ------------------------------------------------------------------------
def user(s: Seeding, user_id: str, role: str, ordinal: int, account: tuple[str, str, str] | None) -> dict:
    rng = s.rng("user", user_id)
    if account:
        email, first, last = account
    else:
        first, last = text.person(rng)
        email = f"{_email_part(first)}.{_email_part(last)}.{ordinal}@{role}s.mentara.test"
    created = s.days_before(rng, 420, 800)
    return {
        "id": user_id, "email": email, "firstName": first,
        "middleName": rng.choice((None, None, "A.", "M.", "R.", "L.")), "lastName": last,
        "birthDate": s.days_before(rng, 19 * 365, 60 * 365).replace(hour=0, minute=0, second=0),
        "address": rng.choice(text.pools()["address"]), "role": role,
        "createdAt": created, "updatedAt": _updated(s, rng, created),
        "password": password_hash(s.settings.test_password), "emailVerified": True,
        "emailVerifyToken": None, "emailVerifyTokenExp": None, "resetToken": None, "resetTokenExpiry": None,
        "isActive": True, "failedLoginCount": 0,
        "avatarUrl": f"https://cdn.mentara.test/avatars/{user_id}.jpg",
        "coverImageUrl": None,
        "bio": rng.choice(text.BIOS) if role in ("client", "moderator", "admin") else text.fill(rng.choice(text.THERAPIST_BIOS), rng),
        "suspendedAt": None, "suspendedBy": None, "suspensionReason": None,
        "deactivatedAt": None, "deactivatedBy": None, "deactivationReason": None,
        "lastLoginAt": s.days_before(rng, 0, 14), "lockoutUntil": None,
    }


def client_profile(s: Seeding, user_id: str, birth_date: dt.datetime | None = None) -> dict:
    """A client profile; on the current schema with the birthdate, city and country onboarding asks for."""
    rng = s.rng("client", user_id)
    created = s.days_before(rng, 400, 420)
    return {"userId": user_id, "hasSeenTherapistRecommendations": rng.random() < 0.6,
            "createdAt": created, "updatedAt": created,
            "birthdate": birth_date, "city": rng.choice(text.pools()["city"]), "country": "Philippines"}


def admin_profile(s: Seeding, user_id: str, ordinal: int) -> dict:
    created = s.days_before(s.rng("admin", user_id), 400, 420)
    return {"userId": user_id, "permissions": ["users:manage", "therapists:approve", "communities:manage", "reports:review"],
            "adminLevel": "super_admin" if ordinal == 0 else "admin", "createdAt": created, "updatedAt": created}


def moderator_profile(s: Seeding, user_id: str) -> dict:
    created = s.days_before(s.rng("moderator", user_id), 400, 420)
    return {"userId": user_id, "permissions": ["posts:moderate", "comments:moderate", "reports:review"],
            "assignedCommunities": None, "createdAt": created, "updatedAt": created}


def therapist_status(ordinal: int) -> str:
    """Mostly approved; a few applications pending or rejected (the test account is approved)."""
    if ordinal % 11 == 10:
        return "REJECTED"
    if ordinal % 6 == 5:
        return "PENDING"
    return "APPROVED"


def therapist_profile(s: Seeding, user_id: str, status: str, admin_ids: list[str]) -> dict:
    rng = s.rng("therapist", user_id)
    submitted = s.days_before(rng, 380, 400)
    processed = submitted + dt.timedelta(days=rng.randint(1, 14)) if status != "PENDING" else submitted
    years = rng.randint(2, 25)
    expertise = rng.sample(text.EXPERTISE, 3)
    approaches = rng.sample(text.APPROACHES, 2)
    languages = ["English", "Filipino"] + rng.sample(text.LANGUAGES[2:], rng.randint(0, 1))
    license_type = rng.choice(text.LICENSES)
    return {
        "userId": user_id, "mobile": f"+639{rng.randint(100000000, 999999999)}",
        "province": rng.choice(text.pools()["province"]), "timezone": "Asia/Manila", "status": status,
        "submissionDate": submitted, "processingDate": processed,
        "processedByAdminId": rng.choice(admin_ids) if admin_ids and status != "PENDING" else None,
        "providerType": rng.choice(text.PROVIDER_TYPES), "professionalLicenseType": license_type,
        "isPRCLicensed": "yes", "prcLicenseNumber": f"{rng.randint(1000000, 9999999):07d}",
        "expirationDateOfLicense": (s.anchor + dt.timedelta(days=rng.randint(200, 1000))).replace(hour=0, minute=0, second=0, microsecond=0),
        "practiceStartDate": (s.anchor - dt.timedelta(days=365 * years + rng.randint(0, 300))).replace(hour=0, minute=0, second=0, microsecond=0),
        "licenseVerified": status == "APPROVED",
        "licenseVerifiedAt": processed if status == "APPROVED" else None,
        "licenseVerifiedBy": None,
        "certifications": {"board": "Professional Regulation Commission", "license": license_type},
        "certificateUrls": [f"https://cdn.mentara.test/certificates/{user_id}.pdf"],
        "certificateNames": [f"{license_type} certificate.pdf"],
        "licenseUrls": [f"https://cdn.mentara.test/licenses/{user_id}.pdf"], "licenseNames": ["PRC license.pdf"],
        "documentUrls": [], "documentNames": [],
        "yearsOfExperience": years, "educationBackground": rng.choice(
            ("MA Clinical Psychology, University of the Philippines", "MS Counseling Psychology, Ateneo de Manila",
             "MD Psychiatry, University of Santo Tomas", "MA Psychology, De La Salle University")),
        "specialCertifications": rng.sample(["Trauma-Informed Care", "CBT Practitioner", "DBT Skills", "Play Therapy"], 2),
        "practiceLocation": rng.choice(text.pools()["city"]), "acceptsInsurance": rng.random() < 0.5,
        "acceptedInsuranceTypes": rng.sample(text.INSURANCE, 2), "areasOfExpertise": expertise,
        "assessmentTools": rng.sample(text.ASSESSMENT_TOOLS, 3), "therapeuticApproachesUsedList": approaches,
        "languagesOffered": languages, "providedOnlineTherapyBefore": rng.random() < 0.8,
        "comfortableUsingVideoConferencing": True, "preferredSessionLength": [45, 60],
        "privateConfidentialSpace": "yes", "compliesWithDataPrivacyAct": True,
        "professionalLiabilityInsurance": rng.choice(("yes", "no")), "complaintsOrDisciplinaryActions": "no",
        "willingToAbideByPlatformGuidelines": True, "expertise": expertise, "approaches": approaches,
        "languages": languages, "illnessSpecializations": rng.sample(text.ILLNESS_TOPICS, 3),
        "acceptTypes": ["adults", "young adults"],
        "treatmentSuccessRates": {topic: round(rng.uniform(0.6, 0.95), 2) for topic in expertise},
        "sessionLength": "60 minutes", "hourlyRate": Decimal(1500 + 250 * rng.below(11)).quantize(Decimal("0.01")),
        "createdAt": submitted, "updatedAt": processed,
    }


# -- communities ---------------------------------------------------------------------
def community(s: Seeding, community_id: str, name: str, topic: str, illness: bool) -> dict:
    rng = s.rng("community", community_id)
    created = s.days_before(rng, 600, 720)
    about = (f"A safe, moderated space for people living with {topic.lower()} to share experiences and coping strategies."
             if illness else f"{topic}: a friendly space to connect, share and grow together.")
    slug = text.community_slug(name)
    return {"id": community_id, "name": name, "slug": slug, "description": about,
            "imageUrl": f"https://cdn.mentara.test/communities/{slug}.jpg", "createdAt": created, "updatedAt": created}


def membership(s: Seeding, user_id: str, community_id: str) -> dict:
    membership_id = seed_id("membership", user_id, community_id)
    joined = s.anchor - dt.timedelta(seconds=int(86400 * (200 + 200 * id_fraction(membership_id))))
    return {"id": membership_id, "joinedAt": joined, "communityId": community_id, "userId": user_id}


def relationship(s: Seeding, client_id: str, therapist_id: str) -> dict:
    rng = s.rng("client_therapist", client_id, therapist_id)
    return {"id": seed_id("client_therapist", client_id, therapist_id), "clientId": client_id,
            "therapistId": therapist_id, "status": "active", "assignedAt": s.days_before(rng, 150, 200)}


# -- content -------------------------------------------------------------------------
def post(s: Seeding, rng: Stream, post_id: str, user_id: str, room_id: str, created: dt.datetime) -> dict:
    title, content = text.post(rng)
    attach = rng.random() < 0.1
    return {"id": post_id, "title": title, "content": content, "createdAt": created,
            "updatedAt": _updated(s, rng, created), "userId": user_id, "roomId": room_id,
            "attachmentUrls": [f"https://cdn.mentara.test/posts/{post_id}.jpg"] if attach else [],
            "attachmentNames": ["photo.jpg"] if attach else [],
            "attachmentSizes": [rng.randint(40_000, 900_000)] if attach else []}


def comment(s: Seeding, rng: Stream, comment_id: str, post_id: str, user_id: str, created: dt.datetime,
            parent_id: str | None = None) -> dict:
    return {"id": comment_id, "postId": post_id, "userId": user_id, "content": text.comment(rng),
            "parentId": parent_id, "createdAt": created, "updatedAt": _updated(s, rng, created),
            "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": []}


def post_heart(s: Seeding, post_id: str, user_id: str, after: dt.datetime) -> dict:
    heart_id = seed_id("post_heart", post_id, user_id)
    return {"id": heart_id, "postId": post_id, "userId": user_id,
            "createdAt": s.moment_after(id_fraction(heart_id), after)}


def comment_heart(s: Seeding, comment_id: str, user_id: str, after: dt.datetime) -> dict:
    heart_id = seed_id("comment_heart", comment_id, user_id)
    return {"id": heart_id, "commentId": comment_id, "userId": user_id,
            "createdAt": s.moment_after(id_fraction(heart_id), after)}


# -- therapy -------------------------------------------------------------------------
def meeting(s: Seeding, rng: Stream, meeting_id: str, client_id: str, therapist_id: str, past: bool | None = None,
            status: str | None = None) -> dict:
    """A session; past ones are COMPLETED (or cancelled / no-show), future ones scheduled."""
    past = rng.random() < 0.7 if past is None else past
    if past:
        start = (s.anchor - dt.timedelta(days=rng.randint(2, 120))).replace(hour=rng.randint(8, 17), minute=0, second=0, microsecond=0)
        roll = rng.random()
        status = status or ("COMPLETED" if roll < 0.85 else "CANCELLED" if roll < 0.95 else "NO_SHOW")
    else:
        start = (s.anchor + dt.timedelta(days=rng.randint(1, 30))).replace(hour=rng.randint(8, 17), minute=0, second=0, microsecond=0)
        status = status or rng.choice(("SCHEDULED", "CONFIRMED"))
    duration = rng.choice((45, 60, 60, 90))
    created = min(start, s.anchor) - dt.timedelta(days=rng.randint(1, 14), minutes=rng.randint(0, 600))
    return {"id": meeting_id, "title": rng.choice(text.MEETING_TITLES),
            "description": "Video session on the Mentara platform", "startTime": start,
            "endTime": start + dt.timedelta(minutes=duration), "duration": duration, "status": status,
            "meetingType": "video", "meetingUrl": f"https://meet.mentara.test/{meeting_id}",
            "clientId": client_id, "therapistId": therapist_id, "createdAt": created,
            "updatedAt": min(max(created, start + dt.timedelta(minutes=duration)), s.anchor) if past else created}


def meeting_notes(s: Seeding, notes_id: str, meeting_id: str, meeting_end: dt.datetime) -> dict:
    rng = s.rng("meeting_notes", notes_id)
    written = min(meeting_end + dt.timedelta(minutes=rng.randint(5, 240)), s.anchor)
    return {"id": notes_id, "meetingId": meeting_id, "notes": text.fill(rng.choice(text.MEETING_NOTES), rng),
            "createdAt": written, "updatedAt": written}


def worksheet(s: Seeding, rng: Stream, worksheet_id: str, client_id: str, therapist_id: str) -> tuple[dict, dict | None]:
    """A worksheet and, when the client has handed it in, its submission."""
    title, instructions = rng.choice(text.WORKSHEETS)
    due = (s.anchor + dt.timedelta(days=rng.randint(-40, 21))).replace(hour=23, minute=59, second=0, microsecond=0)
    created = min(due, s.anchor) - dt.timedelta(days=rng.randint(7, 14))
    if due > s.anchor:
        status = "ASSIGNED"
    else:
        status = rng.choice(("SUBMITTED", "REVIEWED", "REVIEWED", "OVERDUE"))
    sheet = {"id": worksheet_id, "clientId": client_id, "therapistId": therapist_id, "title": title,
             "instructions": text.fill(instructions, rng), "dueDate": due, "status": status,
             "materialUrls": [f"https://cdn.mentara.test/worksheets/{_email_part(title)}.pdf"],
             "materialNames": [f"{title}.pdf"], "createdAt": created, "updatedAt": created}
    if status not in ("SUBMITTED", "REVIEWED"):
        return sheet, None
    submitted = s.between(rng, created, min(due, s.anchor))
    sheet["updatedAt"] = submitted
    return sheet, {"id": seed_id("worksheet_submission", worksheet_id), "worksheetId": worksheet_id,
                   "fileUrls": [f"https://cdn.mentara.test/submissions/{worksheet_id}.pdf"],
                   "fileNames": [f"{title} - completed.pdf"], "fileSizes": [rng.randint(50_000, 2_000_000)],
                   "submittedAt": submitted,
                   "feedback": rng.choice(text.WORKSHEET_FEEDBACK) if status == "REVIEWED" else None}


def pre_assessment(s: Seeding, assessment_id: str, client_id: str, topics, created: dt.datetime, ordinal: int = 0,
                   chatbot: dict | None = None) -> dict:
    """A completed (processed) pre-assessment: 201 answers drawn for the client's concerns (their
    communities' topics), scored and labelled as the API does. A later one (``ordinal`` > 0) finds
    the client a little better; one from a ``chatbot`` session carries its answers and insights."""
    rng = s.rng("pre_assessment", assessment_id)
    answers = assessments.draw_answers(rng, assessments.concerns_of(topics), shift=-0.1 * ordinal)
    if chatbot is not None:
        for key, values in chatbot["collectedAnswers"].items():
            block = assessments.BY_KEY.get(key)
            if block is not None and len(values) == block.items:
                answers[block.start:block.start + block.items] = values
    scores, severities = assessments.score(answers)
    processed = created + dt.timedelta(minutes=rng.randint(1, 6))
    return {"id": assessment_id, "createdAt": created, "updatedAt": processed, "clientId": client_id,
            "answers": answers, "scores": scores, "severityLevels": severities,
            "aiEstimate": assessments.ai_estimate(rng, scores), "isProcessed": True, "processedAt": processed,
            "assessmentMethod": "CHATBOT" if chatbot else "CHECKLIST",
            "chatbotSessionId": chatbot["id"] if chatbot else None,
            "conversationInsights": chatbot["conversationInsights"] if chatbot else None}


def review(s: Seeding, client_id: str, therapist_id: str, meeting_id: str, meeting_end: dt.datetime) -> dict:
    review_id = seed_id("review", client_id, therapist_id, meeting_id)
    rng = s.rng("review", review_id)
    created = s.between(rng, meeting_end, s.anchor)
    return {"id": review_id, "rating": rng.choice((4, 5, 5, 5, 3)), "title": rng.choice(text.REVIEW_TITLES),
            "content": text.fill(rng.choice(text.REVIEW_BODIES), rng), "isAnonymous": rng.random() < 0.3,
            "clientId": client_id, "therapistId": therapist_id, "meetingId": meeting_id, "isVerified": True,
            "createdAt": created, "updatedAt": created}


# -- messages and notifications ---------------------------------------------------------
def conversation(s: Seeding, conversation_id: str, participants: list[str], first_message: dt.datetime,
                 messages: list[dict]) -> tuple[dict, list[dict]]:
    """A direct conversation and its participant rows."""
    rng = s.rng("conversation", conversation_id)
    created = first_message - dt.timedelta(minutes=rng.randint(1, 30))
    last = max((m["createdAt"] for m in messages), default=None)
    conv = {"id": conversation_id, "type": "DIRECT", "title": None, "isActive": True, "lastMessageAt": last,
            "createdAt": created, "updatedAt": last or created}
    members = [{"id": seed_id("conversation_participant", conversation_id, user_id),
                "conversationId": conversation_id, "userId": user_id, "joinedAt": created, "lastReadAt": last,
                "role": "MEMBER", "isActive": True, "isMuted": False} for user_id in participants]
    return conv, members


def message(s: Seeding, message_id: str, conversation_id: str, sender_id: str, sent: dt.datetime, index: int) -> dict:
    rng = s.rng("message", message_id)
    return {"id": message_id, "conversationId": conversation_id, "senderId": sender_id,
            "content": text.fill(text.MESSAGES[index % len(text.MESSAGES)] if rng.random() < 0.7 else rng.choice(text.MESSAGES), rng),
            "messageType": "TEXT", "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": [],
            "replyToId": None, "isEdited": False, "isDeleted": False, "editedAt": None,
            "createdAt": sent, "updatedAt": sent}


def notification(s: Seeding, rng: Stream, notification_id: str, user_id: str) -> dict:
    kind, title, body = rng.choice(text.NOTIFICATIONS)
    created = s.days_before(rng, 0.05, 30)
    read = rng.random() < 0.5
    return {"id": notification_id, "userId": user_id, "title": title, "message": body, "type": kind,
            "priority": "HIGH" if kind.startswith("APPOINTMENT") else "NORMAL",
            "data": {"source": "mentara_seed", "kind": kind.lower()}, "actionUrl": f"/notifications/{notification_id}",
            "isRead": read, "readAt": s.between(rng, created, s.anchor) if read else None,
            "createdAt": created, "updatedAt": created}
