"""Outbox handlers of product safety: weigh new facts, tell the safety team and supervisors,
tell customers about a recall."""

import zoneinfo

from django.conf import settings
from django.urls import reverse

from claims.models import Claim
from claims.notifications import email_send
from claims.outbox import handler
from claims_site.dates import format_moment
from safety.models import (
    ALERT_CLOCKS,
    REPORT_CLOCK,
    WRITTEN_CLOCK,
    IncidentFacts,
    Recall,
    SafetyAlert,
)


@handler("safety.weigh")
def weigh(*, facts_id: int) -> None:
    from safety.services import incident_weigh

    facts = (
        IncidentFacts.objects.select_related("claim__order_line", "claim__region")
        .filter(pk=facts_id, weighed_at__isnull=True)
        .first()
    )
    if facts is not None:
        incident_weigh(facts=facts)


def staff_emails(*, alert: SafetyAlert, what: str) -> list[str]:
    """The e-mail addresses of the step's audience (the same people told in the app)."""
    from safety.selectors import alert_audience

    users = alert_audience(alert=alert, what=what).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@handler("safety.alert_email")
def alert_email(*, alert_id: int, what: str, clock: str = REPORT_CLOCK.code) -> None:
    """Tell the audience of ``what`` about one of the alert's clocks (the report's, or the
    written report's: its own e-mails say so)."""
    alert_clock = ALERT_CLOCKS[clock]
    alerts = SafetyAlert.objects.select_related("product__seller", "regulator")
    if what != "raised":
        # Filed or dismissed meanwhile: nothing to remind anyone of.
        alerts = alerts.filter(alert_clock.running)
    alert = alerts.filter(pk=alert_id).first()
    if alert is None:
        return
    to = staff_emails(alert=alert, what=what)
    if not to:
        return
    zone = zoneinfo.ZoneInfo(alert.regulator.time_zone)
    due = getattr(alert, alert_clock.due)
    written = "written-" if alert_clock is WRITTEN_CLOCK else ""
    email_send(
        template=f"safety-alert-{written}{what}",
        to=to,
        context={
            "product": alert.product.title,
            "seller": alert.product.seller.legal_name,
            "regulator": alert.regulator.name,
            "law": alert.regulator.law,
            "due": format_moment(due.astimezone(zone)),
            "zone": alert.regulator.time_zone,
            "url": settings.SITE_URL + reverse("backoffice:safety-alert", args=[alert.pk]),
        },
        language=settings.LANGUAGE_CODE,
    )


@handler("safety.recall_notice", background=True)
def recall_notice(*, claim_id: int, recall_id: int) -> None:
    claim = Claim.objects.select_related("customer", "region", "order_line__product").get(
        pk=claim_id
    )
    recall = Recall.objects.get(pk=recall_id)
    email_send(
        template="safety-recall",
        to=[claim.customer.email],
        context={
            "name": claim.customer.name,
            "reference": claim.reference,
            "product": claim.order_line.product.title,
            "title": recall.title,
            "hazard": recall.hazard,
            "remedy": recall.remedy,
            "recall_url": recall.url,
            "claim_url": settings.SITE_URL + reverse("portal:claim-detail", args=[claim.reference]),
        },
        language=claim.customer_language,
    )
