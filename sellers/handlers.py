"""Outbox handlers of the seller journey: the e-mails sellers and insurers receive."""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format

from claims.links import link_issue
from claims.models import Claim, ClaimStatus, LinkPurpose
from claims.notifications import email_send
from claims.outbox import handler
from sellers.models import InsuranceCertificate, Recovery
from sellers.services.recoveries import recovery_sync
from sellers.services.responses import (
    _link_expiry,
    claim_email_context,
    insurer_notify,
    insurer_remind,
    local_datetime,
    seller_notify,
)


@handler("sellers.notify_seller")
def notify_seller(*, claim_id: int, event_id: int) -> None:
    seller_notify(claim_id=claim_id, event_id=event_id)


@handler("sellers.notify_insurer")
def notify_insurer(*, response_id: int) -> None:
    insurer_notify(response_id=response_id)


@handler("sellers.recovery_sync")
def sync_recovery(*, claim_id: int, event_id: int) -> None:
    recovery_sync(claim_id=claim_id)


def _seller_link(claim: Claim, route: str) -> str:
    from django.utils import timezone

    _link, token = link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email=claim.seller.email,
        expires_in=_link_expiry(claim, timezone.now()),
        claim=claim,
        seller=claim.seller,
    )
    return settings.SITE_URL + reverse(route, args=[claim.reference, token])


def _claim(claim_id: int) -> Claim:
    return Claim.objects.select_related(
        "region", "seller", "order_line__product", "order_line__order"
    ).get(pk=claim_id)


@handler("sellers.remind_seller")
def remind_seller(*, claim_id: int, offset_hours: int) -> None:
    claim = _claim(claim_id)
    if claim.status != ClaimStatus.AWAITING_SELLER:
        return  # answered or moved on since the reminder was recorded
    context = claim_email_context(claim=claim, url=_seller_link(claim, "sellers:respond"))
    email_send(
        template="seller-reminder",
        to=[claim.seller.email],
        context={**context, "hours": offset_hours},
        language=claim.region.language,
    )
    # A claim handed to the seller's insurer runs on the same deadline: remind the insurer too.
    insurer_remind(claim=claim, hours=offset_hours)


@handler("sellers.notify_escalated")
def notify_escalated(*, claim_id: int, event_id: int) -> None:
    """The marketplace stepped in: tell the seller what happens now and what they may owe."""
    claim = _claim(claim_id)
    recovery = Recovery.objects.filter(claim=claim).order_by("opened_at").first()
    context = claim_email_context(claim=claim, url=_seller_link(claim, "sellers:statement"))
    email_send(
        template="seller-escalated",
        to=[claim.seller.email],
        context={
            **context,
            "funding": claim.get_funding_display(),
            "recovery": recovery.amount_display if recovery else "",
            "appeal_due": local_datetime(recovery.appeal_due, claim.region.time_zone)
            if recovery
            else "",
        },
        language=claim.region.language,
    )


@handler("sellers.remind_certificate")
def remind_certificate(*, certificate_id: int) -> None:
    certificate = InsuranceCertificate.objects.select_related("seller__region").get(
        pk=certificate_id
    )
    seller = certificate.seller
    email_send(
        template="seller-certificate-expiry",
        to=[seller.email],
        context={
            "seller": seller.legal_name,
            "insurer": certificate.insurer_name,
            "policy": certificate.policy_number,
            "expiry": date_format(certificate.expiry_date, "DATE_FORMAT"),
        },
        language=seller.region.language,
    )
