"""The transition contract: who makes each move, for every caller, backed by the database.

The lifecycle table says who owns each move (``lifecycle.owners``). ``claim_transition``
refuses a move to anyone but its owner whatever their permissions, every surface takes its
choices from ``lifecycle.actions_for``, and a check constraint backs the invariant a bypass
would break.
"""

import itertools
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import TransitionNotPermitted
from claims.lifecycle import Via
from claims.models import Claim, ClaimEvent, ClaimStatus, Outbox
from claims.services import claim_transition
from tests.factories import claim_in

S = ClaimStatus
ALLOWED_PAIRS = [
    (a, b) for a, b in itertools.product(S.values, S.values) if b in lifecycle.ALLOWED[a]
]
SERVICE_PAIRS = [(a, b) for a, b in ALLOWED_PAIRS if not lifecycle.is_generic(a, b)]
ROOT = Path(__file__).resolve().parents[2]


def test_every_move_has_an_owner():
    for source, target in ALLOWED_PAIRS:
        assert lifecycle.owners(source, target), (source, target)
    assert lifecycle.owners(S.SUBMITTED, S.PAID) == frozenset()


def test_money_moves_belong_to_their_services():
    for source, target in ALLOWED_PAIRS:
        if target in (S.APPROVED, S.DENIED):
            assert lifecycle.owners(source, target) == {Via.DECISION}
        if target in (S.PAYOUT_PENDING, S.PAID):
            # A payment stands behind it: the marketplace's payout (or, after an appeal kept
            # the amount already paid, the pipeline with nothing more to send), or the accepting
            # party's recorded payment that the customer did not dispute.
            expected = (
                {Via.PARTY_PAYMENT, Via.PAYOUT}
                if source == S.APPROVED and target == S.PAID
                else {Via.PAYOUT}
            )
            assert lifecycle.owners(source, target) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), SERVICE_PAIRS)
def test_transition_refuses_a_service_move_made_as_a_generic_one(source, target, supervisor):
    # given: a supervisor, who holds every claims permission
    claim = claim_in(source)
    before = Claim.objects.filter(pk=claim.pk).values().get()
    events, outbox = ClaimEvent.objects.count(), Outbox.objects.count()
    # when: they try the move as a generic status change (the old side door)
    with pytest.raises(TransitionNotPermitted) as excinfo:
        claim_transition(claim=claim, to=target, actor=Actor.staff(supervisor), reason="side door")
    # then: refused with where to do it instead, and nothing changed
    assert "directly" in str(excinfo.value)
    assert Claim.objects.filter(pk=claim.pk).values().get() == before
    assert (ClaimEvent.objects.count(), Outbox.objects.count()) == (events, outbox)


@pytest.mark.django_db
@pytest.mark.parametrize("via", [v for v in Via if v != Via.PAYOUT])
def test_only_the_payout_pipeline_marks_a_claim_paid(via):
    claim = claim_in(S.PAYOUT_PENDING)
    with pytest.raises(TransitionNotPermitted):
        claim_transition(claim=claim, to=S.PAID, actor=Actor.system("anyone"), via=via)
    claim.refresh_from_db()
    assert claim.status == S.PAYOUT_PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.APPROVED, S.PAYOUT_PENDING, S.PAID])
