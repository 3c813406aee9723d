"""Tier 5 enricher: clients have ways to pay, and every completed session is paid for."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from mentara_seed import contract
from mentara_seed.assets.common import enricher
from mentara_seed.generate import people, rows
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

PM, PAY = T.PaymentMethod, T.Payment
METHOD_TYPES = ("CARD", "CARD", "CARD", "GCASH", "GCASH", "MAYA")
INSURERS = ("Maxicare", "Intellicare", "MediCard", "PhilCare", "Cocolife")
# Payments are in pesos: therapists' rates are what they charge per hour in the Philippines, and the
# web app shows every amount with the peso sign.
CURRENCY = "PHP"


def session_price(hourly_rate, duration: int) -> Decimal:
    """What a session costs (booking/services/pricing.service.ts): the hourly rate times the hours, to the centavo."""
    return (Decimal(str(hourly_rate)) * duration / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@enricher("payments", tier=5, owns=T.Payment, inputs=["enriched_meetings"], shard_by="client (and their sessions)",
          writes=[T.PaymentMethod])
def enrich_payments(s: Seeding) -> None:
    """Guarantees: every client has a payment method (a card, GCash or Maya; some add a second, on
    the current schema possibly an HMO card), exactly one of them the default; and every completed
    session has a payment by its client to its therapist at the therapist's hourly rate for the
    session's length, dated at the session, through the client's default method: mostly COMPLETED,
    some FAILED (with the reason the app records) and a few REFUNDED."""
    add_payment_methods(s)
    add_payments(s)


def add_payment_methods(s: Seeding) -> None:
    needs = s.needs(BY_NAME["client_payment_methods"])
    if not needs:
        return
    U = T.User
    people = {row.id: row for part in chunks(sorted(needs), LOOKUP) for row in s.rows(
        sa.select(U.c.id, U.c.firstName, U.c.lastName, U.c.email, U.c.createdAt).where(s.one_of(U.c.id, part)))}
    defaults = set(s.scalars(sa.select(PM.c.userId).where(PM.c.isDefault == sa.true())))
    insurance = "INSURANCE" in s.target.values("PaymentMethodType")
    for chunk in s.ids.new_ids(PM, "payment_methods/client", needs):
        new = []
        for client_id, method_id, rng in chunk:
            person = people[client_id]
            first = client_id not in defaults
            defaults.add(client_id)
            new.append(payment_method(s, rng, method_id, person, default=first))
            if first and rng.random() < 0.3:  # a second way to pay
                second = seed_id("payment_method/second", method_id)
                kind = "INSURANCE" if insurance and rng.random() < 0.5 else None
                new.append(payment_method(s, s.rng("payment_methods/second", method_id), second, person, False, kind))
        s.insert(PM, new)


def payment_method(s: Seeding, rng: Stream, method_id: str, person, default: bool, kind: str | None = None) -> dict:
    kind = kind or rng.choice(METHOD_TYPES)
    name = f"{person.firstName} {person.lastName}"
    added = s.between(rng, person.createdAt, min(person.createdAt + dt.timedelta(days=60), s.anchor))
    mobile = people.mobile(rng, local=True)
    row = {column: None for column in PM.c.keys()}
    row.update({"id": method_id, "userId": person.id, "type": kind, "nickname": None, "isDefault": default,
                "isActive": True, "createdAt": added, "updatedAt": added})
    if kind == "CARD":
        brand = rng.choice(("Visa", "Visa", "Mastercard"))
        last4 = f"{rng.randint(0, 9999):04d}"
        row.update({"cardholderName": name.upper(), "cardNumber": "*" * 12 + last4, "cardLast4": last4,
                    "cardBrand": brand, "cardType": brand, "expiryMonth": rng.randint(1, 12),
                    "expiryYear": s.anchor.year + rng.randint(1, 5)})
    elif kind == "GCASH":
        row.update({"gcashNumber": mobile, "gcashName": name, "gcashEmail": person.email, "isVerified": rng.random() < 0.8})
    elif kind == "MAYA":
        row.update({"mayaNumber": mobile, "mayaName": name, "mayaEmail": person.email, "mayaVerified": rng.random() < 0.8})
    else:  # an HMO card; the app verifies only the insurers it knows, none of them Philippine
        insurer = rng.choice(INSURERS)
        policy = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(10))
        coverage = rng.choice(({"coverageType": "COPAY", "copayAmount": 500}, {"coverageType": "PERCENTAGE",
                                                                                 "coveragePercentage": 80}))
        row.update({"insuranceProviderName": insurer, "policyNumber": policy, "memberId": f"M{rng.randint(10**7, 10**8 - 1)}",
                    "groupNumber": f"G{rng.randint(1000, 9999)}", "insuranceVerified": False,
                    "coverageDetails": coverage, "nickname": f"{insurer} - {policy[-4:]}"})
    if rng.random() < 0.4:
        row["billingAddress"] = {"city": rows.identity(s, person.id, "client").city, "country": "Philippines"}
    return row


def add_payments(s: Seeding) -> None:
    M, Th = T.Meeting, T.Therapist

    def clients(meeting_ids: list[str]) -> dict[str, str]:
        """A session's payment goes with its client's payment methods (one shard makes both)."""
        return {meeting_id: client_id for part in chunks(sorted(meeting_ids), LOOKUP)
                for meeting_id, client_id in s.rows(sa.select(M.c.id, M.c.clientId).where(s.one_of(M.c.id, part)))}

    needs = s.needs(BY_NAME["completed_meeting_payments"], owner=clients)
    if not needs:
        return
    meetings = {}
    for part in chunks(sorted(needs), LOOKUP):
        for row in s.rows(sa.select(M.c.id, M.c.clientId, M.c.therapistId, M.c.startTime, M.c.endTime, M.c.duration,
                                    Th.c.hourlyRate).join(Th, Th.c.userId == M.c.therapistId)
                          .where(s.one_of(M.c.id, part))):
            meetings[row.id] = row
    methods = {user: (method_id, kind) for user, method_id, kind in s.rows(
        # Not an HMO card (which the app only takes once verified). Named by the values this target has:
        # Postgres refuses a literal outside its enum (INSURANCE on the Oct 2025 schema).
        sa.select(PM.c.userId, PM.c.id, PM.c.type).where(
            PM.c.isDefault == sa.true(), PM.c.type.in_([t for t in s.target.values("PaymentMethodType") if t != "INSURANCE"]))
        .order_by(PM.c.userId, PM.c.id))}
    for chunk in s.ids.new_ids(PAY, "payments/meeting", needs):
        new = []
        for meeting_id, payment_id, rng in chunk:
            meeting = meetings.get(meeting_id)
            if meeting is None:
                s.unmet["completed_meeting_payments"] += 1
                continue
            new.append(payment(s, rng, payment_id, meeting, methods.get(meeting.clientId)))
        s.insert(PAY, new)


def payment(s: Seeding, rng: Stream, payment_id: str, meeting, method) -> dict:
    roll = rng.random()
    status = "COMPLETED" if roll < 0.88 else "FAILED" if roll < 0.95 else "REFUNDED"
    charged = min(meeting.startTime, s.anchor)
    processed = charged + dt.timedelta(seconds=rng.randint(2, 40))
    method_id, kind = method or (None, None)
    wallet_failures = ("Insufficient funds", "Network error")
    row = {"id": payment_id, "amount": session_price(meeting.hourlyRate or 100, meeting.duration or 60),
           "currency": CURRENCY, "status": status, "clientId": meeting.clientId, "therapistId": meeting.therapistId,
           "meetingId": meeting.id, "paymentMethodId": method_id, "processedAt": None, "failedAt": None,
           "failureReason": None, "createdAt": charged, "updatedAt": processed}
    if status == "FAILED":
        row.update({"failedAt": processed,
                    "failureReason": rng.choice(contract.PAYMENT_FAILURES if kind == "CARD" else wallet_failures)})
    else:
        row["processedAt"] = processed
    if status == "REFUNDED":
        row["updatedAt"] = s.between(rng, processed, min(processed + dt.timedelta(days=7), s.anchor))
    return row
