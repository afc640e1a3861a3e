"""Outbox handlers of the seller journey: the e-mails sellers and insurers receive."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from claims.links import link_issue
from claims.models import Claim, ClaimEvent, ClaimStatus, LinkPurpose
from claims.money import format_minor
from claims.notifications import email_send
from claims.outbox import handler
from sellers.models import STEP_IN_DECIDING, InsuranceCertificate, Recovery
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


@handler("sellers.link_resend")
def resend_link(*, claim_id: int, event_id: int) -> None:
    """Staff asked for the seller to be e-mailed a fresh link (``seller_link_email``)."""
    claim = _claim(claim_id)
    url = _seller_link(claim, "sellers:respond")
    email_send(
        template="seller-claim",
        to=[claim.seller.email],
        context=claim_email_context(claim=claim, url=url),
        language=claim.region.language,
    )


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
        language=claim.seller.email_language,
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
            "appeal_days": claim.region.appeal_window_days,
        },
        language=claim.seller.email_language,
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
        language=seller.email_language,
    )


RECOVERY_STEPS = {
    # step: (what happened, in the seller's words)
    "opened": gettext_lazy(
        "The marketplace paid claim %(reference)s on your behalf: you owe %(amount)s."
    ),
    "amount": gettext_lazy("The decision on claim %(reference)s fixed what you owe at %(amount)s."),
    "withheld": gettext_lazy(
        "%(amount)s was withheld from your disbursement for claim %(reference)s."
    ),
    "appeal_upheld": gettext_lazy(
        "Your appeal on claim %(reference)s was upheld: you owe nothing more for it."
    ),
    "appeal_rejected": gettext_lazy(
        "Your appeal on claim %(reference)s was rejected: %(outstanding)s is still owed."
    ),
}


@handler("sellers.notify_recovery")
def notify_recovery(*, recovery_id: int, event_id: int) -> None:
    """Tell the seller what changed on a recovery: opened, amount fixed, withheld, appeal."""
    recovery = Recovery.objects.select_related("claim__region", "seller").get(pk=recovery_id)
    event = ClaimEvent.objects.get(pk=event_id)
    claim = _claim(recovery.claim_id)
    step = event.data.get("step", "")
    amount = event.data.get("amount_minor", recovery.amount_minor)
    language = recovery.seller.email_language
    with translation.override(language):
        if step == "opened" and event.data.get("decided") is False:
            what = str(STEP_IN_DECIDING)  # opened before the decision: nothing owed yet
        else:
            what = str(RECOVERY_STEPS[step]) % {
                "reference": claim.reference,
                "amount": format_minor(amount, recovery.currency),
                "outstanding": recovery.outstanding_display,
            }
    email_send(
        template="seller-recovery",
        to=[recovery.seller.email],
        context={
            "seller": recovery.seller.legal_name,
            "reference": claim.reference,
            "what": what,
            "reason": event.reason if step in ("appeal_upheld", "appeal_rejected") else "",
            "outstanding": recovery.outstanding_display,
            "appeal_due": local_datetime(recovery.appeal_due, claim.region.time_zone)
            if recovery.appeal_due and recovery.status == "open"
            else "",
            "url": _seller_link(claim, "sellers:statement"),
        },
        language=language,
    )


def _party_link(payment) -> tuple[str, str]:
    """The accepting party's e-mail address and a link to record its payment."""
    from django.utils import timezone

    from sellers.models import ResponseParty, SellerResponse

    claim = payment.claim
    if payment.party == ResponseParty.INSURER:
        response = SellerResponse.objects.filter(claim=claim).exclude(insurer_email="").last()
        email, purpose = response.insurer_email, LinkPurpose.INSURER_RESPONSE
    else:
        email, purpose = claim.seller.email, LinkPurpose.SELLER_RESPONSE
    _link, token = link_issue(
        purpose=purpose,
        email=email,
        expires_in=payment.due_at - timezone.now() + dt.timedelta(days=60),
        claim=claim,
        seller=claim.seller,
    )
    return email, settings.SITE_URL + reverse("sellers:payment", args=[claim.reference, token])


