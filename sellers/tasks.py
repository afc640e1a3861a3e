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
    from sellers.services.escalation import insurance_window_close

    opened = insurance_window_close(now=timezone.now())
    return opened


@shared_task(acks_late=True, ignore_result=True)
def send_seller_reminders() -> int:
    from sellers.services.reminders import certificate_reminders_send, seller_reminders_send

    now = timezone.now()
    return seller_reminders_send(now=now) + certificate_reminders_send(now=now)