def test_database_refuses_a_money_state_without_amount_and_funding(status):
    # given: a claim under review, and a write that skips every service
    claim = claim_in(S.UNDER_REVIEW)
    # when / then: the check constraint refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status=status)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            status=status, approved_total_minor=100, funding=""
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            status=status, approved_total_minor=0, funding="concession"
        )
    claim.refresh_from_db()
    assert claim.status == S.UNDER_REVIEW


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", ["agent", "analyst", "supervisor"])
def test_actions_offer_only_generic_moves_and_owned_actions(status, role):
    from claims import roles

    perms = {
        roles.AGENT: {"claims.transition_claim", "claims.decide_claim"},
        roles.ANALYST: {"claims.transition_claim", "claims.review_fraud"},
        roles.SUPERVISOR: {"claims.transition_claim", "claims.decide_claim", "claims.review_fraud"},
    }[{"agent": roles.AGENT, "analyst": roles.ANALYST, "supervisor": roles.SUPERVISOR}[role]]
    service = {a.key: a for a in lifecycle.SERVICE_ACTIONS}
    for action in lifecycle.actions_for(status, perms.__contains__):
        assert action.to not in (S.PAYOUT_PENDING, S.PAID)
        if action.key == "move":
            assert lifecycle.is_generic(status, action.to)
            assert lifecycle.required_permission(status, action.to) in perms
            assert action.via in lifecycle.owners(status, action.to)
            continue
        spec = service[action.key]
        assert (spec.permission or lifecycle.required_permission(status, action.to)) in perms
        if spec.stays:
            # a task that keeps the claim where it is (a referral keeps the hold)
            assert action.to == status
        else:
            assert action.via in lifecycle.owners(status, action.to)


def test_status_groups_are_defined_once_beside_the_table():
    # A module-level constant that lists claim states: ``X = (ClaimStatus.A, ...)`` and the like.
    pattern = re.compile(
        r"^[A-Z][A-Z_]*\s*=\s*(?:tuple\(|frozenset\(|set\()?[\(\[\{]\s*\{?\s*(?:ClaimStatus|S)\.\w+\s*[,)\]}]",
        re.M,
    )
    defined = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "migrations" not in path.parts
        and "tests" not in path.parts
        and pattern.search(path.read_text())
    ]
    assert defined == ["claims/lifecycle.py"]


def test_only_the_event_writer_creates_claim_events():
    writers = re.compile(
        r"ClaimEvent\.objects\.(create|bulk_create|get_or_create)|(?<!class )ClaimEvent\(|"
        r"INSERT INTO claims_claimevent",
        re.I,
    )
    found = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and "benchmarks" not in path.parts
        and writers.search(path.read_text())
    )
    # claims.batch writes a batch move's status events in the move's own statement.
    assert found == ["claims/batch.py", "claims/events.py"]


# --- the surfaces: admin and staff pages offer and accept only what the contract allows ------


@pytest.mark.django_db
def test_the_staff_page_offers_no_system_move_and_refuses_a_forged_decision(client, agent):
    # given: the case found on make run: an agent approving a $7,859.99 claim from a status
    # picker (the admin's "Change status…", now gone: issue 13)
    claim = claim_in(S.UNDER_REVIEW, amount_minor=785_999)
    client.force_login(agent)
    # when: a status move to "approved" is forged without the decision's form
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "approved"]),
        {"expected_status": "under_review", "reason": "side door"},
    )
    # then: the approve form asks for the amounts; nothing is decided
    assert response.status_code == 400
    claim.refresh_from_db()
    assert (claim.status, claim.approved_total_minor, claim.funding) == (S.UNDER_REVIEW, None, "")
    assert not Outbox.objects.filter(topic="payouts.create").exists()
    assert client.get(f"/admin/claims/claim/{claim.pk}/transition/").status_code in (302, 404)


@pytest.mark.django_db
def test_staff_page_cannot_mark_a_failed_payout_paid(client, supervisor):
    # given: the case found on make run: a payout failed (closed account); the claim waits
    claim = claim_in(S.PAYOUT_PENDING)
    client.force_login(supervisor)
    # when: a supervisor looks for "Move to Paid…" and forges the move
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert reverse("backoffice:claim-move", args=[claim.pk, "paid"]) not in page
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "paid"]),
        {"expected_status": "payout_pending", "reason": "paid by hand"},
    )
    # then: refused; no payment e-mail is queued and the claim is unchanged
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.PAYOUT_PENDING
    assert not claim.events.filter(to_status=S.PAID).exists()
    assert (
        "cannot move it to Paid now"
        in client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    )
