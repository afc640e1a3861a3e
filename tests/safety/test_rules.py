"""Each regulator's rules fire on the right facts and stay silent on the others; the cluster
counts every region but not fraud; the clocks hold across daylight-saving changes."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from claims.actors import Actor
from claims.models import ClaimStatus
from fraud.services import fraud_confirm
from safety.models import AlertEvent, AlertTrigger, Regulator, SafetyAlert
from safety.rules import deadline
from safety.services import safety_alerts_raise
from tests.factories import ProductFactory, claim_in
from tests.safety.helpers import incident, region_open

pytestmark = pytest.mark.django_db

REGION_OF = {"cpsc": "US", "health-canada": "CA", "eu-gpsr": "IE", "uk-opss": "GB"}

# (facts, regulators the incident is reportable to): every rule, and its quiet neighbours.
CASES = [
    ({"death": True, "medical_care": "hospital_admission"}, set(REGION_OF)),
    ({"medical_care": "hospital_admission", "hazard": "cut"}, set(REGION_OF)),
    ({"medical_care": "emergency_room", "hazard": "fall"}, set(REGION_OF)),
    ({"medical_care": "doctor", "hazard": "fall"}, {"health-canada"}),
    ({"medical_care": "first_aid", "hazard": "cut"}, set()),
    (
        {"medical_care": "doctor", "hazard": "cut", "child_hurt": "under_5"},
        {"cpsc", "health-canada", "eu-gpsr", "uk-opss"},
    ),
    (
        {"medical_care": "doctor", "hazard": "cut", "child_hurt": "under_14"},
        {"cpsc", "health-canada", "uk-opss"},
    ),
    ({"medical_care": "first_aid", "hazard": "cut", "child_hurt": "under_14"}, {"health-canada"}),
    ({"hazard": "fire_smoke"}, {"cpsc", "health-canada", "uk-opss"}),
    ({"hazard": "poisoning"}, {"cpsc", "health-canada", "uk-opss"}),
    ({"hazard": "choking"}, {"health-canada"}),
    ({"hazard": "burn"}, set()),
    ({"hazard": "other"}, set()),
]


@pytest.mark.parametrize("regulator", list(REGION_OF))
@pytest.mark.parametrize(("facts", "reportable"), CASES)
def test_rule_fires_or_stays_silent_per_regulator(regulator, facts, reportable):
    # given: one incident in the regulator's region, with these facts
    claim = incident(REGION_OF[regulator], **facts)
    # when
    raised = safety_alerts_raise()
    # then
    alerts = SafetyAlert.objects.filter(claims=claim)
    if regulator in reportable:
        assert raised == 1
        alert = alerts.get()
        assert alert.regulator.code == regulator and alert.trigger == AlertTrigger.INCIDENT
        assert AlertEvent.objects.filter(alert=alert, kind="raised").count() == 1
    else:
        assert raised == 0 and not alerts.exists()


def test_raising_twice_raises_once_and_a_later_incident_joins_the_live_alert():
    product = ProductFactory()
    first = incident("US", product=product, hazard="fire_smoke")
    assert safety_alerts_raise() == 1
    assert safety_alerts_raise() == 0
    second = incident("US", product=product, hazard="electric_shock")
    assert safety_alerts_raise() == 0
    alert = SafetyAlert.objects.get()
    assert set(alert.claims.all()) == {first, second}
    assert list(alert.events.values_list("kind", flat=True)) == ["raised", "incident"]


def test_a_staff_correction_is_weighed_again(supervisor):
    from safety.services import incident_facts_record

    claim = incident("US", medical_care="first_aid", hazard="cut")
    assert safety_alerts_raise() == 0
    incident_facts_record(
        claim=claim,
        facts={"medical_care": "hospital_admission"},
        user=supervisor,
    )
    assert safety_alerts_raise() == 1
    history = claim.safety_facts.history.order_by("history_date")
    assert [h.medical_care for h in history] == ["first_aid", "hospital_admission"]
    assert history.last().history_user == supervisor


def test_a_cluster_counts_claims_across_regions():
    # given: two US and one Canadian fire claim on one product (no injury at all)
    product = ProductFactory()
    region_open("CA")
    Regulator.objects.update(hazards_without_injury="")
    claims = [
        incident("US", product=product, hazard="fire_smoke"),
        incident("US", product=product, hazard="fire_smoke"),
        incident("CA", product=product, hazard="fire_smoke"),
    ]
    # when
    safety_alerts_raise()
    # then: both regulators see a cluster of three
    for code in ("cpsc", "health-canada"):
        alert = SafetyAlert.objects.get(regulator__code=code)
        assert alert.trigger == AlertTrigger.CLUSTER
        assert set(alert.claims.all()) == set(claims)
    assert not SafetyAlert.objects.filter(regulator__code="eu-gpsr").exists()


def test_fraud_confirmed_claims_leave_the_cluster(analyst):
    # given: three fire claims on one product, one of them confirmed as fraud
    product = ProductFactory()
    Regulator.objects.update(hazards_without_injury="")
    incident("US", product=product, hazard="fire_smoke")
    incident("US", product=product, hazard="fire_smoke")
    from tests.safety.helpers import line_in

    fraud = claim_in(ClaimStatus.FRAUD_HOLD, order_line=line_in("US", product=product))
    from safety.services import incident_facts_record

    incident_facts_record(claim=fraud, facts={"hazard": "fire_smoke"})
    fraud_confirm(claim=fraud, actor=Actor.staff(analyst), note="Staged photos.")
    # when
    raised = safety_alerts_raise()
    # then
    assert raised == 0 and not SafetyAlert.objects.exists()
    # and a third honest claim makes it a cluster, without the fraudulent one
    third = incident("US", product=product, hazard="fire_smoke")
    assert safety_alerts_raise() == 1
    alert = SafetyAlert.objects.get()
    assert third in alert.claims.all() and fraud not in alert.claims.all()


def test_a_fraud_confirmed_serious_incident_raises_nothing(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    from safety.services import incident_facts_record

    incident_facts_record(claim=claim, facts={"hazard": "cut", "death": True})
    fraud_confirm(claim=claim, actor=Actor.staff(analyst), note="Invented.")
    assert safety_alerts_raise() == 0


# --- clocks across daylight-saving changes ------------------------------------------------------

NY = zoneinfo.ZoneInfo("America/New_York")
TORONTO = zoneinfo.ZoneInfo("America/Toronto")
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("aware", "expected_hours"),
    [
        (dt.datetime(2026, 3, 7, 12, 0, tzinfo=NY), 24),  # spring forward on 8 March
        (dt.datetime(2026, 10, 31, 12, 0, tzinfo=NY), 24),  # fall back on 1 November
    ],
)
def test_cpsc_24_hours_are_24_real_hours_across_dst(aware, expected_hours):
    clock = deadline(regulator=Regulator.objects.get(code="cpsc"), aware_at=aware)
    assert clock.report_due - aware == dt.timedelta(hours=expected_hours)
    assert clock.written_report_due is None


@pytest.mark.parametrize(
    ("aware", "due_local", "written_local", "real_hours"),
    [
        # spring forward (8 March): 2 calendar days are 47 hours
        (
            dt.datetime(2026, 3, 7, 10, 0, tzinfo=TORONTO),
            dt.datetime(2026, 3, 9, 10, 0),
            dt.datetime(2026, 3, 17, 10, 0),
            47,
        ),
        # fall back (1 November): 49 hours
        (
            dt.datetime(2026, 10, 31, 10, 0, tzinfo=TORONTO),
            dt.datetime(2026, 11, 2, 10, 0),
            dt.datetime(2026, 11, 10, 10, 0),
            49,
        ),
    ],
)
def test_health_canada_days_are_calendar_days_across_dst(
    aware, due_local, written_local, real_hours
):
    clock = deadline(regulator=Regulator.objects.get(code="health-canada"), aware_at=aware)
    assert clock.report_due.astimezone(TORONTO).replace(tzinfo=None) == due_local
    assert clock.written_report_due.astimezone(TORONTO).replace(tzinfo=None) == written_local
    assert clock.report_due - aware == dt.timedelta(hours=real_hours)


def test_a_day_clock_landing_in_the_spring_gap_moves_forward():
    # 01:30 on 29 March 2026 does not exist in London (01:00 GMT jumps to 02:00 BST): the
    # clock runs to 02:30 BST, never to an hour that did not happen.
    regulator = Regulator.objects.get(code="uk-opss")
    aware = dt.datetime(2026, 3, 27, 1, 30, tzinfo=LONDON)
    due = deadline(regulator=regulator, aware_at=aware).report_due.astimezone(LONDON)
    assert (due.day, due.hour, due.minute) == (29, 2, 30)
    assert due.astimezone(dt.UTC) - aware.astimezone(dt.UTC) == dt.timedelta(hours=48)


def test_an_alert_clock_starts_when_the_claim_arrived():
    submitted = timezone.now() - dt.timedelta(hours=3)
    claim = incident("US", hazard="fire_smoke", submitted=submitted)
    safety_alerts_raise()
    alert = SafetyAlert.objects.get(claims=claim)
    assert alert.aware_at == claim.submitted_at
    assert alert.report_due == claim.submitted_at + dt.timedelta(hours=24)
