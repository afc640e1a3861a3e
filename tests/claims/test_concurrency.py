"""Two people (or workers) moving the same claim at the same moment, on real PostgreSQL."""

import threading

import pytest
from django.db import connection

from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import ConcurrentTransition
from claims.models import Claim, ClaimEvent, ClaimStatus
from claims.services import claim_transition
from tests.factories import claim_in

MONEY = {"approved_total_minor": 100, "funding": "concession"}


def _race(claim_id: int, targets: list[str], rounds_barrier: threading.Barrier) -> list:
    results: list = [None] * len(targets)

    def run(i: int, target: str) -> None:
        try:
            claim = Claim.objects.get(pk=claim_id)
            rounds_barrier.wait(timeout=10)
            claim_transition(
                claim=claim,
                to=target,
                actor=Actor.system(f"thread {i}"),
                via=min(lifecycle.owners(claim.status, target)),
                updates=MONEY if target == ClaimStatus.APPROVED else None,
            )
            results[i] = "ok"
        except ConcurrentTransition as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_different_decisions_at_once_exactly_one_wins(attempt):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    events_before = ClaimEvent.objects.filter(claim=claim).count()
    # when: one thread approves while the other denies
    results = _race(claim.pk, [ClaimStatus.APPROVED, ClaimStatus.DENIED], threading.Barrier(2))
    # then
    assert results.count("ok") == 1
    assert sum(isinstance(r, ConcurrentTransition) for r in results) == 1
    claim.refresh_from_db()
    winner = ClaimStatus.APPROVED if results[0] == "ok" else ClaimStatus.DENIED
    assert claim.status == winner
    new_events = ClaimEvent.objects.filter(claim=claim).order_by("id")[events_before:]
    assert [(e.from_status, e.to_status) for e in new_events] == [("under_review", winner)]


@pytest.mark.django_db(transaction=True)
def test_eight_workers_escalating_the_same_claim_write_one_event():
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    results = _race(claim.pk, [ClaimStatus.ESCALATED] * 8, threading.Barrier(8))
    # Everyone who lost the race to the same target returns quietly.
    assert results == ["ok"] * 8
    assert ClaimEvent.objects.filter(claim=claim, to_status=ClaimStatus.ESCALATED).count() == 1
