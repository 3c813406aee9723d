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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

import bcrypt
import numpy as np

from mentara_seed.generate import assessments, content, corpus, people, professionals
from mentara_seed.generate.keys import Stream, id_fraction, seed_id
from mentara_seed.seeding import Seeding
from mentara_seed.seeding.columns import Columns, Moments, moments_after, pair_ids, to_us

if TYPE_CHECKING:
    from mentara_seed.generate import voices

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
AGES = {"client": (18, 55), "therapist": (29, 62), "moderator": (24, 48), "admin": (26, 52)}
CLIENT_BIOS = (
    "{job} from {city}. Learning to slow down and take things one day at a time.",
    "{job} based in {city}. Here to listen, learn and share what helps.",
    "Finding calm through {hobby}. {job} in {city}.",
    "{job}, {hobby} enthusiast, work in progress.",
    "Trying to be kinder to myself. {hobby} on weekends.",
    "{city} born and raised. {job}. Small steps.",
)
JOBS = ("Nurse", "Call center agent", "Teacher", "College student", "Software developer", "Accountant", "Seafarer's wife",
        "Freelance designer", "Med tech", "Marketing associate", "Barista", "Engineering student", "Small business owner",
        "Working mom", "Graduate student", "Sales associate", "Civil engineer", "HR officer")
HOBBIES = ("running", "journaling", "painting", "hiking", "gardening", "basketball", "baking", "photography", "yoga",
           "playing guitar", "reading", "cycling")


@dataclass(frozen=True)
class Identity:
    """Who a seeded user is, drawn from their id alone: every builder of their rows agrees on it."""

    first: str
    last: str
    middle: str | None
    sex: str
    born: dt.datetime
    city: str
    province: str
    language: str | None


def identity(s: Seeding, user_id: str, role: str, account: tuple[str, str, str] | None = None) -> Identity:
    rng = s.rng("identity", user_id)
    first, last, middle, sex = people.person(rng)
    if account:
        first, last = account[1], account[2]
    city, province, language = people.place(rng, in_a_province=role == "therapist")
    low, high = AGES.get(role, (20, 60))
    born = s.days_before(rng, low * 365.25 + 30, high * 365.25).replace(hour=0, minute=0, second=0, microsecond=0)
    return Identity(first, last, middle, sex, born, city, province, language)


def user(s: Seeding, user_id: str, role: str, ordinal: int, account: tuple[str, str, str] | None) -> dict:
    rng = s.rng("user", user_id)
    who = identity(s, user_id, role, account)
    email = account[0] if account else f"{_email_part(who.first)}.{_email_part(who.last)}.{ordinal}@{role}s.mentara.test"
    created = s.days_before(rng, 420, 800)
    if role == "client":
        bio = rng.choice(CLIENT_BIOS).format(job=rng.choice(JOBS), city=who.city, hobby=rng.choice(HOBBIES))
    elif role == "therapist":
        bio = therapist_bio(s, user_id)
    else:
        bio = rng.choice((f"{role.title()} at Mentara, based in {who.city}.",
                          f"Keeping Mentara a safe place to talk. {who.city}."))
    return {
        "id": user_id, "email": email, "firstName": who.first, "middleName": who.middle, "lastName": who.last,
        "birthDate": who.born, "address": people.address(rng, who.city, who.province), "role": role,
        "createdAt": created, "updatedAt": _updated(s, rng, created),
        "password": password_hash(s.settings.test_password),
        # Therapists verify their e-mail when their application is approved (admin-therapist.service).
        "emailVerified": role != "therapist" or therapist_status(ordinal) == "APPROVED",
        "emailVerifyToken": None, "emailVerifyTokenExp": None, "resetToken": None, "resetTokenExpiry": None,
        "isActive": True, "failedLoginCount": 0,
        "avatarUrl": f"https://cdn.mentara.test/avatars/{user_id}.jpg",
        "coverImageUrl": None, "bio": bio,
        "suspendedAt": None, "suspendedBy": None, "suspensionReason": None,
        "deactivatedAt": None, "deactivatedBy": None, "deactivationReason": None,
        # The documented accounts are the ones people log in with: today.
        "lastLoginAt": s.days_before(rng, 0.05, 1) if account else s.days_before(rng, 0.1, 14), "lockoutUntil": None,
    }


def client_profile(s: Seeding, user_id: str, birth_date: dt.datetime | None = None) -> dict:
    """A client profile; on the current schema with the birthdate, city and country onboarding asks for
    (the user's own)."""
    rng = s.rng("client", user_id)
    created = s.days_before(rng, 400, 420)
    return {"userId": user_id, "hasSeenTherapistRecommendations": rng.random() < 0.6,
            "createdAt": created, "updatedAt": created,
            "birthdate": birth_date, "city": identity(s, user_id, "client").city, "country": "Philippines"}


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


