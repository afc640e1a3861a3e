"""Thin beat entry points over the safety services (the due times live in the database)."""

from celery import shared_task


@shared_task(acks_late=True)
def safety_sweep() -> dict:
    from safety.clocks import safety_clocks_sweep
    from safety.services import safety_alerts_raise

    raised = safety_alerts_raise()
    return {"raised": raised, **safety_clocks_sweep()}
