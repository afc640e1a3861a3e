"""Every staff page and action against every role: agent, analyst, supervisor, a staff account
without a role (outsider), a customer and a seller (no staff login) and anonymous visitors."""

import re

import pytest
from django.urls import reverse

from claims.models import AccessLink, Claim, ClaimEvent, ClaimStatus
from fraud.models import Referral
from payouts.models import (
    ApprovalRequest,
    PayeeChange,
    PayeeChangeStatus,
    QASample,
    QAVerdict,
    RequestStatus,
)
from safety.models import AlertStatus, IncidentFacts, Recall, Regulator, SafetyAlert
from safety.reports import FIELDS
from sellers.models import Recovery, RecoveryStatus
from tests.backoffice import areas
from tests.factories import claim_in
from tests.safety.helpers import safety_officer

pytestmark = pytest.mark.django_db

ROLES = ["agent", "analyst", "supervisor", "safety", "outsider", "customer", "seller", "anonymous"]
STAFF = {"agent", "analyst", "supervisor", "safety", "outsider"}
SAFETY_READERS = {"agent", "analyst", "supervisor", "safety"}

# page -> roles that get 200 (other staff get 403; non-staff are sent to sign in)
PAGES = {
    # The safety team reads claims (the incidents behind its alerts), never moves them.
    "queue": {"agent", "analyst", "supervisor", "safety"},
    "queue-export": {"agent", "analyst", "supervisor", "safety"},
    "claim": {"agent", "analyst", "supervisor", "safety"},
    "claim-move": {"agent", "analyst", "supervisor"},
    # Adding a file staff received (claims.add_evidence): not the safety team, who only read.
    "claim-evidence-add": {"agent", "analyst", "supervisor"},
    "dashboard": {"supervisor"},
    "safety": SAFETY_READERS,
    "safety-alert": SAFETY_READERS,
    "safety-report": SAFETY_READERS,
    "safety-report-pdf": SAFETY_READERS,
    "safety-report-csv": SAFETY_READERS,
    "safety-listings": SAFETY_READERS,
    "safety-recalls": {"supervisor", "safety"},
    "safety-facts": {"supervisor", "safety"},
    "suggest-sellers": {"agent", "analyst", "supervisor", "safety"},
    "suggest-products": {"agent", "analyst", "supervisor", "safety"},
    # Who opened medical documents (GDPR art. 9): supervisors only.
    "medical-access": {"supervisor"},
}


@pytest.fixture
def everyone(everyone):
    return {**everyone, "safety": safety_officer("safety")}


@pytest.fixture
def claim(db):
    return claim_in(ClaimStatus.UNDER_REVIEW)


@pytest.fixture
def alert(claim):
    """A live CPSC alert on the claim's product, its report draft complete (ready to file)."""
    from django.utils import timezone

    regulator = Regulator.objects.get(code="cpsc")
    alert = SafetyAlert.objects.create(
        product=claim.order_line.product,
        regulator=regulator,
        trigger="incident",
        aware_at=timezone.now(),
        report_due=timezone.now() + timezone.timedelta(hours=24),
        draft={spec.code: "completed" for spec in FIELDS[regulator.report_form]},
    )
    alert.claims.add(claim)
    return alert


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
    if name in (
        "claim",
        "claim-note",
        "claim-message",
        "claim-assign",
        "claim-tag",
        "claim-evidence-add",
    ):
        return reverse(f"backoffice:{name}", args=[claim.pk])
    if name == "claim-move":
        return reverse("backoffice:claim-move", args=[claim.pk, "needs_info"])
    if name in (
        "safety-alert",
        "safety-alert-move",
        "safety-report",
        "safety-report-pdf",
        "safety-report-csv",
        "safety-report-file",
        "safety-written-file",
    ):
        return reverse(f"backoffice:{name}", args=[alert.pk])
    if name == "safety-facts":
        return reverse("backoffice:safety-facts", args=[claim.pk])
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
        assert reverse("backoffice:login") in response["Location"]


