"""Take next, round-robin auto-assignment, and two agents racing for claims on PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from backoffice.exceptions import BackofficeError
from backoffice.services import claim_take_next, claims_auto_assign
from claims import roles
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, StaffProfile
from tests.conftest import _staff
from tests.factories import claim_in

pytestmark = pytest.mark.django_db


def test_take_next_gives_the_most_urgent_unassigned_claim(agent, supervisor):
    # given
    later = claim_in(ClaimStatus.UNDER_REVIEW)
    urgent = claim_in(ClaimStatus.ESCALATED)
    taken = claim_in(ClaimStatus.UNDER_REVIEW)
    waiting = claim_in(ClaimStatus.AWAITING_SELLER)  # waiting on the seller: not handed out
    Claim.objects.filter(pk=urgent.pk).update(decision_due=timezone.now() + dt.timedelta(days=1))
    Claim.objects.filter(pk=taken.pk).update(
        assignee=supervisor, decision_due=timezone.now() + dt.timedelta(hours=1)
    )
    Claim.objects.filter(pk=waiting.pk).update(decision_due=timezone.now())
    # when
    first = claim_take_next(user=agent)
    second = claim_take_next(user=agent)
    # then
    assert (first.pk, second.pk) == (urgent.pk, later.pk)
    assert first.assignee == agent
    event = ClaimEvent.objects.get(claim=first, kind=EventKind.ASSIGNMENT)
    assert event.data["how"] == "take_next" and event.actor == agent
    with pytest.raises(BackofficeError):
        claim_take_next(user=agent)


def test_take_next_skips_fraud_holds_for_agents_but_not_analysts(agent, analyst):
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(BackofficeError):
        claim_take_next(user=agent)
    assert claim_take_next(user=analyst).pk == held.pk


def test_take_next_button_opens_the_claim(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    response = client.post(reverse("backoffice:take-next"))
    assert response["Location"] == reverse("backoffice:claim", args=[claim.pk])


def test_take_next_with_nothing_waiting_says_so(client, agent):
    client.force_login(agent)
    response = client.post(reverse("backoffice:take-next"), follow=True)
    assert "No unassigned claim is waiting for you" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_next_at_once_never_get_the_same_claim():
    # given: two agents, two claims, a barrier so both read the same candidates first
    assert connection.vendor == "postgresql"
    a1, a2 = _staff("racer1", roles.AGENT), _staff("racer2", roles.AGENT)
    claims = [claim_in(ClaimStatus.UNDER_REVIEW) for _ in range(2)]
    barrier = threading.Barrier(2)
    got: dict[str, int] = {}

    def take(user):
        from django.db import connection as conn

        try:
            barrier.wait()
            got[user.username] = claim_take_next(user=user).pk
        finally:
            conn.close()

    # when
    threads = [threading.Thread(target=take, args=(u,)) for u in (a1, a2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(got.values()) == sorted(c.pk for c in claims)
    for claim in claims:
        assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.ASSIGNMENT).count() == 1


def test_auto_assign_round_robin_respects_limit_and_away(db):
    # given
    a1, a2, a3 = (_staff(f"rr{i}", roles.AGENT) for i in range(3))
    StaffProfile.objects.filter(user=a1).update(max_open_claims=2)
    StaffProfile.objects.filter(user=a2).update(max_open_claims=5)
    StaffProfile.objects.filter(user=a3).update(away=True)
    claims = [claim_in(ClaimStatus.UNDER_REVIEW) for _ in range(8)]
    # when
    assigned = claims_auto_assign()
    again = claims_auto_assign()
    # then: a1 up to 2, a2 up to 5, a3 away gets none, one claim left over
    counts = {u.username: Claim.objects.filter(assignee=u).count() for u in (a1, a2, a3)}
    assert counts == {"rr0": 2, "rr1": 5, "rr2": 0}
    assert assigned == 7 and again == 0
    assert Claim.objects.filter(pk__in=[c.pk for c in claims], assignee__isnull=True).count() == 1
    assert ClaimEvent.objects.filter(kind=EventKind.ASSIGNMENT, data__how="auto").count() == 7


def test_auto_assign_alternates_between_equally_loaded_agents(db):
    a1, a2 = _staff("even1", roles.AGENT), _staff("even2", roles.AGENT)
    for _ in range(4):
        claim_in(ClaimStatus.UNDER_REVIEW)
    claims_auto_assign()
    assert Claim.objects.filter(assignee=a1).count() == 2
    assert Claim.objects.filter(assignee=a2).count() == 2


def test_auto_assign_ignores_other_roles(db):
    supervisor = _staff("sup-only", roles.SUPERVISOR)
    claim_in(ClaimStatus.UNDER_REVIEW)
    assert claims_auto_assign() == 0
    assert not Claim.objects.filter(assignee=supervisor).exists()
    assert Group.objects.filter(name=roles.AGENT).exists()