@dataclass(frozen=True)
class Career:
    practice: professionals.Practice
    started: dt.datetime
    years: int
    rate: Decimal


def career(s: Seeding, user_id: str) -> Career:
    """A therapist's practice, dates and rate, drawn from their id alone (the profile and the bio agree)."""
    rng = s.rng("career", user_id)
    who = identity(s, user_id, "therapist")
    p = professionals.practice(rng, who.language)
    age_now = (s.anchor - who.born).days / 365.25
    # Licensed after a master's degree: practice starts at 25 at the earliest, and at least two years ago.
    first_year = 25 + rng.uniform(0, max(0.0, min(12.0, age_now - 27)))
    started = (who.born + dt.timedelta(days=365.25 * first_year)).replace(hour=0, minute=0, second=0, microsecond=0)
    years = professionals.full_years(started, s.anchor)
    rate = Decimal(1000 + 100 * rng.randint(0, 6) + 75 * min(years, 20)).quantize(Decimal("0.01"))
    return Career(p, started, years, rate)


def therapist_bio(s: Seeding, user_id: str) -> str:
    c = career(s, user_id)
    return professionals.bio(s.rng("therapist_bio", user_id), c.practice, c.years, identity(s, user_id, "therapist").city)


def therapist_profile(s: Seeding, user_id: str, status: str, admin_ids: list[str]) -> dict:
    rng = s.rng("therapist", user_id)
    who, c = identity(s, user_id, "therapist"), career(s, user_id)
    p = c.practice
    submitted = s.days_before(rng, 380, 400)
    processed = submitted + dt.timedelta(days=rng.randint(1, 14)) if status != "PENDING" else submitted
    if status == "PENDING":  # a recent application, waiting for an admin
        submitted = processed = s.days_before(rng, 1, 12)
    accepts = ["self-pay"] + rng.sample(professionals.ACCEPTS[1:], rng.randint(0, 2))
    insured = "hmo" in accepts or "philhealth" in accepts
    return {
        "userId": user_id, "mobile": people.mobile(rng),
        "province": who.province, "timezone": "Asia/Manila", "status": status,
        "submissionDate": submitted, "processingDate": processed,
        "processedByAdminId": rng.choice(admin_ids) if admin_ids and status != "PENDING" else None,
        "providerType": p.provider_type, "professionalLicenseType": p.licence,
        "isPRCLicensed": "yes", "prcLicenseNumber": f"{rng.randint(0, 9999999):07d}",
        "expirationDateOfLicense": (s.anchor + dt.timedelta(days=rng.randint(200, 1000))).replace(hour=0, minute=0, second=0, microsecond=0),
        "practiceStartDate": c.started,
        "licenseVerified": status == "APPROVED",
        "licenseVerifiedAt": processed if status == "APPROVED" else None,
        "licenseVerifiedBy": None,
        "certifications": {"board": "Professional Regulation Commission", "license": p.licence_name},
        "certificateUrls": [f"https://cdn.mentara.test/certificates/{user_id}.pdf"],
        "certificateNames": [f"{p.licence_name} certificate.pdf"],
        "licenseUrls": [f"https://cdn.mentara.test/licenses/{user_id}.pdf"], "licenseNames": ["PRC license.pdf"],
        "documentUrls": [], "documentNames": [],
        "yearsOfExperience": c.years, "educationBackground": p.degree,
        "specialCertifications": rng.sample(["Trauma-Informed Care", "CBT Practitioner", "DBT Skills",
                                             "Psychological First Aid"], 1),
        "practiceLocation": who.city, "acceptsInsurance": insured,
        "acceptedInsuranceTypes": rng.sample(professionals.INSURERS, 2) if insured else [],
        "areasOfExpertise": list(p.expertise), "assessmentTools": list(p.tools),
        "therapeuticApproachesUsedList": list(p.approaches), "languagesOffered": list(p.languages),
        "providedOnlineTherapyBefore": rng.random() < 0.8,
        "comfortableUsingVideoConferencing": True, "preferredSessionLength": [30, 45, 60],
        "privateConfidentialSpace": "yes", "compliesWithDataPrivacyAct": True,
        "professionalLiabilityInsurance": rng.choice(("yes", "no", "willing")), "complaintsOrDisciplinaryActions": "no",
        "willingToAbideByPlatformGuidelines": True, "expertise": list(p.expertise), "approaches": list(p.approaches),
        "languages": list(p.languages),
        "illnessSpecializations": sorted({professionals.SPECIALIZATION[a] for a in p.expertise}),
        "acceptTypes": accepts, "treatmentSuccessRates": {},
        "sessionLength": "60 minutes", "hourlyRate": c.rate,
        "createdAt": submitted, "updatedAt": processed,
    }


