"""Every staff page and action against every role: agent, analyst, supervisor, a staff account
without a role (outsider), a customer and a seller (no staff login) and anonymous visitors."""

import pytest
from django.urls import reverse

from backoffice.models import AlertStatus, AlertTrigger, SafetyAlert
from claims.models import Claim, ClaimEvent, ClaimStatus
from tests.factories import claim_in

pytestmark = pytest.mark.django_db

ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]
STAFF = {"agent", "analyst", "supervisor", "outsider"}

# page -> roles that get 200 (other staff get 403; non-staff are sent to sign in)
PAGES = {
    "queue": {"agent", "analyst", "supervisor"},
    "queue-export": {"agent", "analyst", "supervisor"},
    "claim": {"agent", "analyst", "supervisor"},
    "claim-move": {"agent", "analyst", "supervisor"},
    "dashboard": {"supervisor"},
    "safety": {"agent", "analyst", "supervisor"},
    # Who opened medical documents (GDPR art. 9): supervisors only.
    "medical-access": {"supervisor"},
}


@pytest.fixture
def claim(db):
    return claim_in(ClaimStatus.UNDER_REVIEW)


@pytest.fixture
def alert(claim):
    from django.utils import timezone

    return SafetyAlert.objects.create(
        product=claim.order_line.product,
        trigger=AlertTrigger.CLUSTER,
        injury_claims=3,
        report_due=timezone.now(),
    )


def _seller_file(claim):
    """A file the seller sent, which the customer may not open unless staff share it."""
    import io

    from PIL import Image

    from claims.actors import Actor
    from claims.models import Evidence, EvidenceKind
    from claims.services import evidence_add

    existing = Evidence.objects.filter(claim=claim).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    return evidence_add(
        claim=claim,
        data=buffer.getvalue(),
        filename="label.png",
        kind=EvidenceKind.OTHER,
        actor=Actor.seller(claim.seller),
    )


def _url(name, claim, alert):
    if name == "claim-evidence-share":
        return reverse(f"backoffice:{name}", args=[claim.pk, _seller_file(claim).pk])
    if name in ("claim", "claim-note", "claim-message", "claim-assign", "claim-tag"):
        return reverse(f"backoffice:{name}", args=[claim.pk])
    if name == "claim-move":
        return reverse("backoffice:claim-move", args=[claim.pk, "needs_info"])
    if name == "safety-alert":
        return reverse("backoffice:safety-alert", args=[alert.pk])
    return reverse(f"backoffice:{name}")


def _login(client, everyone, role):
    if everyone[role] is not None:
        client.force_login(everyone[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_permission_matrix(client, everyone, claim, alert, role, page):
    # given
    _login(client, everyone, role)
    # when
    response = client.get(_url(page, claim, alert))
    # then
    if role in PAGES[page]:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


# action -> (roles whose POST takes effect, the POST data)
ACTIONS = {
    "claim-note": ({"agent", "analyst", "supervisor"}, {"text": "Called the customer."}),
    "claim-message": (
        {"agent", "analyst", "supervisor"},
        {"to": "customer", "text": "Please send the receipt."},
    ),
    "claim-assign": ({"supervisor"}, {"assignee": "agent", "reason": "Workload"}),
    "claim-tag": ({"agent", "analyst", "supervisor"}, {"name": "recall-watch"}),
    "claim-move": (
        {"agent", "analyst", "supervisor"},
        {"expected_status": "under_review", "reason": "Please send the receipt."},
    ),
    "take-next": ({"agent", "analyst", "supervisor"}, {}),
    "queue-bulk": ({"agent", "analyst", "supervisor"}, {"action": "tag", "tag": "bulk-tag"}),
    "safety-alert": ({"agent", "supervisor"}, {"status": "investigating"}),
    # Showing the customer a file the evidence rule keeps from them (claims.evidence).
    "claim-evidence-share": ({"agent", "supervisor"}, {}),
}


def _effect(action, claim, alert) -> bool:
    claim.refresh_from_db()
    alert.refresh_from_db()
    return {
        "claim-note": ClaimEvent.objects.filter(claim=claim, kind="note").exists(),
        "claim-message": ClaimEvent.objects.filter(claim=claim, kind="message").exists(),
        "claim-assign": claim.assignee_id is not None,
        "claim-tag": claim.tag_links.exists(),
        "claim-move": claim.status == ClaimStatus.NEEDS_INFO,
        "take-next": Claim.objects.filter(assignee__isnull=False).exists(),
        "queue-bulk": claim.tag_links.exists(),
        "safety-alert": alert.status == AlertStatus.INVESTIGATING,
        "claim-evidence-share": claim.evidence.filter(
            shared_with_customer_at__isnull=False
        ).exists(),
    }[action]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_permission_matrix(client, everyone, claim, alert, role, action):
    # given
    allowed, data = ACTIONS[action]
    if action == "queue-bulk":
        data = {**data, "claims": [claim.pk]}
    _login(client, everyone, role)
    # when
    response = client.post(_url(action, claim, alert), data)
    # then
    if role in allowed:
        assert response.status_code == 302
        assert _effect(action, claim, alert)
    else:
        assert response.status_code in (302, 403)
        if role not in STAFF:
            assert reverse("admin:login") in response["Location"]
        assert not _effect(action, claim, alert)


POST_ONLY = [
    "claim-note",
    "claim-message",
    "claim-assign",
    "claim-tag",
    "take-next",
    "queue-bulk",
    "safety-alert",
    "claim-evidence-share",
]


@pytest.mark.parametrize("action", POST_ONLY)
def test_post_only_endpoints_refuse_get(client, supervisor, claim, alert, action):
    client.force_login(supervisor)
    assert client.get(_url(action, claim, alert)).status_code == 405


def test_read_pages_refuse_post(client, supervisor, claim, alert):
    client.force_login(supervisor)
    for page in ("queue", "queue-export", "claim", "dashboard", "safety", "medical-access"):
        assert client.post(_url(page, claim, alert)).status_code == 405


def test_analyst_sees_no_approve_or_deny_and_cannot_post_one(client, analyst, claim):
    # given: deciding needs claims.decide_claim, which analysts do not have
    client.force_login(analyst)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert reverse("backoffice:claim-move", args=[claim.pk, "approved"]) not in page
    assert reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]) in page
    # when
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "denied"]),
        {"expected_status": "under_review", "reason_code": "other", "reason": "No."},
    )
    # then
    claim.refresh_from_db()
    assert response.status_code == 302
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_agent_cannot_act_on_a_claim_another_agent_holds(client, agent, supervisor, claim):
    # given: object-level rule, the claim is held by the supervisor
    Claim.objects.filter(pk=claim.pk).update(assignee=supervisor)
    client.force_login(agent)
    # when
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]),
        {"expected_status": "under_review", "reason": "mine now"},
        follow=True,
    )
    # then
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert "held by supervisor" in response.content.decode()


