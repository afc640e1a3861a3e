"""Writes of product safety: the incident facts, raising alerts, staff moves, the report draft
and filing (the clocks' reminders and escalation: ``safety.clocks``).

Every change of an alert writes an ``AlertEvent`` in the same transaction. Raising and the
clock sweeps are idempotent (a unique live alert per product and regulator; compare-and-swap
updates on the due times), so the beat job can run any number of times, concurrently.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.notifications import notifications_read_for_alert, notify_safety_alert
from claims.models import Claim, ClaimStatus, DenialReason
from claims.outbox import outbox_add
from safety.clocks import SWEEP_BATCH, alert_clock_fields, alert_event_add
from safety.exceptions import SafetyError
from safety.models import (
    LIVE_STATUSES,
    REPORT_CLOCK,
    WRITTEN_CLOCK,
    AlertEventKind,
    AlertStatus,
    AlertTrigger,
    IncidentFacts,
    Recall,
    Regulator,
    SafetyAlert,
)
from safety.rules import incident_reasons
from safety.selectors import SUSPEND_TRIGGERS
from webhooks.events import product_listings_suspend, safety_alert_raised

logger = logging.getLogger(__name__)

FACT_FIELDS = [
    "medical_care",
    "death",
    "child_hurt",
    "hazard",
    "product_model",
    "batch_serial",
    "kept_for_inspection",
]


# --- facts --------------------------------------------------------------------------------------


def incident_facts_record(*, claim: Claim, facts: dict, user=None) -> IncidentFacts:
    """Create or correct a claim's incident facts (a history row is kept for each change)."""
    row = IncidentFacts.objects.filter(claim=claim).first() or IncidentFacts(claim=claim)
    for name in FACT_FIELDS:
        if name in facts:
            setattr(row, name, facts[name])
    row.updated_at = timezone.now()
    row.weighed_at = None  # the sweeper weighs it (again) against the rules
    row.full_clean()
    if user is not None:
        row._history_user = user
    row.save()
    outbox_add(topic="safety.weigh", payload={"facts_id": row.pk})
    return row


# --- raising ------------------------------------------------------------------------------------


def safety_incident_q() -> Q:
    """Claims that count towards a cluster: the customer reported a hazard (any but "other"),
    medical care or a death, whatever the claim is for (fire and property damage count)."""
    return Q(safety_facts__isnull=False) & (
        ~Q(safety_facts__hazard="other")
        | ~Q(safety_facts__medical_care="none")
        | Q(safety_facts__death=True)
    )


def not_fraud() -> Q:
    """Claims that count: not confirmed as fraud (confirming fraud denies with reason fraud)."""
    return ~Q(denial_reason=DenialReason.FRAUD)


