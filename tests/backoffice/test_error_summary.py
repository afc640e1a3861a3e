"""Every staff form that refuses what was sent says so the same way: one summary above the form
(``templates/backoffice/_errors.html``, role="alert") saying that nothing was recorded, with the
form's own problems listed there and each field's problem beside its field, everything typed
kept. Before, some forms said "Nothing was recorded. Fix what is marked below:", others "Please
check the highlighted answers", and the workspace's actions (refer, deny, request information,
approve) said nothing above the form at all."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import ClaimStatus
from fraud.models import FraudReview, Referral, WatchlistEntry
from fraud.scoring import fraud_score_claim, rules_ensure
from tests.backoffice import areas
from tests.factories import CertificateFactory, certificate_form_data, claim_in

pytestmark = pytest.mark.django_db

NOTHING_RECORDED = "Nothing was recorded. Fix what is marked below:"


def summaries(html: str) -> list[str]:
    """The error summaries of a page, each as its markup."""
    return re.findall(r'<div class="error-summary" role="alert"[^>]*>.*?</div>', html, re.S)


def the_summary(html: str) -> str:
    found = summaries(html)
    assert len(found) == 1, found
    return found[0]


def _error_before(html: str, message: str, field_id: str) -> None:
    """``message`` is shown beside the field ``field_id``: after the form starts, before the
    next field's label (Django's field group: label, help, errors, input)."""
    at = html.index(f'id="{field_id}"')
    start = html.rfind("<label", 0, at)
    assert message in html[start : html.index(">", at) + 1], (message, field_id)


# --- the workspace's refer form (cases 2 and 3) ------------------------------------------------


def _refer(client, claim, **typed):
    """The workspace's refer form sent for ``claim``: good values, but for ``typed``."""
    data = {
        "expected_status": "fraud_hold",
        "adjuster_email": "expert@adjusters.test",
        "label": "valuable_alert",
        "due_days": "10",
        "reason": "Photos need an expert.",
        **typed,
    }
    return client.post(reverse("backoffice:claim-move", args=[claim.pk, "refer"]), data)


def test_the_workspace_refer_form_says_nothing_was_recorded_and_every_problem(client, analyst):
    # given
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    client.force_login(analyst)
    # when: a bad address, no label, days with a fraction, a note
    response = _refer(client, claim, adjuster_email="nope", label="", due_days="1.5")
    # then: one summary above the form, each problem beside its field, what was typed kept
    assert response.status_code == 400
    html = response.content.decode()
    assert NOTHING_RECORDED in the_summary(html)
    assert html.index('class="error-summary"') < html.index('name="adjuster_email"')
    _error_before(html, "Enter a valid email address.", "id_adjuster_email")
    _error_before(html, "Choose a label for this case.", "id_label")
    _error_before(html, "Enter a whole number.", "id_due_days")
    assert re.search(r'name="adjuster_email"[^>]*value="nope"', html)
    assert re.search(r'name="due_days"[^>]*value="1.5"', html)
    assert "Photos need an expert.</textarea>" in html
    assert "This field is required." not in html
    assert not Referral.objects.filter(claim=claim).exists()


def test_a_refusal_of_the_move_itself_is_listed_in_the_summary(client, analyst):
    # given: the page was opened on a claim that has since left the hold
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    client.force_login(analyst)
    # when: the form says it saw another status
    response = _refer(client, claim, expected_status="under_review")
    # then: the reason under the sentence, in the one summary
    assert response.status_code == 400
    summary = the_summary(response.content.decode())
    assert NOTHING_RECORDED in summary and "changed while you were working on it" in summary
    assert not Referral.objects.filter(claim=claim).exists()


# --- every staff form, through its page ---------------------------------------------------------


def _deny(client, cast):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:claim-move", args=[claim.pk, "denied"])
    data = {"expected_status": "under_review", "reason_code": "", "reason": "Typed for the deny"}
    return client.post(url, data), "Typed for the deny</textarea>"


def _request_info(client, cast):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(cast["agent"])
    url = reverse("backoffice:claim-move", args=[claim.pk, "needs_info"])
    return client.post(url, {"expected_status": "under_review", "reason": ""}), ""


def _approve(client, cast):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    item = claim.losses.get()
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:claim-move", args=[claim.pk, "approved"])
    data = {"expected_status": "under_review", f"loss_{item.pk}": "12x", "reason": ""}
    return client.post(url, data), 'value="12x"'