@handler("sellers.notify_party_payment")
def notify_party_payment(*, party_payment_id: int, event_id: int) -> None:
    """Tell the seller (or insurer) who accepted a claim what to pay, by when, and how to
    record it."""
    from sellers.models import PartyPayment

    payment = PartyPayment.objects.select_related("claim__region", "claim__seller").get(
        pk=party_payment_id
    )
    if not payment.is_open:
        return
    email, url = _party_link(payment)
    claim = _claim(payment.claim_id)
    email_send(
        template="party-payment-due",
        to=[email],
        context={
            **claim_email_context(claim=claim, url=url),
            "amount": payment.amount_display,
            "due": local_datetime(payment.due_at, claim.region.time_zone),
            "customer": claim.customer.name,
        },
        language=claim.region.language,
    )


@handler("sellers.notify_customer_payment")
def notify_customer_payment(*, party_payment_id: int, event_id: int) -> None:
    """Ask the customer whether the payment the seller (or insurer) recorded has arrived."""
    from sellers.models import PartyPayment

    payment = PartyPayment.objects.select_related("claim__region", "claim__customer").get(
        pk=party_payment_id
    )
    claim = payment.claim
    email_send(
        template="party-payment-check",
        to=[claim.customer.email],
        context={
            "name": claim.customer.name,
            "reference": claim.reference,
            "payer": payment.get_party_display(),
            "amount": payment.amount_display,
            "paid_on": date_format(payment.paid_on, "DATE_FORMAT"),
            "payment_reference": payment.payment_reference,
            "confirm_by": local_datetime(payment.confirm_by, claim.region.time_zone),
            "claim_url": settings.SITE_URL + reverse("portal:claim-detail", args=[claim.reference]),
        },
        language=claim.customer_language,
    )


@handler("sellers.notify_certificate")
def notify_certificate(*, certificate_id: int, verification_id: int) -> None:
    """Tell the seller what staff found when they checked the certificate against its document."""
    from sellers.models import CertificateVerification, VerificationOutcome

    verification = CertificateVerification.objects.select_related(
        "certificate__seller__region"
    ).get(pk=verification_id, certificate_id=certificate_id)
    certificate = verification.certificate
    seller = certificate.seller
    email_send(
        template="seller-certificate-checked",
        to=[seller.email],
        context={
            "seller": seller.legal_name,
            "insurer": certificate.insurer_name,
            "policy": certificate.policy_number,
            "valid": verification.outcome == VerificationOutcome.VERIFIED,
            "expiry": date_format(certificate.expiry_date, "DATE_FORMAT"),
            "failures": verification.failures,
            "reason": verification.reason,
        },
        language=seller.email_language,
    )


@handler("sellers.signin_email")
def signin_email(*, email: str, next_path: str = "") -> None:
    """E-mail a one-time inbox sign-in link to each seller with this address (none: nothing).

    The matching happens here, in the worker, so the web request cannot reveal it; the link is
    created here so its token never sits in the database (``portal.handlers.signin_email``).
    """
    from urllib.parse import urlencode

    from sellers.models import Seller

    minutes = int(settings.SELLER_SIGNIN_LINK_TTL.total_seconds() // 60)
    query = "?" + urlencode({"next": next_path}) if next_path.startswith("/") else ""
    for seller in Seller.objects.select_related("region").filter(email__iexact=email.strip()):
        _link, token = link_issue(
            purpose=LinkPurpose.SELLER_SIGN_IN,
            email=seller.email,
            expires_in=settings.SELLER_SIGNIN_LINK_TTL,
            seller=seller,
            single_use=True,
        )
        email_send(
            template="seller-signin",
            to=[seller.email],
            context={
                "seller": seller.legal_name,
                "signin_url": settings.SITE_URL
                + reverse("sellers:sign-in-link", args=[token])
                + query,
                "minutes": minutes,
            },
            language=seller.region.language,
        )
