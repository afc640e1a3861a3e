"""People hear about an alert in the app too: the safety team covering the alert's regions when
it is raised and as its clocks run down, supervisors when it is about to breach; the same
people the e-mails go to, once per step, read when the reader opens the alert, shown in the
reader's language."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from backoffice.models import Notification, NotificationKind
from backoffice.notifications import notification_text
from claims import roles
from safety.clocks import safety_clocks_sweep
from safety.models import SafetyAlert
from safety.services import safety_alerts_raise
from tests.conftest import _staff
from tests.safety.helpers import deliver_safety_outbox, incident, safety_officer

pytestmark = pytest.mark.django_db
PAGE = reverse("backoffice:notifications")


@pytest.fixture
def officer(db):
    return safety_officer()


@pytest.fixture
def uk_officer(db):
    return _staff("uk-officer", roles.SAFETY, regions=("GB",))


def _raise(code: str = "US") -> SafetyAlert:
    claim = incident(code, hazard="fire_smoke", submitted=timezone.now() - dt.timedelta(hours=1))
    safety_alerts_raise()
    return SafetyAlert.objects.get(claims=claim)


def _kinds(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_raised_alert_notifies_the_safety_team_of_its_region_only(
    officer, uk_officer, supervisor, agent
):
    # when: a US alert is raised
    alert = _raise("US")
    # then: the (all-region) officer is told, linked to the alert, due at the report's deadline
    note = Notification.objects.get(recipient=officer)
    assert note.kind == NotificationKind.SAFETY_RAISED and note.safety_alert_id == alert.pk
    assert note.claim_id is None and note.due_at == alert.report_due
    assert alert.product.title in note.text and alert.regulator.name in note.text
    # and nobody else: not the UK-only officer, not a supervisor (raised is the team's), not
    # an agent (no safety role)
    assert _kinds(uk_officer) == [] and _kinds(supervisor) == [] and _kinds(agent) == []
    # and the e-mail goes to the same people
    deliver_safety_outbox()
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_a_uk_alert_reaches_the_uk_officer(officer, uk_officer):
    _raise("GB")
    assert _kinds(uk_officer) == [NotificationKind.SAFETY_RAISED]
    assert _kinds(officer) == [NotificationKind.SAFETY_RAISED]


def test_reminders_and_escalation_notify_once_each_and_reruns_add_nothing(
    officer, supervisor, uk_officer
):
    alert = _raise("US")
    due = alert.report_due
    # when: the sweeper runs at the 12-hour reminder twice, then at escalation twice
    for at in (due - dt.timedelta(hours=11),) * 2 + (due - dt.timedelta(minutes=90),) * 2:
        safety_clocks_sweep(now=at)
    # then: raised, one reminder per reminder time (12 h, then 4 h), one escalation
    assert _kinds(officer) == [
        NotificationKind.SAFETY_ESCALATED,
        NotificationKind.SAFETY_RAISED,
        NotificationKind.SAFETY_REMINDER,
        NotificationKind.SAFETY_REMINDER,
    ]
    # supervisors hear of the escalation only; the UK-only officer of nothing
    assert _kinds(supervisor) == [NotificationKind.SAFETY_ESCALATED]
    assert _kinds(uk_officer) == []
    escalation = Notification.objects.get(recipient=supervisor)
    assert escalation.due_at == due and escalation.safety_alert_id == alert.pk
    # and e-mails match: the escalation e-mail to the same two people
    deliver_safety_outbox()
    escalated = [m for m in mail.outbox if m.subject.startswith("Escalation")]
    assert [sorted(m.to) for m in escalated] == [sorted([officer.email, supervisor.email])]


def test_a_filed_alert_adds_no_reminder(officer):
    alert = _raise("US")
    SafetyAlert.objects.filter(pk=alert.pk).update(
        status="filed", filed_reference="X-1", filed_at=timezone.now(), filed_by=officer
    )
    safety_clocks_sweep(now=alert.report_due - dt.timedelta(minutes=30))
    assert _kinds(officer) == [NotificationKind.SAFETY_RAISED]


def test_the_notification_links_to_the_alert_and_opening_it_reads_it_for_that_reader(
    client, officer, supervisor
):
    # given: an escalated alert (the officer has two notifications, the supervisor one)
    alert = _raise("US")
    safety_clocks_sweep(now=alert.report_due - dt.timedelta(minutes=90))
    client.force_login(officer)
    page = client.get(PAGE).content.decode()
    link = reverse("backoffice:safety-alert", args=[alert.pk])
    assert f'href="{link}"' in page
    assert '<span class="count">' in page
    # when: the officer opens the alert
    assert client.get(link).status_code == 200
    # then: the officer's are read, the supervisor's is not
    assert not Notification.objects.filter(recipient=officer, read_at=None).exists()
    assert Notification.objects.filter(recipient=supervisor, read_at=None).count() == 1
    assert '<span class="count">' not in client.get(PAGE).content.decode()


def test_the_text_is_shown_in_the_readers_language(client, officer):
    alert = _raise("US")
    note = Notification.objects.get(recipient=officer)
    with translation.override("es"):
        spanish = notification_text(note)
    assert spanish.startswith("Se abrió una alerta de seguridad sobre")
    assert alert.product.title in spanish
    # and on the page, for a reader browsing in German
    client.force_login(officer)
    client.cookies["django_language"] = "de"
    page = client.get(PAGE).content.decode()
    assert "wurde eine Sicherheitswarnung" in page
    # an old row without parameters keeps its English text
    Notification.objects.filter(pk=note.pk).update(params={})
    note.refresh_from_db()
    with translation.override("de"):
        assert notification_text(note) == note.text


def test_a_notification_is_about_a_claim_or_an_alert(officer):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Notification.objects.create(
            recipient=officer, kind=NotificationKind.SAFETY_RAISED, text="about nothing"
        )


def test_notifications_page_queries_stay_pinned_with_safety_alerts(
    client, officer, django_assert_num_queries
):
    # given: 1 then many alerts' notifications
    _raise("US")
    client.force_login(officer)
    client.get(PAGE)
    # the user with its profile, its permissions, the unread and the read notifications, the
    # header's count: the alert is not loaded (the link is its id, the text its parameters)
    with django_assert_num_queries(5):
        client.get(PAGE)
    _raise("GB")
    _raise("CA")
    assert Notification.objects.filter(recipient=officer).count() == 3
    with django_assert_num_queries(5):
        client.get(PAGE)
