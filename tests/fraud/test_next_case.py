"""Taking cases: "next case" order, the lock, and two analysts pressing at the same moment."""

import threading

import pytest
from django.db import connection

from claims import roles
from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind
from fraud.services import FraudError, fraud_next_case, fraud_reassign
from tests.conftest import _staff
from tests.factories import claim_in


def held(score: int):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    Claim.objects.filter(pk=claim.pk).update(risk_score=score, risk_level="high")
    return claim


def make_analyst(name: str):
    return _staff(name, roles.ANALYST)


@pytest.mark.django_db
def test_next_case_takes_the_highest_risk_then_the_oldest_and_records_it(analyst):
    # given
    low, high_old, high_new = held(45), held(90), held(90)
    # when
    taken = fraud_next_case(analyst=analyst)
    # then
    assert taken.pk == high_old.pk and taken.assignee == analyst
    event = ClaimEvent.objects.filter(claim=taken, kind=EventKind.ASSIGNMENT).get()
    assert event.actor == analyst and event.data["to_user_id"] == analyst.pk
    assert fraud_next_case(analyst=analyst).pk == high_new.pk
    assert fraud_next_case(analyst=analyst).pk == low.pk
    assert fraud_next_case(analyst=analyst) is None


@pytest.mark.django_db
def test_next_case_skips_claims_assigned_or_not_on_hold(analyst, supervisor):
    held(80)
    fraud_next_case(analyst=supervisor)
    claim_in(ClaimStatus.UNDER_REVIEW)
    assert fraud_next_case(analyst=analyst) is None


@pytest.mark.django_db
def test_next_case_refuses_agents(agent):
    held(80)
    with pytest.raises(FraudError):
        fraud_next_case(analyst=agent)
    assert not Claim.objects.filter(assignee__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_analysts_pressing_next_case_at_once_never_get_the_same_claim(attempt):
    # given two claims with the same score and four analysts racing for them
    claims = [held(70), held(70)]
    analysts = [make_analyst(f"a{attempt}{i}") for i in range(4)]
    barrier = threading.Barrier(len(analysts))
    results: list = [None] * len(analysts)

    def press(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            claim = fraud_next_case(analyst=analysts[i])
            results[i] = claim.pk if claim else None
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(analysts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then each claim went to exactly one analyst, and the rest got nothing
    taken = [r for r in results if r is not None]
    assert sorted(taken) == sorted(c.pk for c in claims)
    for claim in claims:
        claim.refresh_from_db()
        assert results[analysts.index(claim.assignee)] == claim.pk
        assert ClaimEvent.objects.filter(claim=claim, kind=EventKind.ASSIGNMENT).count() == 1


@pytest.mark.django_db
def test_reassign_needs_a_reason_and_an_analyst(analyst, agent, supervisor):
    claim = held(80)
    fraud_next_case(analyst=analyst)
    actor = Actor.staff(supervisor)
    with pytest.raises(FraudError, match="reason"):
        fraud_reassign(claim=claim, assignee=supervisor, actor=actor, reason=" ")
    with pytest.raises(FraudError, match="not a fraud analyst"):
        fraud_reassign(claim=claim, assignee=agent, actor=actor, reason="holiday")
    claim.refresh_from_db()
    assert claim.assignee == analyst
    fraud_reassign(claim=claim, assignee=supervisor, actor=actor, reason="analyst on holiday")
    claim.refresh_from_db()
    assert claim.assignee == supervisor
    assert claim.events.filter(kind=EventKind.ASSIGNMENT).last().reason == "analyst on holiday"


@pytest.mark.django_db
def test_clearing_a_taken_case_releases_it_to_the_claims_team(analyst):
    from fraud.services import fraud_clear

    claim = held(80)
    fraud_next_case(analyst=analyst)
    fraud_clear(claim=claim, actor=Actor.staff(analyst), label="false_positive", note="fine")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER and claim.assignee is None
    last = claim.events.filter(kind=EventKind.ASSIGNMENT).last()
    assert last.data["to_user_id"] is None and last.reason == "Released after fraud review"