# action -> (roles whose POST takes effect, the POST data)
ACTIONS = {
    "claim-note": (
        {"agent", "analyst", "supervisor", "safety"},
        {"text": "Called the customer."},
    ),
    "claim-message": (
        {"agent", "analyst", "supervisor"},
        {"to": "customer", "text": "Please send the receipt."},
    ),
    "claim-assign": ({"supervisor"}, {"assignee": "agent", "reason": "Workload"}),
    "claim-tag": ({"agent", "analyst", "supervisor", "safety"}, {"name": "recall-watch"}),
    "claim-move": (
        {"agent", "analyst", "supervisor"},
        {"expected_status": "under_review", "reason": "Please send the receipt."},
    ),
    "take-next": ({"agent", "analyst", "supervisor"}, {}),
    # Showing the customer a file the evidence rule keeps from them (claims.evidence).
    "claim-evidence-share": ({"agent", "supervisor"}, {}),
    # A file staff received, added to the claim (the file is added in the test).
    "claim-evidence-add": ({"agent", "analyst", "supervisor"}, {"kind": "report"}),
    "queue-bulk": (
        {"agent", "analyst", "supervisor", "safety"},
        {"action": "tag", "tag": "bulk-tag"},
    ),
    "safety-alert-move": ({"supervisor", "safety"}, {"to": "investigating"}),
    "safety-report": ({"supervisor", "safety"}, {"reporter_name": "Sam Safety"}),
    "safety-report-file": (
        {"supervisor", "safety"},
        {"reference": "CPSC-77", "sent_at": "2026-01-01T10:00"},
    ),
    # Health Canada's written report (CCPSA 14(3)), after the incident report was filed.
    "safety-written-file": (
        {"supervisor", "safety"},
        {"written-reference": "HC-WR-77", "written-sent_at": "2026-01-01T10:00"},
    ),
    "safety-facts": (
        {"supervisor", "safety"},
        {
            "hazard": "burn",
            "medical_care": "none",
            "death": "no",
            "child_hurt": "none",
            "kept_for_inspection": "no",
        },
    ),
    "safety-recalls": ({"supervisor", "safety"}, {"source": "csv"}),
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
        "claim-evidence-share": claim.evidence.filter(
            shared_with_customer_at__isnull=False
        ).exists(),
        "claim-evidence-add": claim.evidence.filter(uploaded_by_party="staff").exists(),
        "safety-alert-move": alert.status == AlertStatus.INVESTIGATING,
        "safety-report": alert.draft.get("reporter_name") == "Sam Safety",
        "safety-report-file": alert.status == AlertStatus.FILED,
        "safety-written-file": alert.written_reference == "HC-WR-77",
        "safety-facts": IncidentFacts.objects.filter(claim=claim, hazard="burn").exists(),
        "safety-recalls": Recall.objects.exists(),
    }[action]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_permission_matrix(client, everyone, claim, alert, role, action):
    # given
    allowed, data = ACTIONS[action]
    if action == "queue-bulk":
        data = {**data, "claims": [claim.pk]}
    if action in ("safety-report-file", "safety-written-file"):
        # when the report went out: after the marketplace knew, in the past
        from django.utils import timezone

        SafetyAlert.objects.filter(pk=alert.pk).update(
            aware_at=timezone.now() - timezone.timedelta(hours=2)
        )
        import zoneinfo

        from django.conf import settings

        # typed in the reader's time zone (staff without a profile: the default viewer's)
        zone = zoneinfo.ZoneInfo(settings.DEFAULT_VIEWER_TIME_ZONE)
        sent_at = (timezone.now() - timezone.timedelta(hours=1)).astimezone(zone)
        field = "written-sent_at" if action == "safety-written-file" else "sent_at"
        data = {**data, field: sent_at.strftime("%Y-%m-%dT%H:%M")}
    if action == "safety-written-file":
        # a Health Canada alert whose incident report went out 90 minutes ago, its draft
        # complete for the written report
        from django.utils import timezone

        now = timezone.now()
        health_canada = Regulator.objects.get(code="health-canada")
        SafetyAlert.objects.filter(pk=alert.pk).update(
            regulator=health_canada,
            draft={spec.code: "completed" for spec in FIELDS[health_canada.report_form]},
            status=AlertStatus.FILED,
            filed_reference="HC-IR-77",
            filed_at=now - timezone.timedelta(minutes=90),
            filed_by=everyone["supervisor"],
            written_report_due=now + timezone.timedelta(days=9),
        )
    if action == "claim-evidence-add":
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.factories import certificate_pdf

        data = {**data, "files": [SimpleUploadedFile("report.pdf", certificate_pdf())]}
    if action == "safety-recalls":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            **data,
            "regulator": Regulator.objects.get(code="cpsc").pk,
            "file": SimpleUploadedFile("r.csv", b"number,title\nR-1,Heater recall\n"),
        }
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
            assert reverse("backoffice:login") in response["Location"]
        assert not _effect(action, claim, alert)


