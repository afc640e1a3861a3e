"""Outbox handlers of the payouts app."""

from claims.outbox import handler


@handler("payouts.create", batch=True)
def create(*, payloads: list[dict]) -> None:
    """Claims were approved: create their payouts and move them to payout pending, together."""
    from payouts.services import payouts_create_for_claims

    payouts_create_for_claims(claim_ids=[payload["claim_id"] for payload in payloads])
