"""SLA clocks and their sweeper, bulk actions."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import ClaimTag, SlaBreach
from backoffice.services import claims_bulk, sla_breaches_record
from backoffice.sla import claim_clocks
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
NOW = timezone.now()


# --- SLA ---------------------------------------------------------------------------------------


def test_clocks_show_on_time_at_risk_and_breached():
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    claim.seller_respond_by = NOW + dt.timedelta(hours=5)
    claim.decision_due = NOW - dt.timedelta(minutes=1)
    states = {c.clock: c.state for c in claim_clocks(claim, now=NOW)}
    assert states == {"seller_response": "at-risk", "decision": "breached"}
    claim.seller_respond_by = NOW + dt.timedelta(days=3)
    assert {c.clock: c.state for c in claim_clocks(claim, now=NOW)}["seller_response"] == "ok"


def test_decision_clock_is_paused_while_waiting_on_the_customer():
    claim = claim_in(ClaimStatus.NEEDS_INFO)
    claim.decision_due = NOW - dt.timedelta(days=1)
    assert [c.clock for c in claim_clocks(claim, now=NOW)] == ["customer_info"]


def test_breach_sweeper_records_each_clock_once():
    # given
    late = claim_in(ClaimStatus.AWAITING_SELLER)
    Claim.objects.filter(pk=late.pk).update(
        seller_respond_by=NOW - dt.timedelta(hours=2), decision_due=NOW - dt.timedelta(hours=1)
    )
    fine = claim_in(ClaimStatus.AWAITING_SELLER)
    # when
    first = sla_breaches_record(now=NOW)
    second = sla_breaches_record(now=NOW + dt.timedelta(minutes=5))
    # then
    assert (first, second) == (2, 0)
    assert set(SlaBreach.objects.filter(claim=late).values_list("clock", flat=True)) == {
        "seller_response",
        "decision",
    }
    events = ClaimEvent.objects.filter(claim=late, data__has_key="sla_breach")
    assert events.count() == 2 and all(e.kind == EventKind.NOTE for e in events)
    assert not SlaBreach.objects.filter(claim=fine).exists()


def test_breached_badge_in_queue_and_workspace(client, agent):
    claim = claim_in(ClaimStatus.NEEDS_INFO)
    Claim.objects.filter(pk=claim.pk).update(customer_info_due=NOW - dt.timedelta(hours=1))
    client.force_login(agent)
    assert 'class="badge breached"' in client.get(reverse("backoffice:queue")).content.decode()
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert 'class="badge breached"' in page


# --- bulk actions (product-safety alerts are tested in tests/safety/) ---------------------


def test_bulk_request_info_goes_on_past_an_illegal_claim(agent):
    # given: one claim that cannot be asked for information (submitted), one already waiting
    ok = claim_in(ClaimStatus.UNDER_REVIEW)
    illegal = claim_in(ClaimStatus.SUBMITTED)
    waiting = claim_in(ClaimStatus.NEEDS_INFO)
    also_ok = claim_in(ClaimStatus.ESCALATED)
    # when
    result = claims_bulk(
        claims=[ok, illegal, waiting, also_ok], user=agent, action="request_info", value="Receipt?"
    )
    # then
    assert result.succeeded == [ok.reference, also_ok.reference]
    assert [ref for ref, _why in result.failed] == [illegal.reference, waiting.reference]
    for claim, status in ((ok, "needs_info"), (illegal, "submitted"), (also_ok, "needs_info")):
        claim.refresh_from_db()
        assert claim.status == status
    assert ClaimEvent.objects.filter(to_status="needs_info", reason="Receipt?").count() == 2


def test_bulk_tag_and_assign_through_the_page(client, supervisor, agent):
    claims = [claim_in(ClaimStatus.UNDER_REVIEW) for _ in range(3)]
    client.force_login(supervisor)
    ids = [c.pk for c in claims]
    response = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "tag", "tag": "Recall Watch", "claims": ids},
        follow=True,
    )
    assert "Done for 3 claim(s)" in response.content.decode()
    assert ClaimTag.objects.filter(tag__name="recall watch").count() == 3
    again = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "tag", "tag": "recall watch", "claims": ids},
        follow=True,
    ).content.decode()
    assert "already has this tag" in again
    client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "assign", "assignee": "agent", "claims": ids + [999_999]},
    )
    assert Claim.objects.filter(assignee=agent).count() == 3
    assert ClaimEvent.objects.filter(kind=EventKind.ASSIGNMENT).count() == 3


def test_bulk_tag_too_long_is_refused_not_cut(client, supervisor):
    # given: the queue's bulk tag field, which a browser must not cut at 40 characters
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    page = client.get(reverse("backoffice:queue")).content.decode()
    field = re.search(r'<input[^>]*id="bulk-tag"[^>]*>', page).group(0)
    assert "maxlength" not in field
    # when: all 300 characters reach the server
    response = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "tag", "tag": "x" * 300, "claims": [claim.pk]},
        follow=True,
    )
    # then: refused with the workspace's words, nothing stored
    assert "A tag needs a name of at most 40 characters." in response.content.decode()
    assert not ClaimTag.objects.exists()
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.NOTE).exists()


def test_bulk_without_an_action_or_claims_changes_nothing(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    # the queue again (400), what is missing said (tests/backoffice/test_quick_forms.py)
    response = client.post(reverse("backoffice:queue-bulk"), {"action": "", "claims": [claim.pk]})
    assert response.status_code == 400
    assert "Choose an action." in response.content.decode()
    response = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "assign", "assignee": "agent", "claims": [claim.pk]},
    )
    assert response.status_code == 400
    assert "You do not have permission to assign claims." in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee is None and not ClaimTag.objects.exists()


def test_beat_tasks_run_the_services(settings):
    from backoffice import tasks

    late = claim_in(ClaimStatus.NEEDS_INFO)
    Claim.objects.filter(pk=late.pk).update(customer_info_due=NOW - dt.timedelta(hours=1))
    assert tasks.sla_breaches_record() == 1
    settings.BACKOFFICE_AUTO_ASSIGN = False
    assert tasks.claims_auto_assign() == 0
    assert "backoffice-sla-breaches" in settings.CELERY_BEAT_SCHEDULE
