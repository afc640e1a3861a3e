"""Thin Celery entry points of the fraud app."""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def fraud_referral_remind() -> int:
    from fraud.referrals import fraud_referral_remind as run

    return run()