POST_ONLY = [
    "claim-note",
    "claim-message",
    "claim-assign",
    "claim-tag",
    "take-next",
    "queue-bulk",
    "claim-evidence-share",
    "safety-alert-move",
    "safety-report-file",
    "safety-written-file",
]


@pytest.mark.parametrize("action", POST_ONLY)
def test_post_only_endpoints_refuse_get(client, supervisor, claim, alert, action):
    client.force_login(supervisor)
    assert client.get(_url(action, claim, alert)).status_code == 405


def test_read_pages_refuse_post(client, supervisor, claim, alert):
    client.force_login(supervisor)
    for page in (
        "queue",
        "queue-export",
        "claim",
        "dashboard",
        "safety",
        "safety-alert",
        "safety-report-pdf",
        "safety-report-csv",
        "safety-listings",
        "medical-access",
    ):
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


# --- issue 13: the areas (Decisions, Money, Sellers, Fraud) and the actions named after work ---


# page -> (what it is about, roles that get 200; other staff get 403, others sign in)
AREA_PAGES = {
    "decisions": (None, {"agent", "supervisor"}),
    "decision-approval": ("approval", {"agent", "supervisor"}),
    "qa-sample": ("sample", {"supervisor"}),
    "money": (None, {"agent", "supervisor"}),
    "money-reconciliation": (None, {"supervisor"}),
    "payout": ("payout", {"agent", "supervisor"}),
    "payee-change-request": ("customer", {"agent", "supervisor"}),
    "payee-change": ("change", {"supervisor"}),
    "sellers": (None, {"agent", "supervisor"}),
    "recovery": ("recovery", {"agent", "supervisor"}),
    "claim-seller-link": ("seller_claim", {"agent", "analyst", "supervisor"}),
    "fraud-queue": (None, {"analyst", "supervisor"}),
}


def _area_object(kind, everyone):
    supervisor = everyone["supervisor"]
    return {
        None: lambda: None,
        "approval": lambda: areas.approval_waiting().pk,
        "sample": lambda: areas.qa_sample().pk,
        "payout": lambda: areas.failed_payout().pk,
        "customer": lambda: areas.failed_payout().claim.customer_id,
        "change": lambda: areas.payee_change_waiting(by=everyone["agent"]).pk,
        "recovery": lambda: areas.appealed_recovery(supervisor).pk,
        "seller_claim": lambda: areas.disputed_claim().pk,
        "disputed": lambda: areas.disputed_claim().pk,
        "review": lambda: claim_in(ClaimStatus.UNDER_REVIEW).pk,
        "held": lambda: claim_in(ClaimStatus.FRAUD_HOLD).pk,
    }[kind]()


def _area_url(name, pk, to=None):
    if to is not None:
        return reverse("backoffice:claim-move", args=[pk, to])
    return reverse(f"backoffice:{name}", args=[pk] if pk is not None else [])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(AREA_PAGES))
def test_area_page_permission_matrix(client, everyone, role, page):
    # given
    kind, allowed = AREA_PAGES[page]
    url = _area_url(page, _area_object(kind, everyone))
    _login(client, everyone, role)
    # when
    response = client.get(url)
    # then
    if role in allowed:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]


# Who the second-approval page offers which decision ($4,500.00 of a step-in, asked by
# supervisor2): only what the service would let them do. None: the page is not theirs (403).
APPROVAL_OFFERS = {
    # an agent's authority ($1,000.00) does not cover $4,500.00: they may neither sign nor veto
    "agent": set(),
    "analyst": None,
    "supervisor": {"approve", "reject"},
    "fraud_reviewer": {"reject"},  # a supervisor who handled the claim's fraud review
    "requester": set(),  # supervisor2, who asked for it
    "safety": None,
    "outsider": None,
}
DECISION_DATA = {
    "approve": {"decision": "approve", "note": ""},
    "reject": {"decision": "reject", "note": "The invoice is for another patient."},
}