def test_supervisor_may_act_on_a_claim_an_agent_holds(client, agent, supervisor, claim):
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    client.force_login(supervisor)
    client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "needs_info"]),
        {"expected_status": "under_review", "reason": "covering"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO


def test_fraud_hold_is_released_only_through_the_fraud_review_never_a_generic_move(client, cast):
    # Releasing a hold records the analyst's review (fraud.services.fraud_clear): the staff
    # pages offer no status move out of it, to anyone, and a forged one changes nothing.
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    url = reverse("backoffice:claim-move", args=[claim.pk, "under_review"])
    for role in ("agent", "analyst", "supervisor"):
        client.force_login(cast[role])
        page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
        assert url not in page, role
        client.post(url, {"expected_status": "fraud_hold", "reason": "looks fine"})
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.FRAUD_HOLD


# Need-to-know (issue 16 point 6): staff see the claims of their regions only. One rule
# (claims.scope.claims_visible_to), asked by every staff surface; a claim outside one's regions
# is not there (404), not forbidden (403), so its existence is not confirmed either.


def _in_region(claim, code: str):
    from claims.models import Region

    Claim.objects.filter(pk=claim.pk).update(region=Region.objects.get(code=code))
    claim.refresh_from_db()
    return claim


@pytest.fixture
def regions_world(db):
    """An agent, an analyst and a supervisor assigned to the US only; one claim in the US
    (region A) and one in Canada (region B), each with a customer's photo."""
    from claims import roles
    from tests.conftest import _staff

    claims = {"A": claim_in(ClaimStatus.UNDER_REVIEW), "B": claim_in(ClaimStatus.UNDER_REVIEW)}
    _in_region(claims["B"], "CA")
    files = {key: _customer_file(claim) for key, claim in claims.items()}
    return {
        "claims": claims,
        "files": files,
        "agent": _staff("agent-us", roles.AGENT, regions=["US"]),
        "analyst": _staff("analyst-us", roles.ANALYST, regions=["US"]),
        "supervisor": _staff("supervisor-us", roles.SUPERVISOR, regions=["US"]),
    }


def _customer_file(claim):
    import io

    from PIL import Image

    from claims.actors import Actor
    from claims.models import EvidenceKind
    from claims.services import evidence_add

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buffer, "PNG")
    return evidence_add(
        claim=claim,
        data=buffer.getvalue(),
        filename="heater.png",
        kind=EvidenceKind.PRODUCT_PHOTO,
        actor=Actor.customer(claim.customer),
    )


# surface -> (who looks, how to reach one claim's page)
REGION_PAGES = {
    "workspace": ("agent", lambda c, f: reverse("backoffice:claim", args=[c.pk])),
    "move": ("agent", lambda c, f: reverse("backoffice:claim-move", args=[c.pk, "needs_info"])),
    "evidence": ("agent", lambda c, f: reverse("claims:evidence-download", args=[f.pk])),
    "fraud-workspace": ("analyst", lambda c, f: reverse("fraud:claim", args=[c.pk])),
}


