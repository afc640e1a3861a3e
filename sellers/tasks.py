"""Thin Celery entry points of the seller journey: call a service, re-queue while work remains."""

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, ignore_result=True)
def escalate_overdue_claims() -> int:
    """Beat job: escalate one bounded batch; re-queue itself while more may be overdue."""
    from sellers.services.escalation import claim_escalate_overdue

    run = claim_escalate_overdue(now=timezone.now())
    if run.more:
        escalate_overdue_claims.apply_async()
    return run.escalated


@shared_task(acks_late=True, ignore_result=True)
def close_insurance_windows() -> int:
    """Beat job: one bounded batch of closed insurance-proof windows; re-queue while more."""
    from sellers.models import SellerNotice
    from sellers.services.escalation import insurance_window_close

    now = timezone.now()
    opened = insurance_window_close(now=now)
    if SellerNotice.objects.filter(
        insurance_checked_at__isnull=True, insurance_proof_due__lte=now
    ).exists():
        close_insurance_windows.apply_async()
    return opened


@shared_task(acks_late=True, ignore_result=True)
def send_seller_reminders() -> int:
    """Beat job: due reminders in bounded batches; re-queue while a batch came back full."""
    from sellers.services.reminders import (
        BATCH,
        certificate_reminders_send,
        seller_reminders_send,
    )

    now = timezone.now()
    sent = seller_reminders_send(now=now, limit=BATCH)
    sent_certificates = certificate_reminders_send(now=now, limit=BATCH)
    if sent >= BATCH or sent_certificates >= BATCH:
        send_seller_reminders.apply_async()
    return sent + sent_certificates


@shared_task(acks_late=True, ignore_result=True)
def watch_party_payments() -> dict:
    """Beat job: seller- and insurer-paid claims whose payment deadline passed; one bounded
    batch, re-queued while the batch came back full."""
    from sellers.services.party_payments import party_payments_sweep

    run = party_payments_sweep(now=timezone.now())
    if run["more"]:
        watch_party_payments.apply_async()
    return run