def _evidence(client, cast):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(cast["agent"])
    url = reverse("backoffice:claim-evidence-add", args=[claim.pk])
    return client.post(url, {"kind": "report"}), '<option value="report" selected>'


def _held(client, cast):
    rules_ensure()
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    fraud_score_claim(claim=claim)
    client.force_login(cast["analyst"])
    return claim


def _fraud_decide(client, cast):
    claim = _held(client, cast)
    url = reverse("backoffice:fraud-decide", args=[claim.pk])
    return client.post(url, {"action": "clear", "label": "", "note": "Typed note"}), "Typed note"


def _fraud_reassign(client, cast):
    claim = _held(client, cast)
    url = reverse("backoffice:fraud-reassign", args=[claim.pk])
    return client.post(url, {"assignee": "", "reason": ""}), ""


def _watchlist(client, cast):
    client.force_login(cast["analyst"])
    data = {"kind": "email", "value": "not an address", "reason": ""}
    return client.post(reverse("backoffice:fraud-watchlist"), data), 'value="not an address"'


def _rule_edit(client, cast):
    rules_ensure()
    client.force_login(cast["analyst"])
    url = reverse("backoffice:fraud-rule-edit", args=["new_account"])
    data = {"version": 1, "weight": "many", "param_max_age_days": "30", "reason": "Typed"}
    return client.post(url, data), 'value="many"'


def _second_approval(client, cast):
    approval = areas.approval_waiting()
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:decision-approval", args=[approval.pk])
    return client.post(url, {"decision": "reject", "note": ""}), 'value="reject" required'


def _qa(client, cast):
    sample = areas.qa_sample()
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:qa-sample", args=[sample.pk])
    return client.post(url, {"verdict": "wrong", "note": "Typed QA"}), "Typed QA</textarea>"


def _payee_request(client, cast):
    payout = areas.failed_payout()
    client.force_login(cast["agent"])
    url = reverse("backoffice:payee-change-request", args=[payout.claim.customer_id])
    data = {**areas.NEW_DETAILS, "routing_number": "123"}
    return client.post(url, data), 'value="123"'


def _payee_decide(client, cast):
    change = areas.payee_change_waiting(by=cast["agent"])
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:payee-change", args=[change.pk])
    return client.post(url, {"decision": "reject", "note": ""}), ""


def _payout(client, cast):
    payout = areas.failed_payout()
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:payout-resend", args=[payout.pk])
    return client.post(url, {"reason": ""}), ""


def _appeal(client, cast):
    recovery = areas.appealed_recovery(cast["supervisor"])
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:recovery", args=[recovery.pk])
    return client.post(url, {"outcome": "uphold", "note": ""}), ""


def _certificate_verify(client, cast):
    certificate = CertificateFactory(policy_number="GL-00001")
    client.force_login(cast["agent"])
    url = reverse("backoffice:certificate-verify", args=[certificate.pk])
    data = certificate_form_data(per_occurrence="1.234")
    return client.post(url, data), 'value="1.234"'


def _certificate_refuse(client, cast):
    certificate = CertificateFactory(policy_number="GL-00001")
    client.force_login(cast["agent"])
    url = reverse("backoffice:certificate-refuse", args=[certificate.pk])
    return client.post(url, {}), ""


def _alert(client):
    from safety.models import SafetyAlert
    from safety.services import safety_alerts_raise
    from tests.safety.helpers import incident, safety_officer

    claim = incident("US", hazard="fire_smoke", medical_care="hospital_admission")
    safety_alerts_raise()
    client.force_login(safety_officer())
    return SafetyAlert.objects.get(claims=claim)


def _safety_move(client, cast):
    alert = _alert(client)
    url = reverse("backoffice:safety-alert-move", args=[alert.pk])
    return client.post(url, {"to": "dismissed", "reason": " "}), '"dismissed" selected'


def _safety_file(client, cast):
    alert = _alert(client)
    url = reverse("backoffice:safety-report-file", args=[alert.pk])
    return client.post(url, {"reference": "CPSC-9", "sent_at": ""}), 'value="CPSC-9"'


def _safety_facts(client, cast):
    alert = _alert(client)
    url = reverse("backoffice:safety-facts", args=[alert.claims.get().pk])
    return client.post(url, {"hazard": "", "product_model": "HT-1500"}), 'value="HT-1500"'


def _safety_recalls(client, cast):
    from safety.models import Regulator

    _alert(client)
    data = {
        "source": "cpsc_json",
        "regulator": Regulator.objects.get(code="cpsc").pk,
        "file": SimpleUploadedFile("r.json", b"{oops"),
    }
    return client.post(reverse("backoffice:safety-recalls"), data), ""


