"""Health Canada's second clock (CCPSA section 14(3): a written report within 10 days of
becoming aware) runs like the first: reminders to the safety team, escalation to supervisors
before the breach, a history entry for each step, both clocks on the staff pages, and the
written report marked filed (reference, time sent, who sent) apart from the incident report.
Through the beat job and the staff pages."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from safety import tasks
from safety.clocks import safety_clocks_sweep
from safety.models import AlertEvent, AlertStatus, SafetyAlert
from safety.reports import FIELDS
from safety.services import alert_file, safety_alerts_raise
from tests.safety.helpers import deliver_safety_outbox, incident, safety_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return safety_officer()


def _hc_alert(submitted: dt.datetime | None = None) -> SafetyAlert:
    """A Health Canada alert (carbon monoxide, reportable without an injury), its report
    draft complete; raised when the claim came in."""
    submitted = submitted or timezone.now() - dt.timedelta(minutes=5)
    claim = incident("CA", hazard="poisoning", submitted=submitted)
    safety_alerts_raise(now=submitted + dt.timedelta(minutes=1))
    alert = SafetyAlert.objects.get(claims=claim)
    SafetyAlert.objects.filter(pk=alert.pk).update(
        draft={spec.code: "completed" for spec in FIELDS[alert.regulator.report_form]}
    )
    alert.refresh_from_db()
    return alert


def _file_first(alert: SafetyAlert, user) -> SafetyAlert:
    return alert_file(
        alert=alert,
        user=user,
        reference="HC-IR-1",
        sent_at=alert.aware_at + dt.timedelta(minutes=3),
    )


def _local(moment: dt.datetime) -> dt.datetime:
    """In the reader's zone (staff without a profile: the default viewer's)."""
    return moment.astimezone(zoneinfo.ZoneInfo(settings.DEFAULT_VIEWER_TIME_ZONE))


def _typed(moment: dt.datetime) -> str:
    """A time as staff type it."""
    return _local(moment).strftime("%Y-%m-%dT%H:%M")


# --- the clock, through the beat job ------------------------------------------------------------


def test_a_health_canada_alert_has_both_clocks_from_when_the_marketplace_knew(officer):
    alert = _hc_alert()
    # then: 2 and 10 calendar days in Toronto, each with its reminders and escalation
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    aware = alert.aware_at.astimezone(toronto)
    assert alert.written_report_due.astimezone(toronto).date() == aware.date() + dt.timedelta(10)
    assert alert.written_next_reminder_at == alert.written_report_due - dt.timedelta(hours=12)
    assert alert.written_escalate_at == alert.written_report_due - dt.timedelta(hours=2)
    assert alert.report_due < alert.written_report_due


def test_the_job_reminds_the_safety_team_of_the_written_report_once(officer, supervisor):
    # given: the incident report went out in time; the written report is due in 11 hours
    # (the claim came in 10 days less 11 hours ago)
    ten_days = dt.timedelta(days=10)
    alert = _hc_alert(submitted=timezone.now() - ten_days + dt.timedelta(hours=11))
    alert = _file_first(alert, officer)
    first_clock = (alert.next_reminder_at, alert.escalated_at)
    deliver_safety_outbox()
    mail.outbox.clear()
    # when: the beat job runs, twice
    first = tasks.safety_sweep()
    second = tasks.safety_sweep()
    deliver_safety_outbox()
    # then: one reminder (the 12-hour one), to the safety team, about the written report
    assert (first["reminded"], first["escalated"]) == (1, 0)
    assert (second["reminded"], second["escalated"]) == (0, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@staff.test"]
    assert message.subject.startswith(f"Reminder: written safety report for {alert.product.title}")
    assert "Canada Consumer Product Safety Act section 14" in message.body
    event = AlertEvent.objects.get(alert=alert, kind="reminded")
    assert event.data == {"due": alert.written_report_due.isoformat(), "clock": "written"}
    alert.refresh_from_db()
    assert alert.written_next_reminder_at == alert.written_report_due - dt.timedelta(hours=4)
    assert (alert.next_reminder_at, alert.escalated_at) == first_clock  # filed: not touched


def test_the_job_escalates_the_written_report_to_supervisors_before_the_breach(
    officer, supervisor, agent
):
    # given: filed in time, the written report due in one hour (no reminder sent yet)
    alert = _hc_alert(submitted=timezone.now() - dt.timedelta(days=10, hours=-1))
    alert = _file_first(alert, officer)
    deliver_safety_outbox()
    mail.outbox.clear()
    # when
    first = tasks.safety_sweep()
    again = tasks.safety_sweep()
    deliver_safety_outbox()
    # then: the one reminder still due and the escalation, each once
    assert (first["reminded"], first["escalated"]) == (1, 1)
    assert (again["reminded"], again["escalated"]) == (0, 0)
    escalation = [m for m in mail.outbox if m.subject.startswith("Escalation")]
    assert len(escalation) == 1
    assert escalation[0].subject.startswith("Escalation: written safety report for")
    assert set(escalation[0].to) == {"officer@staff.test", "supervisor@staff.test"}
    alert.refresh_from_db()
    assert alert.written_escalated_at is not None
    assert alert.escalated_at is None  # the incident report was filed: its clock had stopped
    kinds = list(alert.events.filter(kind__in=["reminded", "escalated"]).values_list("data"))
    assert [d[0]["clock"] for d in kinds] == ["written", "written"]


def test_both_clocks_run_while_the_incident_report_is_not_filed(officer):
    # given: an open alert whose written report is due in 3 hours (the first long overdue)
    alert = _hc_alert(submitted=timezone.now() - dt.timedelta(days=10, hours=-3))
    # when
    swept = tasks.safety_sweep()
    # then: each clock reminded once (its last reminder due) and the first escalated
    assert (swept["reminded"], swept["escalated"]) == (2, 1)
    alert.refresh_from_db()
    assert alert.escalated_at is not None and alert.written_escalated_at is None
    assert sorted(e.data.get("clock", "report") for e in alert.events.filter(kind="reminded")) == [
        "report",
        "written",
    ]


def test_filing_or_dismissing_stops_the_written_clock(officer):
    filed = _hc_alert()
    filed = _file_first(filed, officer)
    dismissed = _hc_alert()
    SafetyAlert.objects.filter(pk=dismissed.pk).update(status="dismissed", dismiss_reason="Dup.")
    from safety.services import alert_written_file

    alert_written_file(alert=filed, user=officer, reference="HC-WR-1", sent_at=filed.filed_at)
    # when: swept at the written deadline
    at = filed.written_report_due
    assert safety_clocks_sweep(now=at) == {"reminded": 0, "escalated": 0}


def test_a_reminder_queued_before_the_written_report_was_filed_is_not_sent(officer):
    alert = _file_first(_hc_alert(), officer)
    deliver_safety_outbox()
    mail.outbox.clear()
    safety_clocks_sweep(now=alert.written_report_due - dt.timedelta(hours=11))
    from safety.services import alert_written_file

    alert_written_file(alert=alert, user=officer, reference="HC-WR-2", sent_at=alert.filed_at)
    # when: the worker delivers the reminder after the filing
    assert deliver_safety_outbox() == ["safety.alert_email"]
    # then
    assert mail.outbox == []


def test_a_cpsc_alert_has_no_written_clock(officer):
    claim = incident("US", hazard="fire_smoke")
    safety_alerts_raise()
    alert = SafetyAlert.objects.get(claims=claim)
    assert alert.written_report_due is None
    assert (alert.written_next_reminder_at, alert.written_escalate_at) == (None, None)


# --- the staff pages ----------------------------------------------------------------------------


def test_the_list_and_the_alert_show_both_clocks(client, officer):
    alert = _hc_alert()
    client.force_login(officer)
    # when: the incident report is still to file
    page = client.get(reverse("backoffice:safety")).content.decode()
    # then: both deadlines in the open list
    assert "Written report due" in page
    assert _local(alert.written_report_due).isoformat() in page
    assert _local(alert.report_due).isoformat() in page
    detail = client.get(reverse("backoffice:safety-alert", args=[alert.pk])).content.decode()
    assert 'id="written-clock"' in detail and "left" in detail.split('id="written-clock"')[1]
    # and once the incident report is filed: listed as a written report still due
    _file_first(alert, officer)
    page = client.get(reverse("backoffice:safety")).content.decode()
    due = page.split('id="written-due"')[1]
    assert alert.product.title in due and "HC-IR-1" in due
    assert _local(alert.written_report_due).isoformat() in due


def test_the_written_report_is_marked_filed_apart_from_the_first(client, officer):
    alert = _hc_alert()
    client.force_login(officer)
    url = reverse("backoffice:safety-written-file", args=[alert.pk])
    data = {"written-reference": "HC-WR-9", "written-sent_at": _typed(timezone.now())}
    # when: before the incident report is filed
    refused = client.post(url, data, follow=True).content.decode()
    # then: refused, nothing changed
    assert "Mark the incident report filed first" in refused
    alert.refresh_from_db()
    assert (alert.written_reference, alert.written_sent_at) == ("", None)
    # when: the incident report is filed through its page, then the written report
    client.post(
        reverse("backoffice:safety-report-file", args=[alert.pk]),
        {"reference": "HC-IR-7", "sent_at": _typed(alert.aware_at + dt.timedelta(minutes=2))},
    )
    report = client.get(reverse("backoffice:safety-report", args=[alert.pk])).content.decode()
    assert 'id="written"' in report and url in report
    response = client.post(url, data, follow=True)
    # then
    assert "Written report filed with Health Canada, reference HC-WR-9." in (
        response.content.decode()
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.FILED
    assert (alert.filed_reference, alert.written_reference) == ("HC-IR-7", "HC-WR-9")
    assert alert.written_sent_by == officer and alert.written_sent_at is not None
    event = alert.events.get(kind="written")
    assert (event.actor, event.note, event.data["on_time"]) == (officer, "HC-WR-9", True)
    assert event.data["clock"] == "written"
    detail = client.get(reverse("backoffice:safety-alert", args=[alert.pk])).content.decode()
    assert "Written report filed" in detail and "HC-WR-9" in detail
    # and filing it again changes nothing
    again = client.post(url, {**data, "written-reference": "HC-WR-10"}, follow=True)
    assert "The written report is already filed." in again.content.decode()
    alert.refresh_from_db()
    assert alert.written_reference == "HC-WR-9"
    assert alert.events.filter(kind="written").count() == 1


def test_the_written_report_asks_for_the_measures_which_staff_complete_after_the_first(
    client, officer
):
    # given: an incident report filed without the measures (CCPSA 14(3) asks for them in the
    # written report, not in the incident report)
    alert = _hc_alert()
    draft = {k: v for k, v in alert.draft.items() if k != "measures"}
    SafetyAlert.objects.filter(pk=alert.pk).update(draft=draft)
    alert.refresh_from_db()
    alert = _file_first(alert, officer)
    assert alert.status == AlertStatus.FILED
    client.force_login(officer)
    report_url = reverse("backoffice:safety-report", args=[alert.pk])
    url = reverse("backoffice:safety-written-file", args=[alert.pk])
    data = {"written-reference": "HC-WR-3", "written-sent_at": _typed(timezone.now())}
    # when: the written report is marked filed without them
    refused = client.post(url, data, follow=True).content.decode()
    # then: refused, naming the field
    assert "Complete the report first: Measures proposed (written report, 14(3))." in refused
    alert.refresh_from_db()
    assert alert.written_sent_at is None
    # when: staff complete the draft after the first filing, then file the written report
    page = client.get(report_url).content.decode()
    assert "Still to complete before filing" in page and 'name="measures"' in page
    client.post(report_url, {"measures": "Stop sale; recall with the seller."})
    alert.refresh_from_db()
    assert alert.draft["measures"] == "Stop sale; recall with the seller."
    client.post(url, data)
    # then
    alert.refresh_from_db()
    assert alert.written_reference == "HC-WR-3"
    assert alert.draft["measures"] == "Stop sale; recall with the seller."
    # and once both are filed, the report no longer changes
    assert 'name="measures"' not in client.get(report_url).content.decode()
    client.post(report_url, {"measures": "Changed later."})
    alert.refresh_from_db()
    assert alert.draft["measures"] == "Stop sale; recall with the seller."


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        # what was typed: the report page again, the problem beside its field (400)
        (
            {"written-reference": " ", "written-sent_at": "now"},
            "Give the reference the regulator gave",
            400,
        ),
        ({"written-reference": "HC-WR", "written-sent_at": ""}, "Give the date and time", 400),
        ({"written-reference": "HC-WR", "written-sent_at": "1/2/3"}, "year-month-day", 400),
        # the service's refusals: said on the page as it now is
        (
            {"written-reference": "HC-WR", "written-sent_at": "future"},
            "cannot be in the future",
            200,
        ),
        (
            {"written-reference": "HC-WR", "written-sent_at": "early"},
            "before the incident report",
            200,
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client, officer, data, message, status
):
    alert = _file_first(_hc_alert(), officer)
    times = {
        "now": _typed(timezone.now()),
        "future": _typed(timezone.now() + dt.timedelta(days=1)),
        "early": _typed(alert.filed_at - dt.timedelta(minutes=1)),
    }
    data = {k: times.get(v, v) for k, v in data.items()}
    client.force_login(officer)
    response = client.post(
        reverse("backoffice:safety-written-file", args=[alert.pk]), data, follow=True
    )
    assert response.status_code == status and message in response.content.decode()
    if status == 400:
        html = response.content.decode()
        assert "Nothing was recorded. Fix what is marked below:" in html
        assert f'value="{data["written-reference"]}"' in html
    alert.refresh_from_db()
    assert (alert.written_reference, alert.written_sent_at) == ("", None)
    assert not alert.events.filter(kind="written").exists()


def test_a_regulator_without_a_written_report_refuses_one(client, officer):
    claim = incident("US", hazard="fire_smoke")
    safety_alerts_raise()
    alert = SafetyAlert.objects.get(claims=claim)
    client.force_login(officer)
    response = client.post(
        reverse("backoffice:safety-written-file", args=[alert.pk]),
        {"written-reference": "X", "written-sent_at": _typed(timezone.now())},
        follow=True,
    )
    assert "This regulator asks for no written report." in response.content.decode()
    alert.refresh_from_db()
    assert alert.written_sent_at is None


def test_the_list_costs_the_same_queries_for_1_and_20_written_reports_due(
    client, officer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def filed(n):
        for _ in range(n):
            _file_first(_hc_alert(), officer)

    client.force_login(officer)
    filed(1)
    client.get(reverse("backoffice:safety"))  # warm the session and permission caches

    def written_due(page: str) -> str:
        return page.split('id="written-due"')[1].split("Recently filed")[0]

    with CaptureQueriesContext(connection) as one:
        page = client.get(reverse("backoffice:safety")).content.decode()
    assert written_due(page).count("HC-IR-1") == 1
    filed(19)
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("backoffice:safety")).content.decode()
    assert written_due(page).count("HC-IR-1") == 20
