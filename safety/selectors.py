"""Reads of product safety, shared by the staff pages and the API's webhooks."""

from django.db.models import Exists, OuterRef, Prefetch, Q

from claims.roles import SAFETY, SUPERVISOR
from marketplace.models import Product
from safety.models import (
    LIVE_STATUSES,
    WRITTEN_CLOCK,
    AlertEvent,
    AlertStatus,
    AlertTrigger,
    RecallMatch,
    SafetyAlert,
)


def alerts_visible(user):
    """The alerts ``user`` sees (need-to-know, ``claims.scope.alerts_visible_to``)."""
    from claims.scope import alerts_visible_to

    return alerts_visible_to(user, SafetyAlert.objects.all())


def alerts_live(user):
    return (
        alerts_visible(user)
        .filter(status__in=LIVE_STATUSES)
        .select_related("product__seller", "regulator", "recall")
        .order_by("report_due", "pk")
    )


def alerts_written_due(user):
    """Alerts whose incident report is filed and whose written report is still due (Health
    Canada, CCPSA 14(3)); the live ones show their written clock in the open list."""
    return (
        alerts_visible(user)
        .filter(WRITTEN_CLOCK.running, status=AlertStatus.FILED)
        .select_related("product__seller", "regulator")
        .order_by("written_report_due", "pk")
    )


def alerts_closed(user, limit: int = 50):
    return (
        alerts_visible(user)
        .exclude(status__in=LIVE_STATUSES)
        .select_related("product__seller", "regulator", "filed_by")
        .order_by("-updated_at", "-pk")[:limit]
    )


def alert_detail(pk: int, user) -> SafetyAlert:
    return (
        alerts_visible(user)
        .select_related("product__seller", "regulator", "recall", "filed_by", "written_sent_by")
        .prefetch_related(
            Prefetch("events", queryset=AlertEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


# Alerts serious enough to suspend the listing: raised by a reportable incident or a recall
# (a cluster alone is still being investigated).
SUSPEND_TRIGGERS = (AlertTrigger.INCIDENT, AlertTrigger.RECALL)


def serious_alert_q() -> Q:
    """A live alert that is serious enough to suspend the listing (``SUSPEND_TRIGGERS``)."""
    return Q(status__in=LIVE_STATUSES) & Q(trigger__in=SUSPEND_TRIGGERS)


def products_to_suspend():
    """Products under an open serious alert or on a recall list: the marketplace should suspend
    their listings. The staff page and the API's ``product.suspend_listings`` event
    (``webhooks.events``) both read it."""
    serious = SafetyAlert.objects.filter(serious_alert_q(), product=OuterRef("pk"))
    recalled = RecallMatch.objects.filter(product=OuterRef("pk"))
    return (
        Product.objects.filter(Exists(serious) | Exists(recalled))
        .select_related("seller")
        .prefetch_related(
            Prefetch(
                "safety_alerts",
                queryset=SafetyAlert.objects.filter(serious_alert_q()).select_related("regulator"),
                to_attr="serious_alerts",
            ),
            Prefetch(
                "recall_matches",
                queryset=RecallMatch.objects.select_related("recall"),
                to_attr="recalls",
            ),
        )
        .order_by("title", "pk")
    )


# Who hears about what step of an alert's clock (by role).
AUDIENCE = {"raised": [SAFETY], "reminder": [SAFETY], "escalated": [SAFETY, SUPERVISOR]}


def alert_audience(*, alert: SafetyAlert, what: str):
    """The staff told of one step of the alert (raised, reminder, escalated), by e-mail and in
    the app: active staff of the step's roles who see one of the regulator's regions
    (need-to-know, ``claims.scope.staff_covering``)."""
    from django.contrib.auth import get_user_model

    from claims.scope import staff_covering

    region_ids = list(alert.regulator.regions.values_list("pk", flat=True))
    covering = Q(pk__in=[])
    for region_id in region_ids:
        covering |= staff_covering(region_id)
    return (
        get_user_model()
        .objects.filter(covering, groups__name__in=AUDIENCE[what], is_active=True, is_staff=True)
        .distinct()
        .order_by("pk")
    )