def _text(response) -> str:
    import html

    return html.unescape(response.content.decode().split('id="main"')[1])


def _approval_for(role, everyone):
    """A pending second approval, and who looks at it as ``role``."""
    from fraud.models import FraudReview

    approval = areas.approval_waiting()
    if role == "requester":
        return approval, approval.requested_by
    if role == "fraud_reviewer":
        FraudReview.objects.create(
            claim=approval.claim, analyst=everyone["supervisor"], decision="hold", note="looked"
        )
        return approval, everyone["supervisor"]
    return approval, everyone[role]


@pytest.mark.parametrize("role", list(APPROVAL_OFFERS))
def test_the_second_approval_page_offers_each_role_only_the_decisions_it_may_make(
    client, everyone, role
):
    # given
    offered = APPROVAL_OFFERS[role]
    approval, user = _approval_for(role, everyone)
    client.force_login(user)
    url = reverse("backoffice:decision-approval", args=[approval.pk])
    # when
    response = client.get(url)
    # then: the decisions offered are the ones the service allows them
    if offered is None:
        assert response.status_code == 403
        return
    page = response.content.decode()
    assert set(re.findall(r'name="decision" value="(\w+)"', page)) == offered
    assert ("Confirm my decision" in page) is bool(offered)
    # and: each decision takes effect exactly when it was offered
    for decision, data in DECISION_DATA.items():
        approval, user = _approval_for(role, everyone)
        client.force_login(user)
        response = client.post(reverse("backoffice:decision-approval", args=[approval.pk]), data)
        approval.refresh_from_db()
        assert (approval.status != RequestStatus.PENDING) is (decision in offered), decision
        if decision not in offered:  # refused on the page, each reason said once
            said = re.findall(r"<li>([^<]+)</li>|role=\"note\">([^<]+)</p>", _text(response))
            said = [a or b for a, b in said]
            assert said and len(said) == len(set(said)), said


def _payout_status(pk):
    from payouts.models import Payout

    return Payout.objects.get(pk=pk).status


