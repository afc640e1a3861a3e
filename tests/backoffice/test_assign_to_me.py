""" "Assign to me" on the workspace and the queue: who may take which claim (object level)."""

import re

import pytest
from django.urls import reverse

from backoffice.exceptions import BackofficeError
from backoffice.services import claim_assign_to_me
from claims import roles
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind
from tests.conftest import _staff
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]


@pytest.fixture
def holder(db):
    return _staff("holder", roles.AGENT)


def _url(claim) -> str:
    return reverse("backoffice:claim-assign-to-me", args=[claim.pk])


def _login(client, everyone, role):
    if everyone[role] is not None:
        client.force_login(everyone[role])


# (role, who holds the claim) -> what happens: "taken", "refused" (a message, nothing changes),
# "forbidden" (403) or "sign in"
EXPECTED = {
    ("agent", "nobody"): "taken",
    ("agent", "other"): "refused",
    ("agent", "self"): "refused",
    ("analyst", "nobody"): "taken",
    ("analyst", "other"): "refused",
    ("analyst", "self"): "refused",
    ("supervisor", "nobody"): "taken",
    ("supervisor", "other"): "taken",
    ("supervisor", "self"): "refused",
    ("outsider", "nobody"): "forbidden",
    ("outsider", "other"): "forbidden",
    ("customer", "nobody"): "sign in",
    ("customer", "other"): "sign in",
    ("seller", "nobody"): "sign in",
    ("seller", "other"): "sign in",
    ("anonymous", "nobody"): "sign in",
    ("anonymous", "other"): "sign in",
}


@pytest.mark.parametrize("role, held", list(EXPECTED))
def test_assign_to_me_permission_matrix(client, everyone, holder, role, held):
    # given: a claim under review, held by nobody, by another agent, or by the viewer
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    me = everyone[role]
    first = {"nobody": None, "other": holder, "self": me}[held]
    Claim.objects.filter(pk=claim.pk).update(assignee=first)
    events = ClaimEvent.objects.filter(claim=claim, kind=EventKind.ASSIGNMENT)
    _login(client, everyone, role)
    # when
    response = client.post(_url(claim), follow=False)
    # then
    claim.refresh_from_db()
    outcome = EXPECTED[(role, held)]
    if outcome == "taken":
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:claim", args=[claim.pk])
        assert claim.assignee == me
        event = events.get()
        assert event.actor == me and event.data["to_user_id"] == me.pk
        assert event.data["from_user_id"] == (first.pk if first else None)
    elif outcome == "refused":
        assert response.status_code == 302
        assert claim.assignee == first and not events.exists()
    elif outcome == "forbidden":
        assert response.status_code == 403
        assert claim.assignee == first and not events.exists()
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]
        assert claim.assignee == first and not events.exists()


@pytest.mark.parametrize(
    ("status", "said"),
    [
        # a claim the agent could work on: a supervisor reassigns it
        (ClaimStatus.UNDER_REVIEW, "is held by holder; ask a supervisor to reassign it."),
        # a claim being screened: nobody has a move on it, and the holder is named
        (
            ClaimStatus.SUBMITTED,
            "is Submitted and held by holder: there is nothing you can do on it.",
        ),
    ],
    ids=["workable", "nothing-to-do"],
)
def test_agent_taking_a_claim_held_by_another_is_told_why(client, agent, holder, status, said):
    # given
    claim = claim_in(status)
    Claim.objects.filter(pk=claim.pk).update(assignee=holder)
    client.force_login(agent)
    # when
    response = client.post(_url(claim), follow=True)
    # then: the refusal says who holds it, so the agent knows whom to ask; nothing changes
    body = response.content.decode()
    assert f"Claim {claim.reference} {said}" in body
    claim.refresh_from_db()
    assert claim.assignee == holder


def test_supervisor_takes_over_with_the_previous_holder_on_the_timeline(supervisor, holder):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=holder)
    claim.refresh_from_db()
    taken = claim_assign_to_me(claim=claim, user=supervisor)
    assert taken.assignee == supervisor
    event = ClaimEvent.objects.get(claim=claim, kind=EventKind.ASSIGNMENT)
    assert event.reason == "Taken over from holder"
    assert event.data["from_user_id"] == holder.pk


def test_assign_to_me_on_a_claim_taken_a_moment_earlier_is_refused(agent, holder):
    # given: the agent's page still shows the claim unassigned; someone took it meanwhile
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=holder)
    # when / then
    with pytest.raises(BackofficeError, match="was just taken by holder"):
        claim_assign_to_me(claim=claim, user=agent)
    claim.refresh_from_db()
    assert claim.assignee == holder
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.ASSIGNMENT).exists()