def alert_raise(
    *,
    product_id: int,
    regulator: Regulator,
    trigger: str,
    reasons: list[str],
    claim_ids: list[int],
    aware_at: dt.datetime,
    recall: Recall | None = None,
    now: dt.datetime | None = None,
) -> tuple[SafetyAlert, bool]:
    """Raise an alert, or add these incidents to the product's live alert for this regulator.
    Returns the alert and whether it is new. Safe to call twice or concurrently."""
    now = now or timezone.now()
    with transaction.atomic():
        live = (
            SafetyAlert.objects.select_for_update()
            .filter(product_id=product_id, regulator=regulator, status__in=LIVE_STATUSES)
            .first()
        )
        if live is not None:
            have = set(live.claims.values_list("pk", flat=True))
            new = [pk for pk in claim_ids if pk not in have]
            if new:
                live.claims.add(*new)
                refs = list(Claim.objects.filter(pk__in=new).values_list("reference", flat=True))
                alert_event_add(
                    live,
                    AlertEventKind.INCIDENT,
                    note=", ".join(refs),
                    data={"claims": new, "reasons": reasons},
                    now=now,
                )
            suspend = False
            if recall is not None and live.recall_id is None:
                SafetyAlert.objects.filter(pk=live.pk).update(recall=recall, updated_at=now)
                alert_event_add(live, AlertEventKind.RECALL, note=recall.number, now=now)
                suspend = True
            if live.trigger not in SUSPEND_TRIGGERS and trigger in SUSPEND_TRIGGERS:
                # A cluster alert joined by a reportable incident (or a recall) is now serious
                # enough for the product's listings to be suspended (safety.selectors).
                SafetyAlert.objects.filter(pk=live.pk).update(trigger=trigger, updated_at=now)
                alert_event_add(
                    live,
                    AlertEventKind.INCIDENT,
                    data={"trigger": trigger, "was": live.trigger},
                    now=now,
                )
                suspend = True
            if suspend:
                product_listings_suspend(product_id=product_id, now=now)
            merged = sorted(set(live.reasons) | set(reasons))
            if merged != sorted(live.reasons):
                SafetyAlert.objects.filter(pk=live.pk).update(reasons=merged, updated_at=now)
                if not new and recall is None:
                    # A rule newly fired on incidents already in the alert: still a change.
                    alert_event_add(
                        live, AlertEventKind.INCIDENT, data={"reasons": merged}, now=now
                    )
            return live, False
        try:
            with transaction.atomic():
                alert = SafetyAlert.objects.create(
                    product_id=product_id,
                    regulator=regulator,
                    trigger=trigger,
                    reasons=sorted(set(reasons)),
                    recall=recall,
                    raised_at=now,
                    updated_at=now,
                    **alert_clock_fields(regulator=regulator, aware_at=aware_at, now=now),
                )
        except IntegrityError:
            # Another worker raised it between our read and our insert: join theirs.
            return alert_raise(
                product_id=product_id,
                regulator=regulator,
                trigger=trigger,
                reasons=reasons,
                claim_ids=claim_ids,
                aware_at=aware_at,
                recall=recall,
                now=now,
            )
        alert.claims.add(*claim_ids)
        alert_event_add(
            alert,
            AlertEventKind.RAISED,
            to_status=AlertStatus.OPEN,
            note=recall.number if recall else "",
            data={"claims": claim_ids, "reasons": alert.reasons, "trigger": trigger},
            now=now,
        )
        outbox_add(
            topic="safety.alert_email",
            payload={"alert_id": alert.pk, "what": "raised"},
            dedupe_key=f"safety-alert:{alert.pk}:raised",
        )
        notify_safety_alert(alert=alert, what="raised", due_at=alert.report_due, key="raised")
        # The API's clients hear of it in the same transaction (the webhooks' outbox); a
        # serious alert (a reportable incident, a recall) means the listings must go.
        safety_alert_raised(alert_id=alert.pk, now=now)
        if trigger in SUSPEND_TRIGGERS:
            product_listings_suspend(product_id=product_id, now=now)
    return alert, True


def incident_weigh(*, facts: IncidentFacts, now: dt.datetime | None = None) -> int:
    """Weigh one incident against the rules of every regulator covering its region; raise
    what they call for. Returns how many alerts are new."""
    now = now or timezone.now()
    claim = facts.claim
    raised = 0
    if claim.denial_reason != DenialReason.FRAUD:
        for regulator in Regulator.objects.filter(active=True, regions=claim.region_id):
            reasons = incident_reasons(facts=facts, regulator=regulator)
            if reasons:
                _alert, new = alert_raise(
                    product_id=claim.order_line.product_id,
                    regulator=regulator,
                    trigger=AlertTrigger.INCIDENT,
                    reasons=reasons,
                    claim_ids=[claim.pk],
                    aware_at=claim.submitted_at,
                    now=now,
                )
                raised += new
    # Weighed as it was: a correction made meanwhile (a new updated_at) is weighed again.
    IncidentFacts.objects.filter(pk=facts.pk, updated_at=facts.updated_at).update(weighed_at=now)
    return raised


def safety_alerts_raise(*, now: dt.datetime | None = None) -> int:
    """Weigh every incident not weighed yet, then each regulator's cluster rule. Returns how
    many alerts are new."""
    now = now or timezone.now()
    raised = 0
    pending = (
        IncidentFacts.objects.select_related("claim__order_line", "claim__region")
        .filter(weighed_at__isnull=True, claim__submitted_at__lte=now)
        .order_by("pk")[:SWEEP_BATCH]
    )
    for facts in pending:
        raised += incident_weigh(facts=facts, now=now)
    for regulator in Regulator.objects.filter(active=True).prefetch_related("regions"):
        region_ids = [r.pk for r in regulator.regions.all()]
        if region_ids:
            raised += _clusters_raise(regulator=regulator, region_ids=region_ids, now=now)
    return raised


def product_cluster(*, product_id: int, window_days: int, now: dt.datetime) -> list[Claim]:
    """The product's claims that count towards a cluster: every region, in the window, a
    safety incident, not confirmed as fraud, not withdrawn. Oldest first."""
    return list(
        Claim.objects.filter(
            order_line__product_id=product_id,
            submitted_at__gte=now - dt.timedelta(days=window_days),
            submitted_at__lte=now,
        )
        .filter(safety_incident_q(), not_fraud())
        .exclude(status=ClaimStatus.WITHDRAWN)
        .order_by("submitted_at", "pk")
    )


