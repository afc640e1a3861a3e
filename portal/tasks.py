"""Thin Celery entry points of the customer portal."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def drafts_purge() -> int:
    from portal.drafts import drafts_purge as run

    return run()
