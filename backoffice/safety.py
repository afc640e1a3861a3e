"""Product-safety alerts (CPSA section 15(b): report to the CPSC within 24 hours).

The rule, configurable in settings:

- **cluster**: a product with ``SAFETY_CLUSTER_CLAIMS`` (3) or more injury claims (incident
  kind "personal injury" or "both") submitted within ``SAFETY_WINDOW_DAYS`` (30) days;
- **serious**: any injury claim with ``SAFETY_SERIOUS_PEOPLE_INJURED`` (2) or more people
  injured, or a medical loss item of ``SAFETY_SERIOUS_MEDICAL_MINOR`` (5,000.00) or more, or a
  description mentioning a death ("died", "death", "fatal", "killed").

Each alert carries a 24-hour report clock from when it was raised. Raising is idempotent: the
database allows one live cluster alert per product and one alert per serious claim, so the
periodic job can run any number of times, concurrently, and raise each alert once.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import BackofficeError
from backoffice.models import AlertStatus, AlertTrigger, SafetyAlert
from claims.models import Claim, IncidentKind, LossItem, LossKind

INJURY_KINDS = (IncidentKind.PERSONAL_INJURY, IncidentKind.BOTH)
REPORT_WINDOW = dt.timedelta(hours=24)
DEATH_WORDS = ("died", "death", "fatal", "killed")

# status -> the statuses staff may move an alert to
ALERT_MOVES = {
    AlertStatus.OPEN: (AlertStatus.INVESTIGATING, AlertStatus.REPORTED, AlertStatus.DISMISSED),
    AlertStatus.INVESTIGATING: (AlertStatus.REPORTED, AlertStatus.DISMISSED),
    AlertStatus.REPORTED: (),
    AlertStatus.DISMISSED: (),
}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def serious_claims_q() -> Q:
    death = Q()
    for word in DEATH_WORDS:
        death |= Q(description__icontains=word)
    big_medical = Exists(
        LossItem.objects.filter(
            claim=OuterRef("pk"),
            kind=LossKind.MEDICAL,
            claimed_minor__gte=_setting("SAFETY_SERIOUS_MEDICAL_MINOR", 500_000),
        )
    )
    return Q(incident_kind__in=INJURY_KINDS) & (
        Q(people_injured__gte=_setting("SAFETY_SERIOUS_PEOPLE_INJURED", 2)) | big_medical | death
    )


def _create(**fields) -> bool:
    try:
        with transaction.atomic():
            SafetyAlert.objects.create(**fields)
    except IntegrityError:
        return False  # already raised by an earlier or concurrent run
    return True


def safety_alerts_raise(*, now: dt.datetime | None = None) -> int:
    """Raise every alert the rules call for and that does not exist yet. Returns how many."""
    now = now or timezone.now()
    window_start = now - dt.timedelta(days=_setting("SAFETY_WINDOW_DAYS", 30))
    raised = 0
    recent_injuries = Claim.objects.filter(
        incident_kind__in=INJURY_KINDS, submitted_at__gte=window_start
    )
    clusters = (
        recent_injuries.values("order_line__product")
        .annotate(n=Count("id"))
        .filter(n__gte=_setting("SAFETY_CLUSTER_CLAIMS", 3))
        .exclude(
            order_line__product__safety_alerts__in=SafetyAlert.objects.filter(
                trigger=AlertTrigger.CLUSTER,
                status__in=[AlertStatus.OPEN, AlertStatus.INVESTIGATING],
            )
        )
    )
    for row in clusters:
        raised += _create(
            product_id=row["order_line__product"],
            trigger=AlertTrigger.CLUSTER,
            injury_claims=row["n"],
            raised_at=now,
            report_due=now + REPORT_WINDOW,
            updated_at=now,
        )
    serious = (
        recent_injuries.filter(serious_claims_q())
        .exclude(Exists(SafetyAlert.objects.filter(claim=OuterRef("pk"))))
        .values_list("pk", "order_line__product")
    )
    for claim_id, product_id in serious:
        raised += _create(
            product_id=product_id,
            claim_id=claim_id,
            trigger=AlertTrigger.SERIOUS,
            injury_claims=1,
            raised_at=now,
            report_due=now + REPORT_WINDOW,
            updated_at=now,
        )
    return raised


def safety_alert_mark(
    *, alert: SafetyAlert, user, status: str, reference: str = "", reason: str = ""
) -> SafetyAlert:
    """Mark an alert reported (with the regulator's reference), under investigation, or
    dismissed (with a reason). Conditional on the status the caller saw."""
    current = alert.status
    if status not in ALERT_MOVES.get(current, ()):
        raise BackofficeError(
            _("This alert is %(from)s and cannot become %(to)s.")
            % {
                "from": AlertStatus(current).label,
                "to": AlertStatus(status).label if status in AlertStatus.values else status,
            }
        )
    reference, reason = reference.strip(), reason.strip()
    if status == AlertStatus.REPORTED and not reference:
        raise BackofficeError(_("Give the reference of the report."))
    if status == AlertStatus.DISMISSED and not reason:
        raise BackofficeError(_("Say why the alert is dismissed."))
    changed = SafetyAlert.objects.filter(pk=alert.pk, status=current).update(
        status=status,
        report_reference=reference if status == AlertStatus.REPORTED else alert.report_reference,
        dismiss_reason=reason if status == AlertStatus.DISMISSED else alert.dismiss_reason,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if changed != 1:
        raise BackofficeError(_("Someone else changed this alert first; look again."))
    alert.refresh_from_db()
    return alert
