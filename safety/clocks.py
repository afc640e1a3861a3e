"""The alerts' clocks: their deadlines, reminders and escalation, and the history entry every
change of an alert writes.

Each alert has one clock per report a regulator expects (``safety.models.ALERT_CLOCKS``: the
report, and Health Canada's written report); ``alert_clock_fields`` starts them when an alert
is raised and ``safety_clocks_sweep`` (the beat job) walks them all the same way. Each due time
is taken by a compare-and-swap, so a rerun or a second worker sends nothing twice.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from backoffice.notifications import notify_safety_alert
from claims.outbox import outbox_add
from safety.models import (
    ALERT_CLOCKS,
    REPORT_CLOCK,
    WRITTEN_CLOCK,
    AlertClock,
    AlertEvent,
    AlertEventKind,
    Regulator,
    SafetyAlert,
)
from safety.rules import deadline

SWEEP_BATCH = 500


def alert_event_add(
    alert, kind, *, user=None, note="", data=None, from_status="", to_status="", now=None
) -> AlertEvent:
    """Append one entry to the alert's history (in the caller's transaction)."""
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        actor=user,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
        created_at=now or timezone.now(),
    )


def alert_clock_fields(*, regulator: Regulator, aware_at: dt.datetime, now: dt.datetime) -> dict:
    """The alert's deadlines and, for each clock, its first reminder and escalation time."""
    clock = deadline(regulator=regulator, aware_at=aware_at)
    fields = {
        "aware_at": aware_at,
        REPORT_CLOCK.due: clock.report_due,
        WRITTEN_CLOCK.due: clock.written_report_due,
    }
    for alert_clock in ALERT_CLOCKS.values():
        due = fields[alert_clock.due]
        if due is None:
            continue  # the regulator asks for no written report
        fields[alert_clock.next_reminder] = next_reminder(regulator=regulator, due=due, now=now)
        fields[alert_clock.escalate_at] = due - dt.timedelta(hours=regulator.escalate_hours_before)
    return fields


def next_reminder(*, regulator: Regulator, due: dt.datetime, now: dt.datetime):
    """The next reminder time after ``now`` (None when none is left)."""
    times = [due - dt.timedelta(hours=h) for h in regulator.reminder_offsets]
    future = [t for t in times if t > now]
    return min(future) if future else None


def safety_clocks_sweep(*, now: dt.datetime | None = None) -> dict:
    """Send the reminders that are due and escalate alerts about to breach, on every clock of
    an alert (the report, and the written report where the regulator asks for one). Each due
    time is taken by a compare-and-swap, so a rerun or a second worker sends nothing twice."""
    now = now or timezone.now()
    totals = {"reminded": 0, "escalated": 0}
    for clock in ALERT_CLOCKS.values():
        for key, count in _clock_sweep(clock=clock, now=now).items():
            totals[key] += count
    return totals


def _clock_message(*, alert: SafetyAlert, clock: AlertClock, what: str, stamp: str) -> None:
    """The e-mail and the in-app notifications for one step of one clock, once (the dedupe
    key names the step)."""

    # The report clock keeps the keys it always had, so a step sent before stays sent.
    prefix = "" if clock is REPORT_CLOCK else f"{clock.code}:"
    payload = {"alert_id": alert.pk, "what": what}
    if clock is not REPORT_CLOCK:
        payload["clock"] = clock.code
    outbox_add(
        topic="safety.alert_email",
        payload=payload,
        dedupe_key=f"safety-alert:{alert.pk}:{prefix}{what}{stamp}",
    )
    notify_safety_alert(
        alert=alert,
        what=what,
        clock=clock.code,
        due_at=getattr(alert, clock.due),
        key=f"{prefix}{what}{stamp}",
    )


def _clock_sweep(*, clock: AlertClock, now: dt.datetime) -> dict:
    reminded = escalated = 0
    running = SafetyAlert.objects.filter(clock.running)
    due = running.select_related("regulator").filter(**{f"{clock.next_reminder}__lte": now})
    for alert in due[:SWEEP_BATCH]:
        deadline_at = getattr(alert, clock.due)
        taken = getattr(alert, clock.next_reminder)
        following = next_reminder(regulator=alert.regulator, due=deadline_at, now=now)
        with transaction.atomic():
            changed = running.filter(pk=alert.pk, **{clock.next_reminder: taken}).update(
                **{clock.next_reminder: following}, updated_at=now
            )
            if changed != 1:
                continue
            alert_event_add(alert, AlertEventKind.REMINDED, data=_clock_data(clock, deadline_at))
            _clock_message(alert=alert, clock=clock, what="reminder", stamp=f":{taken.isoformat()}")
            reminded += 1
    about_to_breach = running.filter(
        **{f"{clock.escalate_at}__lte": now, f"{clock.escalated_at}__isnull": True}
    )
    for alert in about_to_breach[:SWEEP_BATCH]:
        with transaction.atomic():
            changed = running.filter(pk=alert.pk, **{f"{clock.escalated_at}__isnull": True}).update(
                **{clock.escalated_at: now}, updated_at=now
            )
            if changed != 1:
                continue
            alert_event_add(
                alert, AlertEventKind.ESCALATED, data=_clock_data(clock, getattr(alert, clock.due))
            )
            _clock_message(alert=alert, clock=clock, what="escalated", stamp="")
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _clock_data(clock: AlertClock, due: dt.datetime) -> dict:
    data = {"due": due.isoformat()}
    if clock is not REPORT_CLOCK:
        data["clock"] = clock.code
    return data