# action -> (object, claim-move target or None, roles the action is open to (others: 403 or
# refused with a message), roles for whom it takes effect, POST data, did it take effect?)
AREA_ACTIONS = {
    "decision-approval": (
        "approval",
        None,
        {"agent", "supervisor"},
        # an agent's authority ($1,000) does not cover $4,500: refused by the service
        {"supervisor"},
        {"decision": "approve", "note": ""},
        lambda pk: ApprovalRequest.objects.get(pk=pk).status == RequestStatus.APPROVED,
    ),
    "qa-sample": (
        "sample",
        None,
        {"supervisor"},
        {"supervisor"},
        {"verdict": "correct"},
        lambda pk: QASample.objects.get(pk=pk).verdict == QAVerdict.CORRECT,
    ),
    "payout-resend": (
        "payout",
        None,
        {"supervisor"},
        {"supervisor"},
        {"reason": "Payee corrected."},
        lambda pk: _payout_status(pk) == "pending",
    ),
    "payout-cancel": (
        "payout",
        None,
        {"supervisor"},
        {"supervisor"},
        {"reason": "The customer asked to be paid by their insurer."},
        lambda pk: _payout_status(pk) == "cancelled",
    ),
    "payee-change-request": (
        "customer",
        None,
        {"agent", "supervisor"},
        {"agent", "supervisor"},
        areas.NEW_DETAILS,
        lambda pk: PayeeChange.objects.filter(customer_id=pk).exists(),
    ),
    "payee-change": (
        "change",
        None,
        {"supervisor"},
        {"supervisor"},
        {"decision": "approve", "note": "Called the customer back."},
        lambda pk: PayeeChange.objects.get(pk=pk).status == PayeeChangeStatus.APPROVED,
    ),
    "recovery": (
        "recovery",
        None,
        {"supervisor"},
        {"supervisor"},
        {"outcome": "uphold", "note": "The manual does not forbid it."},
        lambda pk: Recovery.objects.get(pk=pk).status == RecoveryStatus.WAIVED,
    ),
    "claim-seller-link": (
        "seller_claim",
        None,
        {"agent", "analyst", "supervisor"},
        {"agent", "analyst", "supervisor"},
        {"how": "show"},
        lambda pk: AccessLink.objects.filter(claim_id=pk, created_by__isnull=False).exists(),
    ),
    "overrule": (
        "disputed",
        "escalated",
        {"agent", "analyst", "supervisor"},
        {"agent", "supervisor"},  # overruling decides money: not an analyst's
        {"expected_status": "seller_responded", "reason": "The photos show the defect."},
        lambda pk: Claim.objects.get(pk=pk).status == ClaimStatus.ESCALATED,
    ),
    "fraud-hold": (
        "review",
        "fraud_hold",
        {"agent", "analyst", "supervisor"},
        {"agent", "analyst", "supervisor"},
        {"expected_status": "under_review", "reason": "The receipt looks edited."},
        lambda pk: Claim.objects.get(pk=pk).status == ClaimStatus.FRAUD_HOLD,
    ),
    "refer": (
        "held",
        "refer",
        {"agent", "analyst", "supervisor"},
        {"analyst", "supervisor"},
        {
            "expected_status": "fraud_hold",
            "adjuster_email": "expert@adjusters.test",
            "label": "valuable_alert",
            "due_days": "10",
            "reason": "The photos need an expert's eye.",
        },
        lambda pk: Referral.objects.filter(claim_id=pk).exists(),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(AREA_ACTIONS))
def test_area_action_permission_matrix(client, everyone, role, action):
    # given
    kind, to, open_to, effective, data, took_effect = AREA_ACTIONS[action]
    pk = _area_object(kind, everyone)
    url = _area_url(action, pk, to)
    _login(client, everyone, role)
    # when
    response = client.post(url, data)
    # then
    assert took_effect(pk) is (role in effective), response.status_code
    if role not in STAFF:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]
    elif role not in open_to:
        assert response.status_code == 403
    elif role not in effective:
        assert response.status_code in (302, 400)  # refused with the reason, nothing changed


AREA_POST_ONLY = ["payout-resend", "payout-cancel", "payout-return"]


@pytest.mark.parametrize("action", AREA_POST_ONLY)
def test_area_post_only_endpoints_refuse_get(client, supervisor, action):
    client.force_login(supervisor)
    assert client.get(reverse(f"backoffice:{action}", args=[1])).status_code == 405


def test_area_read_pages_refuse_post(client, supervisor):
    client.force_login(supervisor)
    for page in ("decisions", "money", "money-reconciliation", "sellers", "fraud-queue"):
        assert client.post(reverse(f"backoffice:{page}")).status_code == 405, page


# --- issue 16: need-to-know in the areas: a supervisor of the UK only against a US object -----


@pytest.fixture
def uk_supervisor(db):
    from claims import roles
    from tests.conftest import _staff

    return _staff("supervisor-gb", roles.SUPERVISOR, regions=["GB"])


def _claims_of(kind, pk):
    """The claims an area object belongs to (a customer's: all of theirs)."""
    from payouts.models import Payout

    claim_of = {
        "approval": lambda: ApprovalRequest.objects.get(pk=pk).claim_id,
        "sample": lambda: QASample.objects.get(pk=pk).claim_id,
        "payout": lambda: Payout.objects.get(pk=pk).claim_id,
        "recovery": lambda: Recovery.objects.get(pk=pk).claim_id,
    }
    if kind in claim_of:
        return Claim.objects.filter(pk=claim_of[kind]())
    customer = pk if kind == "customer" else PayeeChange.objects.get(pk=pk).customer_id
    return Claim.objects.filter(customer_id=customer)


def _move_to_uk(kind, pk):
    from claims.models import Region

    _claims_of(kind, pk).update(region=Region.objects.get(code="GB"))


REGION_PAGES = {
    "decision-approval": "approval",
    "qa-sample": "sample",
    "payout": "payout",
    "payee-change-request": "customer",
    "payee-change": "change",
    "recovery": "recovery",
}