# -- communities ---------------------------------------------------------------------
def community(s: Seeding, community_id: str, name: str, topic, chapter: str | None) -> dict:
    rng = s.rng("community", community_id)
    created = s.days_before(rng, 600, 720)
    slug = topic.slug + (f"-{corpus.slug(chapter)}" if chapter else "")
    about = topic.description + (f" This chapter meets members from {chapter}." if chapter else "")
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
def post(s: Seeding, rng: Stream, post_id: str, user_id: str, room_id: str, created: dt.datetime,
         title: str, content: str) -> dict:
    attach = rng.random() < 0.1
    return {"id": post_id, "title": title, "content": content, "createdAt": created,
            "updatedAt": _updated(s, rng, created), "userId": user_id, "roomId": room_id,
            "attachmentUrls": [f"https://cdn.mentara.test/posts/{post_id}.jpg"] if attach else [],
            "attachmentNames": ["photo.jpg"] if attach else [],
            "attachmentSizes": [rng.randint(40_000, 900_000)] if attach else []}


def comment(s: Seeding, rng: Stream, comment_id: str, post_id: str, user_id: str, created: dt.datetime,
            content: str, parent_id: str | None = None) -> dict:
    return {"id": comment_id, "postId": post_id, "userId": user_id, "content": content,
            "parentId": parent_id, "createdAt": created, "updatedAt": _updated(s, rng, created),
            "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": []}


def hearts(s: Seeding, table: str, targets: Sequence[str], users: Sequence[str], after: np.ndarray) -> Columns:
    """Hearts of ``table`` ("post" or "comment"): each user's heart on the target beside them, a
    moment soon after the target's own (``after``, microseconds), drawn from the heart's id.

    Built a column at a time: a heart is an id, two keys and one moment, and hearts are most of
    the rows a seed writes."""
    ids, draws = pair_ids(f"{table}_heart", targets, users)
    created = moments_after(draws, after, to_us(s.anchor))
    return Columns({"id": ids, f"{table}Id": list(targets), "userId": list(users), "createdAt": Moments(created)})


def heart_batches(s: Seeding, table: str, fans: Iterable[tuple[str, dt.datetime, Sequence[str]]],
                  rows_per_batch: int = 5_000) -> Iterator[Columns]:
    """``hearts`` for ``(target, its moment, the users who heart it)``, a batch of about
    ``rows_per_batch`` at a time (the database loads one while the next is built)."""
    targets: list[str] = []
    users: list[str] = []
    after: list[int] = []
    for target, moment, who in fans:
        if not who:
            continue
        targets.extend([target] * len(who))
        users.extend(who)
        after.extend([to_us(moment)] * len(who))
        if len(targets) >= rows_per_batch:
            yield hearts(s, table, targets, users, np.array(after, dtype=np.int64))
            targets, users, after = [], [], []
    if targets:
        yield hearts(s, table, targets, users, np.array(after, dtype=np.int64))


# -- therapy -------------------------------------------------------------------------
def meeting(s: Seeding, rng: Stream, meeting_id: str, client_id: str, therapist_id: str, start: dt.datetime,
            duration: int, therapist_name: str, status: str | None = None) -> dict:
    """A session at ``start`` (a free slot of the therapist's week): past ones are COMPLETED,
    CANCELLED or NO_SHOW, future ones WAITING (a request), SCHEDULED or CONFIRMED."""
    end = start + dt.timedelta(minutes=duration)
    roll = rng.random()
    if status is None and end <= s.anchor:
        status = "COMPLETED" if roll < 0.85 else "CANCELLED" if roll < 0.95 else "NO_SHOW"
    elif status is None:
        status = "CONFIRMED" if roll < 0.45 else "SCHEDULED" if roll < 0.85 else "WAITING"
    booked = s.between(rng, min(start, s.anchor) - dt.timedelta(days=14), min(start, s.anchor) - dt.timedelta(hours=12))
    kind = "video" if rng.random() < 0.92 else rng.choice(("audio", "chat"))
    return {"id": meeting_id, "title": f"Session with {therapist_name}",
            "description": rng.choice((None, None, "Weekly session", "Follow-up session", "Check-in session")),
            "startTime": start, "endTime": end, "duration": duration, "status": status, "meetingType": kind,
            # What the booking service sets for a video session (FRONTEND_URL defaults to the local web app).
            "meetingUrl": f"http://localhost:3000/meeting/{meeting_id}" if kind == "video" else None,
            "clientId": client_id, "therapistId": therapist_id, "createdAt": booked,
            "updatedAt": min(end, s.anchor) if end <= s.anchor else booked}


