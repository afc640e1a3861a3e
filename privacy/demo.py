"""Demo data for the privacy pages: a legal hold on a closed claim and a staff export."""

from claims.actors import Actor
from claims.models import Claim, ClaimStatus


def demo_seed_privacy(*, users: dict) -> None:
    from privacy.services import legal_hold_place, privacy_export

    supervisor = users["supervisor"]
    closed = Claim.objects.filter(status=ClaimStatus.CLOSED).order_by("pk")
    held = closed.first()
    if held is not None:
        legal_hold_place(
            claim=held,
            user=supervisor,
            reason="Demo: Rivera v. Marketplace, County Court case 26-CV-0412 (keep all records).",
        )
    exported = closed.exclude(pk=getattr(held, "pk", None)).first()
    if exported is not None:
        privacy_export(
            customer=exported.customer,
            actor=Actor.staff(supervisor),
            reason="Demo: the customer's e-mail asking for their data",
        )
