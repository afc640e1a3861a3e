"""Outbox handlers of product safety: weigh new facts, tell the safety team and supervisors,
tell customers about a recall."""

import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format

from claims.models import Claim
from claims.notifications import email_send
from claims.outbox import handler
from claims.roles import SAFETY, SUPERVISOR
from safety.models import IncidentFacts, Recall, SafetyAlert

# who hears about what
AUDIENCE = {"raised": [SAFETY], "reminder": [SAFETY], "escalated": [SAFETY, SUPERVISOR]}


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


def staff_emails(roles: list[str]) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(groups__name__in=roles, is_active=True, is_staff=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


@handler("safety.alert_email")
def alert_email(*, alert_id: int, what: str) -> None:
    alert = SafetyAlert.objects.select_related("product__seller", "regulator").get(pk=alert_id)
    if what != "raised" and not alert.is_live:
        return  # filed or dismissed meanwhile: nothing to remind anyone of
    to = staff_emails(AUDIENCE[what])
    if not to:
        return
    zone = zoneinfo.ZoneInfo(alert.regulator.time_zone)
    email_send(
        template=f"safety-alert-{what}",
        to=to,
        context={
            "product": alert.product.title,
            "seller": alert.product.seller.legal_name,
            "regulator": alert.regulator.name,
            "law": alert.regulator.law,
            "due": date_format(alert.report_due.astimezone(zone), "DATETIME_FORMAT"),
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
