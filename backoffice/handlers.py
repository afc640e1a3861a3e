"""Outbox handler of the back office: e-mail a staff message to the customer or the seller."""

from claims.models import ClaimEvent
from claims.notifications import email_send
from claims.outbox import handler


@handler("backoffice.message_send", background=True)
def message_send(*, claim_id: int, event_id: int) -> None:
    event = ClaimEvent.objects.select_related(
        "claim__customer", "claim__seller", "claim__region"
    ).get(pk=event_id, claim_id=claim_id)
    claim = event.claim
    to_seller = event.data.get("to") == "seller"
    party = claim.seller if to_seller else claim.customer
    name = getattr(party, "name", "") or getattr(party, "legal_name", "")
    email_send(
        template="staff-message",
        to=[party.email],
        context={"name": name, "reference": claim.reference, "message": event.reason},
        language=claim.seller.email_language if to_seller else claim.customer_language,
    )
