"""Outbox handlers of the claims app: what the workers do after a claim changes."""

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from claims.actors import Actor
from claims.lifecycle import Via
from claims.models import Claim, ClaimEvent, ClaimStatus, Funding
from claims.notifications import email_send
from claims.outbox import handler


@handler("claims.screen")
def screen(*, claim_id: int, event_id: int) -> None:
    """A new claim enters screening (fraud scoring and triage happen there)."""
    from claims.services import claim_transition

    claim = Claim.objects.get(pk=claim_id)
    if claim.status == ClaimStatus.SUBMITTED:
        claim_transition(
            claim=claim,
            to=ClaimStatus.SCREENING,
            actor=Actor.system("screening"),
            via=Via.SCREENING,
        )


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
        # A payment's event says where the money went, masked (payouts pipeline).
        "paid_to_last4": (event.data or {}).get("paid_to", "")[-4:],
        "info_due": date_format(info_due.astimezone(zone), "DATETIME_FORMAT") if info_due else "",
        "decision_days": claim.region.decision_target_days,
        "appeal_days": claim.region.appeal_window_days,
        # The customer's claim page; without a session it leads through sign-in and back.
        "claim_url": settings.SITE_URL + reverse("portal:claim-detail", args=[claim.reference]),
        # Accepted claims above the threshold are paid by the seller or their insurer.
        "payer": PAYERS.get(claim.funding, ""),
        "party_due": date_format(
            dt.datetime.fromisoformat(event.data["party_due"]).astimezone(zone), "DATETIME_FORMAT"
        )
        if event.data.get("party_due")
        else "",
    }


PAYERS = {
    Funding.SELLER: gettext_lazy("The seller"),
    Funding.INSURER: gettext_lazy("The seller's insurer"),
}


@handler("claims.notify_customer", batch=True, background=True)
def notify_customer(*, payloads: list[dict]) -> dict[int, Exception]:
    """Tell customers what just happened to their claims, in the language each filed in: the
    events of a chunk read in one query, each e-mail sent on its own (one that fails is
    reported for its message alone, and retried later; the others are not sent again)."""
    events = ClaimEvent.objects.select_related("claim__customer", "claim__region").in_bulk(
        [payload["event_id"] for payload in payloads]
    )
    failed: dict[int, Exception] = {}
    for position, payload in enumerate(payloads):
        try:
            event = events.get(payload["event_id"])
            if event is None:
                raise ClaimEvent.DoesNotExist(f"ClaimEvent {payload['event_id']} does not exist")
            _email_customer(event)
        except Exception as exc:  # noqa: BLE001 - the outbox records it on this message's row
            failed[position] = exc
    return failed


@functools.cache
def _template_for(status: str) -> str:
    # Every customer-facing state has its own wording; the generic one covers the rest.
    try:
        select_template([f"emails/claim-{status}-subject.txt"])
    except TemplateDoesNotExist:
        return "claim-update"
    return f"claim-{status}"


def _email_customer(event: ClaimEvent) -> None:
    claim = event.claim
    language = claim.customer_language
    # The amounts and dates are written here, so in the reader's language too (a worker has
    # no request whose language would be active).
    with translation.override(language):
        context = customer_email_context(claim=claim, event=event)
    email_send(
        template=_template_for(event.to_status),
        to=[claim.customer.email],
        context=context,
        language=language,
    )
