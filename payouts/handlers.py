"""Outbox handlers of the payouts app."""

from claims.outbox import handler


@handler("payouts.create", batch=True)
def create(*, payloads: list[dict]) -> None:
    """Claims were approved: create their payouts and move them to payout pending, together."""
    from payouts.services import payouts_create_for_claims

    payouts_create_for_claims(claim_ids=[payload["claim_id"] for payload in payloads])


def _customer_language(customer) -> str:
    from claims.models import Claim

    claim = (
        Claim.objects.filter(customer=customer)
        .select_related("region")
        .order_by("-created_at")
        .first()
    )
    return claim.customer_language if claim else "en"


@handler("payouts.payee_notice", background=True)
def payee_notice(*, payee_event_id: int) -> None:
    """Tell the customer that their payment details changed (masked), by whom, and, when staff
    changed them, until when payouts to them are held and how to confirm or object."""
    from django.conf import settings
    from django.urls import reverse

    from claims.notifications import email_send
    from payouts.models import PayeeDetails, PayeeEvent

    event = PayeeEvent.objects.select_related("customer").get(pk=payee_event_id)
    customer = event.customer
    payee = PayeeDetails.objects.filter(customer=customer).first()
    email_send(
        template="payee-changed",
        to=[customer.email],
        context={
            "name": customer.name,
            "before": event.before,
            "after": event.after,
            "by_staff": event.actor_id is not None,
            "hold_until": payee.hold_until if payee is not None else None,
            "claims_url": settings.SITE_URL + reverse("portal:home"),
        },
        language=_customer_language(customer),
    )


@handler("payouts.payee_reminder", background=True)
def payee_reminder(*, claim_id: int, number: int) -> None:
    """Remind the customer that their approved claim waits for their payment details (unless
    they gave them since the reminder was recorded)."""
    from django.conf import settings
    from django.urls import reverse

    from claims.models import Claim
    from claims.notifications import email_send
    from payouts.services.reminders import claim_needs_payee

    claim = Claim.objects.select_related("customer", "region").get(pk=claim_id)
    if not claim_needs_payee(claim):
        return
    email_send(
        template="payee-needed",
        to=[claim.customer.email],
        context={
            "name": claim.customer.name,
            "reference": claim.reference,
            "approved": claim.approved_total_display,
            "payee_url": settings.SITE_URL + reverse("portal:claim-payee", args=[claim.reference]),
        },
        language=claim.customer_language,
    )