@pytest.mark.parametrize("status", [ClaimStatus.CLOSED, ClaimStatus.FRAUD_HOLD])
def test_agent_cannot_take_a_claim_with_nothing_to_do_on_it(agent, status):
    # closed: nothing left; fraud hold: only analysts and supervisors release it
    claim = claim_in(status)
    with pytest.raises(BackofficeError, match="nothing you can do on it"):
        claim_assign_to_me(claim=claim, user=agent)
    claim.refresh_from_db()
    assert claim.assignee is None


def test_analyst_may_take_a_fraud_hold(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    assert claim_assign_to_me(claim=claim, user=analyst).assignee == analyst


def test_assign_to_me_answers_get_with_405(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    assert client.get(_url(claim)).status_code == 405


def test_workspace_offers_assign_to_me_unless_the_claim_is_already_mine(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    assert (
        "Assign to me" in client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    )
    claim_assign_to_me(claim=claim, user=agent)
    body = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert _url(claim) not in body and "Held by agent" in body


def test_queue_assign_to_me_takes_the_ticked_claims_it_may_and_says_why_not_the_others(
    client, agent, holder
):
    # given: two unassigned claims and one held by another agent
    free = [claim_in(ClaimStatus.UNDER_REVIEW) for _ in range(2)]
    held = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=held.pk).update(assignee=holder)
    client.force_login(agent)
    # when
    response = client.post(
        reverse("backoffice:queue-bulk"),
        {"action": "assign_me", "claims": [c.pk for c in [*free, held]], "next": "?view=mine"},
        follow=True,
    )
    # then
    body = response.content.decode()
    assert set(Claim.objects.filter(assignee=agent).values_list("pk", flat=True)) == {
        c.pk for c in free
    }
    assert "ask a supervisor" in body
    # the claim is named once in its refusal (it read "Not done for X: Claim X is held by …")
    refusal = re.search(r'<li class="message error">(.*?)</li>', body, re.S).group(1)
    assert refusal.count(held.reference) == 1, refusal
    assert "Assign to me" in body  # the queue's bulk action


# (role, status, who holds it) -> whether the workspace offers "Assign to me": only when the
# service would take it (``assign_to_me_refusal``), so the button never leads to a refusal.
OFFERED = {
    # a claim with a move for them, held by nobody: offered
    ("agent", ClaimStatus.UNDER_REVIEW, "nobody"): True,
    ("analyst", ClaimStatus.FRAUD_HOLD, "nobody"): True,
    # a supervisor takes over a claim another holds
    ("supervisor", ClaimStatus.UNDER_REVIEW, "other"): True,
    # no move for them in that state (being screened, finished, on a fraud hold for an agent)
    ("agent", ClaimStatus.SUBMITTED, "nobody"): False,
    ("agent", ClaimStatus.CLOSED, "nobody"): False,
    ("agent", ClaimStatus.FRAUD_HOLD, "nobody"): False,
    ("agent", ClaimStatus.SUBMITTED, "other"): False,
    # held by another agent, and they may not take it over
    ("agent", ClaimStatus.UNDER_REVIEW, "other"): False,
    ("analyst", ClaimStatus.UNDER_REVIEW, "other"): False,
    # already theirs
    ("agent", ClaimStatus.UNDER_REVIEW, "self"): False,
}


@pytest.mark.parametrize(("role", "status", "held"), list(OFFERED))
def test_workspace_offers_assign_to_me_only_when_the_service_would_take_it(
    client, everyone, holder, role, status, held
):
    # given
    me = everyone[role]
    claim = claim_in(status)
    Claim.objects.filter(pk=claim.pk).update(
        assignee={"nobody": None, "other": holder, "self": me}[held]
    )
    client.force_login(me)
    # when
    body = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    # then: the button is there exactly when pressing it takes the claim
    offered = _url(claim) in body
    assert offered == OFFERED[(role, status, held)]
    # named for what it does: taking a claim from its holder says whose it was
    label = f"Take over from {holder.get_username()}" if held == "other" else "Assign to me"
    assert (f'<button type="submit">{label}</button>' in body) == offered
    claim.refresh_from_db()
    if offered:
        assert claim_assign_to_me(claim=claim, user=me).assignee == me
    else:
        with pytest.raises(BackofficeError):
            claim_assign_to_me(claim=claim, user=me)


def test_deciding_whether_to_offer_assign_to_me_reads_nothing_more(
    client, agent, holder, django_assert_num_queries
):
    # given: a claim another agent holds (the refusal names them: the assignee comes with the
    # claim) in a state with moves (read from the lifecycle and the loaded permissions)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(assignee=holder)
    client.force_login(agent)
    client.get(reverse("backoffice:claim", args=[claim.pk]))
    # when / then: the workspace's pinned count (tests/backoffice/test_workspace.py)
    with django_assert_num_queries(10):
        body = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert _url(claim) not in body