def meeting_notes(s: Seeding, notes_id: str, meeting_id: str, meeting_end: dt.datetime, client_id: str,
                  writers: voices.Writers) -> dict:
    rng = s.rng("meeting_notes", notes_id)
    written = min(meeting_end + dt.timedelta(minutes=rng.randint(5, 240)), s.anchor)
    topic, subject = writers.therapy_focus(client_id)
    notes = content.session_note(rng, topic, subject, meeting_end.strftime("%d %b").lstrip("0"))
    return {"id": notes_id, "meetingId": meeting_id, "notes": notes, "createdAt": written, "updatedAt": written}


def worksheet(s: Seeding, rng: Stream, worksheet_id: str, client_id: str, therapist_id: str,
              writers: voices.Writers, due_in: tuple[int, int] = (-40, 21)) -> tuple[dict, dict | None]:
    """A worksheet on the client's concerns, due ``due_in`` days from the anchor, and, when the client
    has handed it in, its submission.

    Past its due date a worksheet is SUBMITTED or REVIEWED, or still ASSIGNED: the app finds
    overdue ones as ASSIGNED with a past due date and never sets OVERDUE (worksheets.service)."""
    topic, subject = writers.therapy_focus(client_id)
    title, instructions = content.worksheet(rng, topic, subject)
    due = (s.anchor + dt.timedelta(days=rng.randint(*due_in))).replace(hour=15, minute=59, second=0, microsecond=0)
    created = s.between(rng, min(due, s.anchor) - dt.timedelta(days=14), min(due, s.anchor) - dt.timedelta(days=7))
    if due > s.anchor:
        status = "ASSIGNED"
    else:
        status = rng.choice(("SUBMITTED", "REVIEWED", "REVIEWED", "ASSIGNED"))
    sheet = {"id": worksheet_id, "clientId": client_id, "therapistId": therapist_id, "title": title,
             "instructions": instructions, "dueDate": due, "status": status,
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
                   "feedback": content.feedback(rng, writers.first_name(client_id), subject) if status == "REVIEWED" else None}


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


def review(s: Seeding, client_id: str, therapist_id: str, meeting_id: str, meeting_end: dt.datetime,
           writers: voices.Writers) -> dict:
    """A review of a completed session by its client, days after it, its words as warm as its stars."""
    review_id = seed_id("review", client_id, therapist_id, meeting_id)
    rng = s.rng("review", review_id)
    created = s.soon_after(rng, meeting_end, 36, late_share=0.3)
    rating = rng.choice(content.RATINGS)
    topic, subject = writers.therapy_focus(client_id)
    title, body = content.review(rng, rating, writers.first_name(therapist_id), topic, subject)
    return {"id": review_id, "rating": rating, "title": title, "content": body, "isAnonymous": rng.random() < 0.3,
            "clientId": client_id, "therapistId": therapist_id, "meetingId": meeting_id, "isVerified": True,
            "createdAt": created, "updatedAt": created}


# -- messages and notifications ---------------------------------------------------------
def conversation(s: Seeding, conversation_id: str, participants: list[str], first_message: dt.datetime,
                 messages: list[dict], title: str | None = None) -> tuple[dict, list[dict]]:
    """A direct conversation and its participant rows: the first participant started it (the app
    makes its creator ADMIN), and each has read up to their own last message."""
    rng = s.rng("conversation", conversation_id)
    created = first_message - dt.timedelta(minutes=rng.randint(1, 30))
    last = max((m["createdAt"] for m in messages), default=None)
    conv = {"id": conversation_id, "type": "DIRECT", "title": title, "isActive": True, "lastMessageAt": last,
            "createdAt": created, "updatedAt": last or created}
    read_up_to = {m["senderId"]: m["createdAt"] for m in sorted(messages, key=lambda m: m["createdAt"])}
    members = [{"id": seed_id("conversation_participant", conversation_id, user_id),
                "conversationId": conversation_id, "userId": user_id, "joinedAt": created,
                "lastReadAt": read_up_to.get(user_id), "role": "ADMIN" if k == 0 else "MEMBER", "isActive": True,
                "isMuted": False} for k, user_id in enumerate(participants)]
    return conv, members


def message(s: Seeding, message_id: str, conversation_id: str, sender_id: str, sent: dt.datetime, content: str) -> dict:
    return {"id": message_id, "conversationId": conversation_id, "senderId": sender_id, "content": content,
            "messageType": "TEXT", "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": [],
            "replyToId": None, "isEdited": False, "isDeleted": False, "editedAt": None,
            "createdAt": sent, "updatedAt": sent}
