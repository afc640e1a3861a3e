"""Outbox handlers of the claims app: what the workers do after a claim changes."""

import zoneinfo

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils.formats import date_format

from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus
from claims.notifications import email_send
from claims.outbox import handler


@handler("claims.screen")
def screen(*, claim_id: int, event_id: int) -> None:
    """A new claim enters screening (fraud scoring and triage happen there)."""
    from claims.services import claim_transition

    claim = Claim.objects.get(pk=claim_id)
    if claim.status == ClaimStatus.SUBMITTED:
        claim_transition(claim=claim, to=ClaimStatus.SCREENING, actor=Actor.system("screening"))


def customer_email_context(*, claim: Claim, event: ClaimEvent) -> dict:
    """Flat values for the e-mail templates, dates in the claim region's time zone."""
    zone = zoneinfo.ZoneInfo(claim.region.time_zone)
    info_due = claim.customer_info_due
    return {
        "name": claim.customer.name,
        "reference": claim.reference,
        "claimed": claim.claimed_total_display,
        "approved": claim.approved_total_display,
        "status": claim.get_status_display(),
        "reason": event.reason,
        "info_due": date_format(info_due.astimezone(zone), "DATETIME_FORMAT") if info_due else "",
        "decision_days": claim.region.decision_target_days,
        "appeal_days": claim.region.appeal_window_days,
        # The customer's claim page; without a session it leads through sign-in and back.
        "claim_url": settings.SITE_URL + reverse("portal:claim-detail", args=[claim.reference]),
    }


@handler("claims.notify_customer")
def notify_customer(*, claim_id: int, event_id: int) -> None:
    """Tell the customer what just happened to their claim, in the language they filed in."""
    event = ClaimEvent.objects.select_related("claim__customer", "claim__region").get(pk=event_id)
    claim = event.claim
    template = f"claim-{event.to_status}"
    # Every customer-facing state has its own wording; the generic one covers the rest.
    try:
        select_template([f"emails/{template}-subject.txt"])
    except TemplateDoesNotExist:
        template = "claim-update"
    email_send(
        template=template,
        to=[claim.customer.email],
        context=customer_email_context(claim=claim, event=event),
        language=claim.customer_language,
    )