def _clusters_raise(*, regulator: Regulator, region_ids: list[int], now: dt.datetime) -> int:
    if not regulator.cluster_claims:
        return 0
    window = now - dt.timedelta(days=regulator.cluster_window_days)
    products = (
        Claim.objects.filter(
            region_id__in=region_ids, submitted_at__gte=window, submitted_at__lte=now
        )
        .filter(safety_incident_q(), not_fraud())
        .exclude(status=ClaimStatus.WITHDRAWN)
        .values_list("order_line__product_id", flat=True)
        .distinct()
    )
    raised = 0
    weighed = set(
        SafetyAlert.objects.filter(regulator=regulator, trigger=AlertTrigger.CLUSTER).values_list(
            "claims", flat=True
        )
    )
    for product_id in products:
        cluster = product_cluster(
            product_id=product_id, window_days=regulator.cluster_window_days, now=now
        )
        if len(cluster) < regulator.cluster_claims:
            continue
        fresh = [c for c in cluster if c.pk not in weighed]
        if not fresh:
            continue  # already raised (and perhaps filed) for these same claims
        _alert, new = alert_raise(
            product_id=product_id,
            regulator=regulator,
            trigger=AlertTrigger.CLUSTER,
            reasons=["cluster"],
            claim_ids=[c.pk for c in cluster],
            aware_at=cluster[regulator.cluster_claims - 1].submitted_at,
            now=now,
        )
        raised += new
    return raised


# --- staff --------------------------------------------------------------------------------------

# status -> where staff may move an alert by hand (filing has its own service)
ALERT_MOVES = {
    AlertStatus.OPEN: (AlertStatus.INVESTIGATING, AlertStatus.DISMISSED),
    AlertStatus.INVESTIGATING: (AlertStatus.DISMISSED,),
    AlertStatus.FILED: (),
    AlertStatus.DISMISSED: (),
}