@pytest.mark.parametrize("surface", list(REGION_PAGES))
def test_region_b_claim_is_404_for_region_a_staff(client, regions_world, surface):
    # given: staff assigned to region A (the US)
    who, url = REGION_PAGES[surface]
    client.force_login(regions_world[who])
    claims, files = regions_world["claims"], regions_world["files"]
    # when / then: their own region's claim opens, the other region's is not there
    assert client.get(url(claims["A"], files["A"])).status_code == 200
    assert client.get(url(claims["B"], files["B"])).status_code == 404


def test_region_a_agent_does_not_see_region_b_in_queue_or_csv(client, regions_world):
    # given
    client.force_login(regions_world["agent"])
    a, b = regions_world["claims"]["A"], regions_world["claims"]["B"]
    # when
    queue = client.get(reverse("backoffice:queue")).content.decode()
    export = b"".join(client.get(reverse("backoffice:queue-export")).streaming_content).decode()
    # then
    assert a.reference in queue and b.reference not in queue
    assert a.reference in export and b.reference not in export


def test_region_a_agent_cannot_act_on_region_b_claim(client, regions_world):
    # given
    client.force_login(regions_world["agent"])
    b = regions_world["claims"]["B"]
    # when: a forged note, a forged bulk tag and "take next"
    note = client.post(reverse("backoffice:claim-note", args=[b.pk]), {"text": "Seen."})
    client.post(reverse("backoffice:queue-bulk"), {"action": "tag", "tag": "x", "claims": [b.pk]})
    Claim.objects.filter(pk=regions_world["claims"]["A"].pk).update(
        assignee=regions_world["supervisor"]
    )
    client.post(reverse("backoffice:take-next"))
    # then: nothing happened to the region B claim
    b.refresh_from_db()
    assert note.status_code == 404
    assert not ClaimEvent.objects.filter(claim=b, kind__in=["note", "assignment"]).exists()
    assert not b.tag_links.exists() and b.assignee_id is None


def test_region_a_supervisor_cannot_assign_region_b_claim_to_region_a_agent(
    client, regions_world, supervisor
):
    # given: a supervisor for every region assigns a Canadian claim to an agent for the US only
    client.force_login(supervisor)
    b = regions_world["claims"]["B"]
    # when
    response = client.post(
        reverse("backoffice:claim-assign", args=[b.pk]),
        {"assignee": "agent-us", "reason": "Workload"},
        follow=True,
    )
    # then
    b.refresh_from_db()
    assert b.assignee_id is None
    assert "not assigned to the region CA" in response.content.decode()


def test_region_a_staff_admin_lists_and_pages(client, regions_world):
    # given: the admin's claim list and change page, for an agent of region A
    client.force_login(regions_world["agent"])
    a, b = regions_world["claims"]["A"], regions_world["claims"]["B"]
    # when
    listing = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    evidence = client.get(reverse("admin:claims_evidence_changelist")).content.decode()
    other = client.get(reverse("admin:claims_claim_change", args=[b.pk]))
    # then: region B is neither listed nor opened (the admin answers "does not exist")
    assert a.reference in listing and b.reference not in listing
    assert a.reference in evidence and b.reference not in evidence
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:claims_claim_change", args=[a.pk])).status_code == 200


def test_region_a_supervisor_dashboard_counts_region_a_only(client, regions_world):
    from backoffice.dashboard import dashboard_figures
    from backoffice.selectors import claims_visible_to

    # when
    figures = dashboard_figures(claims=claims_visible_to(regions_world["supervisor"]))
    # then
    assert figures["regions"] == ["US"]
    assert sum(total for _label, total, _r in figures["by_status"]) == 1


def test_staff_without_region_sees_no_claim_and_is_told_why(client, regions_world):
    from claims import roles
    from tests.conftest import _staff

    # given: an agent with the role but no region
    client.force_login(_staff("agent-nowhere", roles.AGENT, regions=()))
    a = regions_world["claims"]["A"]
    # when
    queue = client.get(reverse("backoffice:queue")).content.decode()
    # then
    assert a.reference not in queue
    assert "You are not assigned to any region" in queue
    assert client.get(reverse("backoffice:claim", args=[a.pk])).status_code == 404


def test_fraud_workspace_counts_linked_claims_of_other_regions_without_showing_them(
    client, regions_world
):
    from fraud.scoring import fraud_attributes_record

    # given: a held US claim sharing a device with a US claim and a Canadian one
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    a, b = regions_world["claims"]["A"], regions_world["claims"]["B"]
    for claim in (held, a, b):
        fraud_attributes_record(claim=claim, device="dev-shared")
    client.force_login(regions_world["analyst"])
    # when
    response = client.get(reverse("fraud:claim", args=[held.pk]))
    # then
    body = response.content.decode()
    assert [item.claim.pk for item in response.context["linked"]] == [a.pk]
    assert b.reference not in body
    assert "1 more linked claim is in a region you are not assigned to" in body
