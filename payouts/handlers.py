"""Outbox handlers of the payouts app."""

from claims.outbox import handler


@handler("payouts.create")
def create(*, claim_id: int, event_id: int) -> None:
    """A claim was approved: create its one payout and move it to payout pending."""
    from payouts.services import payout_create_for_claim

    payout_create_for_claim(claim_id=claim_id)
