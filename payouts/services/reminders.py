"""Approved claims that wait for the customer's payment details: who they are, and reminders.

A claim waits when it is approved or its payout is pending and its customer has given no
payee details. Nothing is scheduled ahead: the beat task ``payee_reminders_send`` looks for
claims whose next reminder is due (``PAYEE_REMINDER_DAYS`` after the claim entered its state)
and sends it, once per number (``PayeeReminder``'s unique constraint), in bounded batches.
A claim already past several offsets gets only the latest one.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.lifecycle import PAYOUT_WAITING_STATUSES
from claims.models import MARKETPLACE_FUNDING, Claim
from claims.outbox import outbox_add
from payouts.models import PayeeReminder

WAITING_STATUSES = PAYOUT_WAITING_STATUSES


def claims_waiting_for_payee():
    """Claims the marketplace pays, approved (or awaiting payout), whose customer has no payment
    details (a claim the seller or insurer pays needs none from us)."""
    return Claim.objects.filter(
        status__in=WAITING_STATUSES,
        funding__in=MARKETPLACE_FUNDING,
        customer__payee__isnull=True,
    )


def claim_waits_for_payee(claim: Claim, *, has_payee: bool) -> bool:
    """The one rule: a claim the marketplace pays, approved or awaiting payout, whose customer
    has given no payment details (``claims_waiting_for_payee`` is its query form)."""
    return (
        not has_payee and claim.status in WAITING_STATUSES and claim.funding in MARKETPLACE_FUNDING
    )


def claim_needs_payee(claim: Claim) -> bool:
    from payouts.models import PayeeDetails

    has_payee = PayeeDetails.objects.filter(customer_id=claim.customer_id).exists()
    return claim_waits_for_payee(claim, has_payee=has_payee)


def payee_reminders_send(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Record and queue the reminders that are due, at most ``limit``; returns how many. Safe
    to run any number of times and by several workers at once."""
    now = now or timezone.now()
    limit = limit or settings.PAYEE_REMINDER_BATCH
    offsets = sorted(settings.PAYEE_REMINDER_DAYS)
    sent = 0
    # Latest offset first: a claim past several gets only the latest reminder.
    for number in range(len(offsets), 0, -1):
        if sent >= limit:
            break
        due_before = now - dt.timedelta(days=offsets[number - 1])
        claim_ids = list(
            claims_waiting_for_payee()
            .filter(status_changed_at__lte=due_before)
            .exclude(payee_reminders__number__gte=number)
            .order_by("status_changed_at", "pk")
            .values_list("pk", flat=True)[: limit - sent]
        )
        for claim_id in claim_ids:
            try:
                with transaction.atomic():
                    reminder = PayeeReminder.objects.create(
                        claim_id=claim_id, number=number, sent_at=now
                    )
                    outbox_add(
                        topic="payouts.payee_reminder",
                        payload={"claim_id": claim_id, "number": number},
                        dedupe_key=f"payouts.payee_reminder:{reminder.pk}",
                    )
            except IntegrityError:
                continue  # another worker recorded it first
            sent += 1
    return sent
