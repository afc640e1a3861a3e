"""Reminders before a deadline, sent by periodic sweepers, each at most once (``Reminder.key``)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from claims.models import Claim, ClaimStatus, Region
from claims.outbox import outbox_add
from sellers.models import CertificateStatus, InsuranceCertificate, Reminder
from webhooks.events import seller_reminder_due

CERTIFICATE_NOTICE_DAYS = 30
BATCH = 500


def _remember(*, key: str, **fields) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(key=key, **fields)
    except IntegrityError:
        return False
    return True


def response_reminder_key(claim_id: int, offset: int) -> str:
    return f"response:{claim_id}:{offset}h"


def seller_reminders_send(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Remind sellers whose response deadline is within one of the region's offsets.

    Offsets are handled smallest first; a claim that is already inside a smaller offset gets
    that one reminder and the larger offsets are recorded as passed, so a short window never
    sends two reminders at once. Each reminder is also an API event for the claim's seller
    (and insurer), in the same transaction as the reminder's record.
    """
    now = now or timezone.now()
    sent = 0
    for region in Region.objects.exclude(seller_reminder_hours=""):
        offsets = sorted(region.reminder_offsets)
        for offset in offsets:
            key_suffix = f":{offset}h"
            due = list(
                Claim.objects.filter(
                    region=region,
                    status=ClaimStatus.AWAITING_SELLER,
                    seller_respond_by__gt=now,
                    seller_respond_by__lte=now + dt.timedelta(hours=offset),
                )
                .filter(
                    ~Exists(Reminder.objects.filter(claim=OuterRef("pk"), key__endswith=key_suffix))
                )
                .values_list("pk", flat=True)[:limit]
            )
            for claim_id in due:
                with transaction.atomic():
                    if not _remember(
                        key=response_reminder_key(claim_id, offset), claim_id=claim_id
                    ):
                        continue
                    for larger in (o for o in offsets if o > offset):
                        _remember(key=response_reminder_key(claim_id, larger), claim_id=claim_id)
                    outbox_add(
                        topic="sellers.remind_seller",
                        payload={"claim_id": claim_id, "offset_hours": offset},
                        dedupe_key=f"sellers.remind_seller:{claim_id}:{offset}",
                    )
                    seller_reminder_due(claim_id=claim_id, offset_hours=offset, now=now)
                    sent += 1
    return sent


def certificate_reminders_send(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Tell sellers 30 days ahead that their valid certificate expires (once per certificate)."""
    today = (now or timezone.now()).date()
    due = list(
        InsuranceCertificate.objects.filter(
            status=CertificateStatus.VALID,
            expiry_date__gt=today,
            expiry_date__lte=today + dt.timedelta(days=CERTIFICATE_NOTICE_DAYS),
        )
        .filter(~Exists(Reminder.objects.filter(certificate=OuterRef("pk"))))
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            if _remember(key=f"certificate:{pk}:{CERTIFICATE_NOTICE_DAYS}d", certificate_id=pk):
                outbox_add(
                    topic="sellers.remind_certificate",
                    payload={"certificate_id": pk},
                    dedupe_key=f"sellers.remind_certificate:{pk}",
                )
                sent += 1
    return sent
