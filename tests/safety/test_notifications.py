"""People hear about an alert: the safety team by e-mail when it is raised and as the clock
runs down, supervisors when it is about to breach; each step once, each a history entry."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from safety.clocks import safety_clocks_sweep
from safety.models import AlertEvent, SafetyAlert
from safety.services import safety_alerts_raise
from tests.safety.helpers import deliver_safety_outbox, incident, safety_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return safety_officer()


def _raise(hours_ago: float = 0.1) -> SafetyAlert:
    submitted = timezone.now() - dt.timedelta(hours=hours_ago)
    claim = incident("US", hazard="fire_smoke", submitted=submitted)
    safety_alerts_raise()
    return SafetyAlert.objects.get(claims=claim)


def test_a_raised_alert_emails_the_safety_team_with_a_link(officer, supervisor, agent):
    # when
    alert = _raise()
    deliver_safety_outbox()
    # then: one e-mail, to the safety team only, with the alert's page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@staff.test"]
    assert alert.product.title in message.subject
    assert f"/staff/safety/{alert.pk}/" in message.body
    assert "Consumer Product Safety Act section 15(b)" in message.body


def test_reminders_follow_the_clock_once_each(officer):
    # given: a CPSC alert (24 h clock; reminders 12 h and 4 h before)
    alert = _raise()
    deliver_safety_outbox()
    mail.outbox.clear()
    due = alert.report_due
    assert alert.next_reminder_at == due - dt.timedelta(hours=12)
    # when: the sweeper runs before, at and twice after the first reminder
    assert safety_clocks_sweep(now=due - dt.timedelta(hours=13)) == {"reminded": 0, "escalated": 0}
    assert safety_clocks_sweep(now=due - dt.timedelta(hours=11))["reminded"] == 1
    assert safety_clocks_sweep(now=due - dt.timedelta(hours=11))["reminded"] == 0
    deliver_safety_outbox()
    # then: one reminder e-mail, and the next reminder is the 4-hour one
    assert [m.subject for m in mail.outbox] == [
        f"Reminder: safety report for {alert.product.title} due "
        + mail.outbox[0].subject.split(" due ", 1)[1]
    ]
    alert.refresh_from_db()
    assert alert.next_reminder_at == due - dt.timedelta(hours=4)
    assert AlertEvent.objects.filter(alert=alert, kind="reminded").count() == 1


def test_escalation_tells_supervisors_once_before_the_breach(officer, supervisor):
    alert = _raise()
    deliver_safety_outbox()
    mail.outbox.clear()
    # when: 90 minutes before the deadline (escalation is 2 hours before), twice
    at = alert.report_due - dt.timedelta(minutes=90)
    first = safety_clocks_sweep(now=at)
    second = safety_clocks_sweep(now=at)
    deliver_safety_outbox()
    # then
    assert first["escalated"] == 1 and second["escalated"] == 0
    escalation = [m for m in mail.outbox if m.subject.startswith("Escalation")]
    assert len(escalation) == 1
    assert set(escalation[0].to) == {"officer@staff.test", "supervisor@staff.test"}
    assert AlertEvent.objects.filter(alert=alert, kind="escalated").count() == 1


def test_a_filed_alert_is_neither_reminded_nor_escalated(officer):
    alert = _raise()
    SafetyAlert.objects.filter(pk=alert.pk).update(
        status="filed", filed_reference="X-1", filed_at=timezone.now(), filed_by=officer
    )
    assert safety_clocks_sweep(now=alert.report_due) == {"reminded": 0, "escalated": 0}


def test_an_old_incident_is_raised_with_its_clock_already_running(officer):
    # given: the claim came in 23 hours ago (the sweeper was down)
    alert = _raise(hours_ago=23)
    # then: no reminder is left to wait for but escalation is due at once
    assert alert.next_reminder_at is None
    assert safety_clocks_sweep()["escalated"] == 1


def test_the_beat_task_runs_the_sweep(settings, officer):
    from safety import tasks

    incident("US", hazard="poisoning")
    assert tasks.safety_sweep()["raised"] == 1
    assert settings.CELERY_BEAT_SCHEDULE["safety-sweep"]["task"] == "safety.tasks.safety_sweep"
