"""Thin Celery entry points of the back office: each calls one idempotent service."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def sla_breaches_record() -> int:
    from backoffice.notifications import sla_at_risk_notify
    from backoffice.services import sla_breaches_record as run

    total = run()
    # The same beat job warns each holder of a claim whose deadline is close (once per
    # deadline); breaches notify their holder as they are recorded.
    sla_at_risk_notify()
    return total


@shared_task(acks_late=True, ignore_result=True)
def claims_auto_assign() -> int:
    from django.conf import settings

    from backoffice.services import claims_auto_assign as run

    if not getattr(settings, "BACKOFFICE_AUTO_ASSIGN", False):
        return 0
    return run()