def alert_opened(*, alert: SafetyAlert, user, now: dt.datetime | None = None) -> bool:
    """Record the first time someone opened the alert (the "new" count drops); the reader's
    notifications of it are read."""
    now = now or timezone.now()
    with transaction.atomic():
        notifications_read_for_alert(user=user, alert_id=alert.pk)
        changed = SafetyAlert.objects.filter(pk=alert.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
        if changed == 1:
            alert_event_add(alert, AlertEventKind.OPENED, user=user, now=now)
    return changed == 1


def alert_move_problem(*, to: str, reason: str) -> str | None:
    """What is missing for this move (the form shows it beside the reason; the service refuses)."""
    if to == AlertStatus.DISMISSED and not reason.strip():
        return _("Say why the alert is dismissed.")
    return None


def alert_move(*, alert: SafetyAlert, user, to: str, reason: str = "") -> SafetyAlert:
    current = alert.status
    if to not in ALERT_MOVES.get(current, ()):
        raise SafetyError(
            _("This alert is %(from)s and cannot become %(to)s.")
            % {
                "from": AlertStatus(current).label,
                "to": AlertStatus(to).label if to in AlertStatus.values else to,
            }
        )
    reason = reason.strip()
    if problem := alert_move_problem(to=to, reason=reason):
        raise SafetyError(problem)
    with transaction.atomic():
        changed = SafetyAlert.objects.filter(pk=alert.pk, status=current).update(
            status=to,
            dismiss_reason=reason if to == AlertStatus.DISMISSED else alert.dismiss_reason,
            updated_at=timezone.now(),
        )
        if changed != 1:
            raise SafetyError(_("Someone else changed this alert first; look again."))
        alert_event_add(
            alert, AlertEventKind.STATUS, user=user, note=reason, from_status=current, to_status=to
        )
    alert.refresh_from_db()
    return alert


def alert_draft_save(*, alert: SafetyAlert, user, answers: dict[str, str]) -> SafetyAlert:
    """Keep what staff typed into the report draft (only the form's own fields), while a report
    is still to file: the incident report, then the written report (Health Canada)."""
    from safety.reports import completable_codes

    if not (alert.is_live or alert.written_pending):
        raise SafetyError(_("This alert is closed; its report can no longer change."))
    allowed = completable_codes(alert.regulator.report_form)
    clean = {k: v.strip() for k, v in answers.items() if k in allowed}
    changed_fields = sorted(k for k, v in clean.items() if alert.draft.get(k, "") != v)
    if not changed_fields:
        return alert
    with transaction.atomic():
        draft = {k: v for k, v in {**alert.draft, **clean}.items() if v}
        # Open while a report is still to file: the incident report's, or the written one's.
        still_open = REPORT_CLOCK.running | WRITTEN_CLOCK.running
        updated = SafetyAlert.objects.filter(still_open, pk=alert.pk).update(
            draft=draft, updated_at=timezone.now()
        )
        if updated != 1:
            raise SafetyError(_("Someone else changed this alert first; look again."))
        alert_event_add(alert, AlertEventKind.DRAFT, user=user, data={"fields": changed_fields})
    alert.refresh_from_db()
    return alert


def _filing_check(*, alert: SafetyAlert, reference: str, sent_at: dt.datetime, now: dt.datetime):
    """What filing any of an alert's reports needs: the regulator's reference, a time it went
    out that is neither in the future nor before the marketplace knew, and every field that
    report requires (``report_missing``)."""
    from safety.reports import report_missing

    if not reference:
        raise SafetyError(_("Give the regulator's reference for the report."))
    if sent_at > now + dt.timedelta(minutes=5):
        raise SafetyError(_("The time the report went out cannot be in the future."))
    if sent_at < alert.aware_at:
        raise SafetyError(
            _("The report cannot have gone out before the marketplace knew of the incident.")
        )
    missing = report_missing(alert)
    if missing:
        raise SafetyError(
            _("Complete the report first: %(fields)s.") % {"fields": ", ".join(missing)}
        )


def alert_file(
    *, alert: SafetyAlert, user, reference: str, sent_at: dt.datetime, now=None
) -> SafetyAlert:
    """Mark the report filed: the regulator's reference, when it went out, who sent it. Every
    required field of the regulator's report must be filled first."""
    now = now or timezone.now()
    reference = reference.strip()
    if not alert.is_live:
        raise SafetyError(_("This alert is already closed."))
    _filing_check(alert=alert, reference=reference, sent_at=sent_at, now=now)
    current = alert.status
    return _filing_record(
        alert=alert,
        still=Q(status=current),
        fields={
            "status": AlertStatus.FILED,
            "filed_reference": reference,
            "filed_at": sent_at,
            "filed_by": user,
        },
        kind=AlertEventKind.FILED,
        user=user,
        reference=reference,
        sent_at=sent_at,
        on_time=sent_at <= alert.report_due,
        now=now,
        event={"from_status": current, "to_status": AlertStatus.FILED},
    )


def _filing_record(
    *,
    alert: SafetyAlert,
    still: Q,
    fields: dict,
    kind: str,
    user,
    reference: str,
    sent_at: dt.datetime,
    on_time: bool,
    now: dt.datetime,
    event: dict,
    data: dict | None = None,
) -> SafetyAlert:
    """Record one report filed (reference, time sent, sender: ``fields``) only if the alert is
    ``still`` as it was read (else someone else got there first), with its history entry."""
    with transaction.atomic():
        changed = SafetyAlert.objects.filter(still, pk=alert.pk).update(**fields, updated_at=now)
        if changed != 1:
            raise SafetyError(_("Someone else changed this alert first; look again."))
        alert_event_add(
            alert,
            kind,
            user=user,
            note=reference,
            data={"sent_at": sent_at.isoformat(), "on_time": on_time, **(data or {})},
            **event,
        )
    alert.refresh_from_db()
    return alert


def alert_written_file(
    *, alert: SafetyAlert, user, reference: str, sent_at: dt.datetime, now=None
) -> SafetyAlert:
    """Mark the written report filed (Health Canada, CCPSA 14(3)), apart from the incident
    report and after it: its own reference, when it went out, who sent it. Its clock stops."""
    now = now or timezone.now()
    reference = reference.strip()
    if alert.written_report_due is None:
        raise SafetyError(_("This regulator asks for no written report."))
    if alert.written_sent_at is not None:
        raise SafetyError(_("The written report is already filed."))
    if alert.status == AlertStatus.DISMISSED:
        raise SafetyError(_("This alert is dismissed; no written report is due."))
    if alert.status != AlertStatus.FILED:
        raise SafetyError(_("Mark the incident report filed first; the written report follows it."))
    _filing_check(alert=alert, reference=reference, sent_at=sent_at, now=now)
    if sent_at < alert.filed_at:
        raise SafetyError(_("The written report cannot have gone out before the incident report."))
    return _filing_record(
        alert=alert,
        still=WRITTEN_CLOCK.running & Q(status=AlertStatus.FILED),
        fields={
            "written_reference": reference,
            "written_sent_at": sent_at,
            "written_sent_by": user,
        },
        kind=AlertEventKind.WRITTEN,
        user=user,
        reference=reference,
        sent_at=sent_at,
        on_time=sent_at <= alert.written_report_due,
        now=now,
        event={},
        data={"clock": WRITTEN_CLOCK.code},
    )