@pytest.mark.parametrize("page", list(REGION_PAGES))
def test_region_limited_staff_cannot_open_another_regions_object(
    client, everyone, uk_supervisor, page
):
    # given: a US object (the helpers file US claims)
    kind = REGION_PAGES[page]
    pk = _area_object(kind, everyone)
    client.force_login(uk_supervisor)
    # when / then: not there for the UK supervisor, there once it is a UK one
    assert client.get(_area_url(page, pk)).status_code == 404
    _move_to_uk(kind, pk)
    assert client.get(_area_url(page, pk)).status_code == 200


REGION_ACTIONS = [
    "decision-approval",
    "qa-sample",
    "payout-resend",
    "payout-cancel",
    "payee-change-request",
    "payee-change",
    "recovery",
]


@pytest.mark.parametrize("action", REGION_ACTIONS)
def test_region_limited_staff_cannot_act_on_another_regions_object(
    client, everyone, uk_supervisor, action
):
    # given
    kind, _to, _open, _effective, data, took_effect = AREA_ACTIONS[action]
    pk = _area_object(kind, everyone)
    client.force_login(uk_supervisor)
    # when
    response = client.post(_area_url(action, pk), data)
    # then: not found, nothing done; the same action on a UK object takes effect
    assert response.status_code == 404
    assert not took_effect(pk)
    _move_to_uk(kind, pk)
    client.post(_area_url(action, pk), data)
    assert took_effect(pk)


# area list page -> (object kind, how the row names it)
REGION_LISTS = {
    "decisions": ("approval", lambda pk: ApprovalRequest.objects.get(pk=pk).claim.reference),
    "money": ("payout", lambda pk: _payout_key(pk)),
    "sellers": ("recovery", lambda pk: Recovery.objects.get(pk=pk).claim.reference),
}


def _payout_key(pk):
    from payouts.models import Payout

    return Payout.objects.get(pk=pk).idempotency_key


@pytest.mark.parametrize("page", list(REGION_LISTS))
def test_region_limited_staff_lists_only_their_regions(client, everyone, uk_supervisor, page):
    # given
    kind, name = REGION_LISTS[page]
    pk = _area_object(kind, everyone)
    client.force_login(uk_supervisor)
    # when
    us_page = client.get(reverse(f"backoffice:{page}"))
    _move_to_uk(kind, pk)
    uk_page = client.get(reverse(f"backoffice:{page}"))
    # then
    assert name(pk) not in us_page.content.decode()
    assert name(pk) in uk_page.content.decode()
    # the lists' region filter offers the reader's regions only
    assert '<option value="GB">' in uk_page.content.decode()
    assert '<option value="US">' not in uk_page.content.decode()


def test_region_limited_staff_see_no_qa_report_of_other_regions(client, uk_supervisor):
    # given: a US sample found wrong
    sample = areas.qa_sample()
    QASample.objects.filter(pk=sample.pk).update(verdict=QAVerdict.WRONG, reason="amount")
    client.force_login(uk_supervisor)
    # when
    report = client.get(reverse("backoffice:decisions")).context["report"]
    # then
    assert report["sampled"] == 0 and report["wrong"] == 0


def test_a_region_given_or_taken_applies_from_the_next_page(client, claim, uk_supervisor):
    # given: the supervisor's regions come with their user on each page (claims_site.auth)
    from claims.models import Region

    client.force_login(uk_supervisor)
    profile = uk_supervisor.staff_profile
    # when
    before = client.get(reverse("backoffice:queue")).content.decode()
    profile.regions.add(Region.objects.get(pk=claim.region_id))
    given = client.get(reverse("backoffice:queue")).content.decode()
    opened = client.get(reverse("backoffice:claim", args=[claim.pk]))
    profile.regions.remove(claim.region_id)
    taken = client.get(reverse("backoffice:queue")).content.decode()
    closed = client.get(reverse("backoffice:claim", args=[claim.pk]))
    # then
    assert claim.reference not in before
    assert claim.reference in given
    assert opened.status_code == 200
    assert claim.reference not in taken
    assert closed.status_code == 404
