"""The seller's pages through a link, refused links, and the staff pages and actions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.links import link_issue, link_resolve, link_revoke
from claims.models import AccessLink, ClaimEvent, ClaimStatus, Funding, LinkPurpose
from claims.services import claim_approve, claim_transition
from sellers.models import Recovery, RecoveryStatus, SellerResponse
from sellers.services.escalation import claim_escalate_overdue
from sellers.services.recoveries import recovery_appeal, recovery_follow_decision
from sellers.services.responses import seller_response_submit
from tests.sellers.helpers import LINK, OVER, awaiting

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 10)).save(out, "PNG")
    return out.getvalue()


def _snapshot(claim):
    claim.refresh_from_db()
    return (
        claim.status,
        ClaimEvent.objects.filter(claim=claim).count(),
        SellerResponse.objects.count(),
        list(AccessLink.objects.order_by("pk").values_list("used_at", "revoked_at")),
    )


def test_respond_page_shows_claim_and_accepts_an_answer(client):
    # given
    claim, path = awaiting()
    # when: the seller opens the link and disputes with a file
    page = client.get(path)
    assert page.status_code == 200
    assert claim.reference in page.content.decode() and "Hand the claim to our insurer" in (
        page.content.decode()
    )
    upload = _file("manual.png")
    response = client.post(
        path, {"decision": "dispute", "reasons": "Used outdoors.", "files": [upload]}
    )
    # then: saved, redirected back, claim moved
    assert response.status_code == 302 and response["Location"] == path
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    assert SellerResponse.objects.get().evidence_ids
    assert "Version 1" in client.get(path).content.decode()


def _file(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, _png(), content_type="image/png")


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "dispute", "reasons": ""},
        {"decision": "surrender"},
        {"decision": "insurer", "insurer_name": "H", "insurer_email": "nope"},
    ],
)
def test_respond_page_bad_input_gets_a_message_and_changes_nothing(client, data):
    claim, path = awaiting()
    before = _snapshot(claim)
    response = client.post(path, data)
    assert response.status_code == 400
    assert response.context["messages"]
    assert _snapshot(claim) == before


def test_respond_page_after_deadline_is_locked(client):
    claim, path = awaiting()
    from claims.models import Claim

    Claim.objects.filter(pk=claim.pk).update(
        seller_respond_by=timezone.now() - dt.timedelta(minutes=1)
    )
    assert "has passed; answers are locked" in client.get(path).content.decode()
    before = _snapshot(claim)
    response = client.post(path, {"decision": "accept"})
    assert response.status_code == 400 and "deadline" in response.content.decode()
    assert _snapshot(claim) == before


@pytest.mark.parametrize("how", ["tampered", "expired", "revoked", "other_claim", "wrong_kind"])
@pytest.mark.parametrize("page", ["respond", "statement", "insurance", "insurer-respond"])
def test_refused_links_get_a_clear_page_and_change_nothing(client, supervisor, how, page):
    # given: a seller link spoiled in one way
    claim, path = awaiting()
    other, _ = awaiting()
    seller_token = LINK.search(path).group("token")
    insurer_link, insurer_token = link_issue(
        purpose=LinkPurpose.INSURER_RESPONSE,
        email="claims@insurer.test",
        expires_in=dt.timedelta(days=30),
        claim=claim,
        seller=claim.seller,
    )
    reference = claim.reference
    if page == "insurer-respond":
        link, token = insurer_link, insurer_token
    else:
        link, token = AccessLink.objects.get(claim=claim, purpose="seller_response"), seller_token
    if how == "wrong_kind":  # the other party's link on this page
        token = seller_token if page == "insurer-respond" else insurer_token
    elif how == "tampered":
        token = token[:-3] + "abc"
    elif how == "expired":
        AccessLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    elif how == "revoked":
        link_revoke(link=link, revoked_by=supervisor, reason="test")
    elif how == "other_claim":
        reference = other.reference
    before = _snapshot(claim)
    url = reverse(f"sellers:{page}", args=[reference, token])
    # when: GET and POST (POST-only pages: POST)
    responses = []
    if page != "statement":
        responses.append(client.post(url, {"decision": "accept", "insurer_name": "X"}))
    if page != "insurance":
        responses.append(client.get(url))
    # then: a refusal page saying why, nothing changed
    expected = {
        "tampered": "not valid",
        "expired": "expired",
        "revoked": "withdrawn",
        "other_claim": "different claim",
        "wrong_kind": "not valid",
    }[how]
    for response in responses:
        assert response.status_code == 403
        assert expected in response.content.decode()
    assert _snapshot(claim) == before


def test_form_addresses_opened_by_get_lead_back_to_the_page_holding_the_form(client):
    # given: a refused upload left the seller's browser on the form's address
    claim, path = awaiting()
    token = LINK.search(path).group("token")
    statement = reverse("sellers:statement", args=[claim.reference, token])
    cases = [
        (reverse("sellers:insurance", args=[claim.reference, token]), path),
        (reverse("sellers:recovery-appeal", args=[claim.reference, token, 1]), statement),
    ]
    for url, page in cases:
        # when: reloaded, bookmarked, or asked for its headers
        for response in (client.get(url), client.head(url)):
            # then: the page that holds the form
            assert response.status_code == 302 and response["Location"] == page
        assert client.put(url).status_code == 405


def test_insurance_upload_bad_amount_changes_nothing(client):
    claim, path = awaiting()
    token = LINK.search(path).group("token")
    url = reverse("sellers:insurance", args=[claim.reference, token])
    response = client.post(url, {"per_occurrence": "1.234"}, follow=True)
    assert "not saved" in response.content.decode()
    assert not claim.seller.certificates.exists()


CERTIFICATE = {
    "insurer_name": "Harbor Mutual",
    "policy_number": "GL-77",
    "occurrence_based": "1",
    "per_occurrence": "1,000,000.00",
    "aggregate": "2,000,000.00",
    "deductible": "1,000.00",
    "insurer_rating": "A",
    "marketplace_additional_insured": "on",
    "cancellation_notice_days": "30",
    "effective_date": "2026-01-01",
    "expiry_date": "2027-01-01",
}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"per_occurrence": "1e999999"}, "is not an amount"),
        ({"aggregate": "2.000,00"}, "If you meant $2,000.00, type 2,000.00."),
        ({"deductible": "99999999999999999"}, "is too large"),
        ({"effective_date": "0001-01-01", "expiry_date": "9999-12-31"}, "more than 10 years ago"),
        ({"expiry_date": "9999-12-31"}, "at most 5 years"),
    ],
)
def test_insurance_upload_refuses_bad_input_with_a_message_and_keeps_it(client, overrides, message):
    # given: issue 19 found a 500 for "1e999999" and a certificate valid 0001-9999 accepted
    claim, path = awaiting()
    token = LINK.search(path).group("token")
    url = reverse("sellers:insurance", args=[claim.reference, token])
    # when
    response = client.post(url, {**CERTIFICATE, **overrides})
    # then
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "not saved" in body
    assert 'value="Harbor Mutual"' in body and 'value="GL-77"' in body
    assert not claim.seller.certificates.exists()


def _recovery(supervisor):
    claim, path = awaiting(amount_minor=OVER)
    claim_escalate_overdue(now=claim.seller_respond_by + dt.timedelta(seconds=1))
    staff = Actor.staff(supervisor)
    claim_transition(claim=claim, to=ClaimStatus.UNDER_REVIEW, actor=staff)
    claim_approve(
        claim=claim, actor=staff, approved={claim.losses.get().pk: OVER}, funding=Funding.STEP_IN
    )
    # As the decision service does (payouts.services.decisions): the recovery follows the
    # decision, which fixes the amount and opens the seller's appeal window.
    recovery_follow_decision(claim=claim, actor=staff)
    return claim, path, Recovery.objects.get(claim=claim)


def test_statement_shows_what_is_owed_and_takes_an_appeal(client, supervisor):
    # given
    claim, path, recovery = _recovery(supervisor)
    token = LINK.search(path).group("token")
    url = reverse("sellers:statement", args=[claim.reference, token])
    # when
    page = client.get(url)
    # then
    body = page.content.decode()
    assert "$2,500.00" in body and "stepped in" in body and claim.reference in body
    response = client.post(
        reverse("sellers:recovery-appeal", args=[claim.reference, token, recovery.pk]),
        {"reason": "The customer used it outdoors."},
    )
    assert response.status_code == 302
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.APPEALED


def test_statement_appeal_on_another_sellers_recovery_is_404(client, supervisor):
    _claim, _path, recovery = _recovery(supervisor)
    other, other_path = awaiting()
    token = LINK.search(other_path).group("token")
    url = reverse("sellers:recovery-appeal", args=[other.reference, token, recovery.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.OPEN


# --- staff: the Sellers area and the claim page's seller actions (issue 13) ---------------


@pytest.mark.parametrize(
    ("who", "status"), [("agent", 200), ("supervisor", 200), ("analyst", 403), ("outsider", 403)]
)
def test_admin_recovery_changelist_permissions(client, cast, supervisor, who, status):
    _recovery(supervisor)
    client.force_login(cast[who])
    assert client.get(reverse("admin:sellers_recovery_changelist")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("agent", 403), ("supervisor", 200), ("analyst", 403), ("outsider", 403)]
)
def test_staff_recovery_decide_permissions(client, cast, supervisor, who, status):
    claim, _path, recovery = _recovery(supervisor)
    recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="Not ours.")
    client.force_login(cast[who])
    url = reverse("backoffice:recovery", args=[recovery.pk])
    page = client.get(url)
    # agents read the recovery; only supervisors see and use the decision
    assert page.status_code == (200 if who in ("agent", "supervisor") else 403)
    assert ("Decide the appeal" in page.content.decode()) == (status == 200)
    client.post(url, {"outcome": "uphold", "note": "Wrong seller."})
    recovery.refresh_from_db()
    assert (recovery.status == RecoveryStatus.WAIVED) == (status == 200)


def test_staff_appeal_decided_twice_says_why_nothing_changed(client, cast, supervisor):
    """The form sent again after the back button (or a second supervisor deciding a moment
    later): the page says why nothing changed, though the form itself is gone."""
    # given: an appeal, decided once
    claim, _path, recovery = _recovery(supervisor)
    recovery_appeal(recovery=recovery, actor=Actor.seller(claim.seller), reason="Not ours.")
    client.force_login(cast["supervisor"])
    url = reverse("backoffice:recovery", args=[recovery.pk])
    client.post(url, {"outcome": "reject", "note": "It is yours."})
    # when: the same form again, now upholding
    page = client.post(url, {"outcome": "uphold", "note": "Wrong seller."})
    # then
    assert page.status_code == 400
    assert "Only a recovery under appeal can be decided." in page.content.decode()
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.OPEN


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("agent", True), ("supervisor", True), ("analyst", False), ("outsider", False)],
)
def test_staff_overrule_permissions(client, cast, who, allowed):
    claim, path = awaiting(amount_minor=OVER)
    token = LINK.search(path).group("token")
    seller_response_submit(
        link=link_resolve(token=token, purpose="seller_response"),
        decision="dispute",
        reasons="Misuse.",
    )
    client.force_login(cast[who])
    url = reverse("backoffice:claim-move", args=[claim.pk, "escalated"])
    workspace = client.get(reverse("backoffice:claim", args=[claim.pk]))
    assert ("Overrule the seller…" in workspace.content.decode()) == allowed
    client.post(
        url, {"expected_status": "seller_responded", "reason": "The photos show the defect."}
    )
    claim.refresh_from_db()
    assert (claim.status == ClaimStatus.ESCALATED) == allowed
    assert Recovery.objects.filter(claim=claim).exists() == allowed


def test_admin_export_action_streams_escaped_csv_for_supervisors_only(client, cast, supervisor):
    claim, _path, recovery = _recovery(supervisor)
    claim.seller.legal_name = "@SUM(A1)"
    claim.seller.save()
    data = {"action": "export_withholdings", "_selected_action": [recovery.pk]}
    url = reverse("admin:sellers_recovery_changelist")
    client.force_login(cast["supervisor"])
    response = client.post(url, data)
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv" and "'@SUM(A1)" in body
    client.force_login(cast["agent"])
    response = client.post(url, data)
    assert not hasattr(response, "streaming_content")  # the action is not offered


def test_admin_claim_and_seller_pages_show_standing(client, supervisor):
    claim, _path, _recovery_row = _recovery(supervisor)
    client.force_login(supervisor)
    for url in (
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:sellers_seller_change", args=[claim.seller.pk]),
    ):
        body = client.get(url).content.decode()
        assert "claims per 1,000 orders" in body and "$2,500.00" in body


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("agent", True), ("supervisor", True), ("analyst", True), ("outsider", False)],
)
def test_staff_new_seller_link_permissions_and_the_link_works(client, cast, who, allowed):
    # given: the seller's first link was revoked
    claim, path = awaiting()
    link_revoke(link=AccessLink.objects.get(claim=claim), revoked_by=cast["supervisor"], reason="x")
    client.force_login(cast[who])
    url = reverse("backoffice:claim-seller-link", args=[claim.pk])
    # when
    page = client.get(url)
    response = client.post(url, {"how": "show"})
    # then
    assert page.status_code == (200 if allowed else 403)
    assert AccessLink.objects.filter(claim=claim, revoked_at=None).exists() == allowed
    if allowed:
        text = response.content.decode()
        new_path = LINK.search(text).group(0)
        client.logout()
        assert client.get(new_path).status_code == 200
        assert client.get(path).status_code == 403  # the revoked one stays refused


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_admin_recovery_changelist_query_count_does_not_grow_with_rows(client, supervisor):
    # given: one recovery, then five
    client.force_login(supervisor)
    url = reverse("admin:sellers_recovery_changelist")
    _recovery(supervisor)
    one = _queries(client, url)
    for _ in range(4):
        _recovery(supervisor)
    # then: the same number of queries
    assert _queries(client, url) == one


def test_staff_new_seller_link_refused_before_the_seller_was_told(client, supervisor):
    # given: a claim still in screening
    from tests.factories import claim_in

    claim = claim_in(ClaimStatus.SCREENING)
    client.force_login(supervisor)
    # when
    response = client.post(reverse("backoffice:claim-seller-link", args=[claim.pk]))
    # then: refused with a message, no link
    assert "has not been told" in response.content.decode()
    assert not AccessLink.objects.filter(claim=claim).exists()


def test_admin_certificate_document_link_downloads_for_staff_only(client, cast):
    # given: a certificate uploaded with its document through the seller's page
    import re

    claim, path = awaiting()
    token = LINK.search(path).group("token")
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("sellers:insurance", args=[claim.reference, token]),
        {**CERTIFICATE, "document": SimpleUploadedFile("c.png", _png(), "image/png")},
    )
    certificate = claim.seller.certificates.get()
    page = reverse("admin:sellers_insurancecertificate_change", args=[certificate.pk])
    # when: the supervisor follows the admin's link
    client.force_login(cast["supervisor"])
    link = re.search(
        r'href="(/sellers/certificates/\d+/document/)"', client.get(page).content.decode()
    )
    response = client.get(link.group(1))
    # then: the file; and nobody without the permission gets it
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.force_login(cast["outsider"])
    assert client.get(link.group(1)).status_code == 403


def test_respond_page_refuses_the_same_file_sent_again_after_back(client):
    # given: a dispute with the manual, then Back and the form sent again
    claim, path = awaiting()
    data = {"decision": "dispute", "reasons": "Used outdoors."}
    assert client.post(path, {**data, "files": [_file("manual.png")]}).status_code == 302
    before = _snapshot(claim)
    # when
    response = client.post(path, {**data, "files": [_file("manual.png")]})
    # then: a message naming the file, nothing changed
    assert response.status_code == 400
    assert "manual.png: This file is already on the claim" in response.content.decode()
    assert _snapshot(claim) == before
    assert claim.evidence.count() == 1