def _seller_link(client, cast):
    # a claim another agent holds: the new link is refused (claim_holder_check)
    from claims.models import Claim

    claim = areas.disputed_claim()
    Claim.objects.filter(pk=claim.pk).update(assignee=cast["analyst"])
    client.force_login(cast["agent"])
    url = reverse("backoffice:claim-seller-link", args=[claim.pk])
    return client.post(url, {"how": "show"}), "ask a supervisor to reassign it"


def _privacy_hold(client, cast):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(cast["supervisor"])
    data = {"claim": claim.reference, "reason": " "}
    return client.post(reverse("privacy:staff-hold"), data), f'value="{claim.reference}"'


def _quick(action: str, data: dict, typed: str, role: str = "agent"):
    """A quick form of the workspace (tests/backoffice/test_quick_forms.py), refused."""

    def send(client, cast):
        claim = claim_in(ClaimStatus.UNDER_REVIEW)
        client.force_login(cast[role])
        return client.post(reverse(f"backoffice:{action}", args=[claim.pk]), data), typed

    return send


def _bulk(client, cast):
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(cast["agent"])
    data = {"action": "request_info", "message": "Typed for all", "next": "?"}
    return client.post(reverse("backoffice:queue-bulk"), data), 'value="Typed for all"'


FORMS = {
    "note": _quick("claim-note", {"text": "n" * 4001}, "n" * 4001 + "</textarea>"),
    "message": _quick("claim-message", {"to": "", "text": "Typed"}, "Typed</textarea>"),
    "tag": _quick("claim-tag", {"name": "t" * 41}, f'value="{"t" * 41}"'),
    "assign": _quick(
        "claim-assign", {"assignee": "nobody", "reason": "Typed"}, 'value="Typed"', "supervisor"
    ),
    "bulk": _bulk,
    "deny": _deny,
    "request-info": _request_info,
    "approve": _approve,
    "evidence": _evidence,
    "fraud-decide": _fraud_decide,
    "fraud-reassign": _fraud_reassign,
    "watchlist": _watchlist,
    "rule-edit": _rule_edit,
    "second-approval": _second_approval,
    "qa": _qa,
    "payee-request": _payee_request,
    "payee-decide": _payee_decide,
    "payout-resend": _payout,
    "appeal": _appeal,
    "certificate-verify": _certificate_verify,
    "certificate-refuse": _certificate_refuse,
    "safety-move": _safety_move,
    "safety-file": _safety_file,
    "safety-facts": _safety_facts,
    "safety-recalls": _safety_recalls,
    "seller-link": _seller_link,
    "privacy-hold": _privacy_hold,
}


@pytest.mark.parametrize("name", FORMS)
def test_every_staff_form_says_nothing_was_recorded_in_one_summary(client, cast, name):
    # when: the form sent with a problem
    response, typed = FORMS[name](client, cast)
    # then: the page again (400), one summary saying nothing was recorded, what was typed kept
    assert response.status_code == 400, name
    html = response.content.decode()
    assert NOTHING_RECORDED in the_summary(html), name
    assert "Please check the highlighted answers" not in html
    assert typed in html, typed


def test_a_refused_fraud_decision_records_nothing(client, cast):
    # The summary says so because it is so (the case page's decision form).
    response, _typed = _fraud_decide(client, cast)
    assert response.status_code == 400
    assert not FraudReview.objects.exclude(decision="hold").exists()
    assert not WatchlistEntry.objects.exists()


STAFF_TEMPLATES = [
    *Path(settings.BASE_DIR, "templates", "backoffice").rglob("*.html"),
    *Path(settings.BASE_DIR, "templates", "privacy").glob("staff_*.html"),
]


@pytest.mark.parametrize("path", STAFF_TEMPLATES, ids=lambda p: p.name)
def test_no_staff_template_writes_its_own_error_summary(path):
    # One summary, one place: a template that shows a form's errors includes it (a second copy
    # drifts: "Fix what is marked below" here, "Please check the highlighted answers" there).
    if path.name in ("_errors.html", "login.html"):
        # login.html: signing in records nothing, and says only why it was refused (Django's
        # authentication form), as the admin's sign-in does.
        return
    text = path.read_text()
    assert "non_field_errors" not in text, path
    assert "Nothing was recorded" not in text, path
    assert 'class="errors"' not in text, path
