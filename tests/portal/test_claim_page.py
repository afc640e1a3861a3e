"""The customer's claim page: plain words, the next deadline, and the customer's own actions."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims import lifecycle
from claims.actors import Actor
from claims.models import ClaimEvent, ClaimStatus, Evidence
from claims.services import claim_deny, claim_note_add, claim_request_info
from tests.factories import claim_in, claim_new
from tests.portal.conftest import jpeg_bytes, sign_in

pytestmark = pytest.mark.django_db


def _url(name, claim, *args):
    return reverse(f"portal:{name}", args=[claim.reference, *args])


def test_claim_page_says_what_happened_next_and_the_deadline_in_the_viewer_zone(client):
    # given: a new claim, and a viewer in Madrid
    claim = claim_new()
    sign_in(client, claim.customer)
    client.cookies["tz"] = "Europe/Madrid"
    # when
    html = client.get(_url("claim-detail", claim)).content.decode()
    # then
    assert "We received your claim." in html
    assert "We check every claim first" in html
    local = claim.decision_due.astimezone(zoneinfo.ZoneInfo("Europe/Madrid"))
    assert "We aim to decide by" in html
    assert f"{local:%H:%M}" in html or f"{local:%-I:%M}" in html
    assert "CET" in html or "CEST" in html


def test_claim_page_names_the_zone_once_and_every_language_shows_it(client, settings):
    # given: a new claim, and a viewer in Madrid (found in the tryout: the deadline read
    # "22 Jan 2027, 06:00 CST (CST)" in English, and German or French dates had no zone at all)
    claim = claim_new()
    sign_in(client, claim.customer)
    client.cookies["tz"] = "Europe/Madrid"
    local = claim.decision_due.astimezone(zoneinfo.ZoneInfo("Europe/Madrid"))
    zone = local.tzname()
    # when
    html = client.get(_url("claim-detail", claim)).content.decode()
    # then: the deadline names the zone's abbreviation and the zone, each once
    assert f"{local:%H:%M} {zone}</time> (Europe/Madrid)" in html
    assert f"{zone} ({zone})" not in html
    # and in French and German, the deadline and the history say which zone too
    received = claim.submitted_at.astimezone(zoneinfo.ZoneInfo("Europe/Madrid"))
    for language in ("fr", "de"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(_url("claim-detail", claim)).content.decode()
        assert f"{local:%H:%M} {zone}</time> (Europe/Madrid)" in html, language
        assert f"{received:%H:%M} {received.tzname()}" in html, language


def test_claim_page_hides_internal_notes(client, agent):
    # given
    claim = claim_new()
    claim_note_add(claim=claim, actor=Actor.staff(agent), text="Looks like a repeat claimant.")
    sign_in(client, claim.customer)
    # when
    html = client.get(_url("claim-detail", claim)).content.decode()
    # then
    assert "repeat claimant" not in html and "agent" not in html


def test_claim_page_adds_evidence_and_downloads_it(client):
    # given
    claim = claim_new()
    sign_in(client, claim.customer)
    # when
    response = client.post(
        _url("claim-evidence", claim),
        {
            "kind": "receipt",
            "files": [
                SimpleUploadedFile("r1.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile("r2.jpg", jpeg_bytes(color=(1, 2, 3)), "image/jpeg"),
            ],
        },
    )
    # then
    assert response.status_code == 302
    evidence = list(Evidence.objects.filter(claim=claim))
    assert [e.original_name for e in evidence] == ["r1.jpg", "r2.jpg"]
    download = client.get(_url("evidence-download", claim, evidence[0].pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content)[:3] == b"\xff\xd8\xff"
    assert "sandbox" in download["Content-Security-Policy"]


def test_claim_page_add_evidence_without_files_says_so(client):
    claim = claim_new()
    sign_in(client, claim.customer)
    response = client.post(_url("claim-evidence", claim), {"kind": "receipt"})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()


def test_claim_page_refuses_evidence_on_a_finished_claim(client):
    claim = claim_in(ClaimStatus.CLOSED)
    sign_in(client, claim.customer)
    response = client.post(
        _url("claim-evidence", claim),
        {"kind": "receipt", "files": [SimpleUploadedFile("r.jpg", jpeg_bytes())]},
    )
    assert response.status_code == 400
    assert "files can no longer be added" in response.content.decode()
    assert not Evidence.objects.exists()


def test_answering_an_information_request_resumes_the_claim_and_the_clock(client, agent):
    # given: a claim under review, paused for information two days ago
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    due_before = claim.decision_due
    claim = claim_request_info(
        claim=claim, actor=Actor.staff(agent), message="Please send the ER bill."
    )
    from claims.models import Claim

    Claim.objects.filter(pk=claim.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=2)
    )
    sign_in(client, claim.customer)
    page = client.get(_url("claim-detail", claim)).content.decode()
    assert "Please send the ER bill." in page and "Please answer by" in page
    # when
    response = client.post(
        _url("claim-answer", claim),
        {
            "message": "Here is the bill from the emergency room.",
            "kind": "medical_bill",
            "files": [SimpleUploadedFile("er.jpg", jpeg_bytes())],
        },
    )
    # then: back under review, the deadline pushed out by the pause, the file and answer kept
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert claim.customer_info_due is None
    assert claim.decision_due - due_before >= dt.timedelta(days=2) - dt.timedelta(minutes=1)
    event = claim.events.filter(to_status=ClaimStatus.UNDER_REVIEW).last()
    assert event.actor_party == "customer" and "emergency room" in event.reason
    assert Evidence.objects.get(claim=claim).kind == "medical_bill"


def test_answering_a_request_made_from_a_fraud_hold_returns_the_claim_to_the_analyst(
    client, analyst
):
    # given: a claim over the threshold (USD 1,609.50) held on filing; the analyst asks the
    # customer for information from the hold
    from fraud.services import fraud_clear, fraud_hold

    claim = claim_in(ClaimStatus.SCREENING, amount_minor=160_950)
    fraud_hold(claim=claim, actor=Actor.system("fraud scoring"), note="Risk score 70.")
    claim = claim_request_info(
        claim=claim, actor=Actor.staff(analyst), message="Please send the receipt."
    )
    sign_in(client, claim.customer)
    # when: the customer answers with a file on their claim page
    response = client.post(
        _url("claim-answer", claim),
        {
            "message": "Here is the receipt.",
            "kind": "receipt",
            "files": [SimpleUploadedFile("receipt.jpg", jpeg_bytes())],
        },
    )
    # then: back on fraud hold, in the analyst's hands; nothing cleared it
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD
    moves = list(
        claim.events.filter(kind="status").order_by("id").values_list("from_status", "to_status")
    )
    assert moves[-1] == (ClaimStatus.NEEDS_INFO, ClaimStatus.FRAUD_HOLD)
    assert ClaimStatus.UNDER_REVIEW not in {to for _frm, to in moves}
    assert Evidence.objects.get(claim=claim).kind == "receipt"
    # and the tracker says the seller is still to come (above the threshold), not "Not needed"
    page = client.get(_url("claim-detail", claim)).content.decode()
    assert "Not needed" not in page
    tracker = re.sub(r"<[^>]+>", " ", page.split('id="tracker"')[1].split("</ol>")[0])
    tracker = re.sub(r"\s+", " ", tracker).replace(" :", ":")
    assert "With the seller: To come" in tracker
    # and only the analyst's clearing moves it on, to the seller
    fraud_clear(claim=claim, actor=Actor.staff(analyst), label="false_positive", note="Genuine.")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.AWAITING_SELLER


def test_answer_without_text_is_refused_and_keeps_the_claim_paused(client, agent):
    claim = claim_request_info(
        claim=claim_in(ClaimStatus.UNDER_REVIEW), actor=Actor.staff(agent), message="Bill?"
    )
    sign_in(client, claim.customer)
    response = client.post(_url("claim-answer", claim), {"message": "", "kind": "other"})
    assert response.status_code == 400
    assert "Write your answer" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO


def test_answer_when_no_information_was_asked_is_refused(client):
    claim = claim_new()
    sign_in(client, claim.customer)
    response = client.post(_url("claim-answer", claim), {"message": "hi", "kind": "other"})
    assert response.status_code == 400
    assert "not waiting for information" in response.content.decode()


def test_withdraw_asks_for_confirmation_then_withdraws(client):
    # given
    claim = claim_new()
    sign_in(client, claim.customer)
    # when: the confirmation page, and a POST without ticking the box
    assert "cannot be undone" in client.get(_url("claim-withdraw", claim)).content.decode()
    unconfirmed = client.post(_url("claim-withdraw", claim), {"reason": "Settled."})
    # then: nothing changed
    assert unconfirmed.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    # when: confirmed
    response = client.post(_url("claim-withdraw", claim), {"reason": "Settled.", "confirm": "on"})
    # then
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    event = ClaimEvent.objects.get(claim=claim, to_status=ClaimStatus.WITHDRAWN)
    assert event.actor_party == "customer" and event.reason == "Settled."


def test_withdraw_is_refused_once_the_money_moves(client):
    claim = claim_in(ClaimStatus.PAYOUT_PENDING)
    sign_in(client, claim.customer)
    assert "Withdraw this claim" not in client.get(_url("claim-detail", claim)).content.decode()
    response = client.post(_url("claim-withdraw", claim), {"confirm": "on"}, follow=True)
    assert "cannot become Withdrawn" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAYOUT_PENDING


def _denied(agent, *, days_ago: int = 0):
    from claims.services import claim_transition

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    if not days_ago:
        return claim_deny(
            claim=claim, actor=Actor.staff(agent), reason_code="no_proof", explanation="No bill."
        )
    # The decision made days ago: the transition service records it at that time.
    return claim_transition(
        claim=claim,
        to=ClaimStatus.DENIED,
        actor=Actor.staff(agent),
        reason="No bill.",
        updates={"denial_reason": "no_proof"},
        now=timezone.now() - dt.timedelta(days=days_ago),
        via=lifecycle.Via.DECISION,
    )


def test_appeal_within_the_window(client, agent):
    # given
    claim = _denied(agent)
    sign_in(client, claim.customer)
    page = client.get(_url("claim-detail", claim)).content.decode()
    assert "You can appeal until" in page and "No bill." in page
    # when: empty, then with a reason
    empty = client.post(_url("claim-appeal", claim), {"reason": ""})
    response = client.post(_url("claim-appeal", claim), {"reason": "The photos show the defect."})
    # then
    assert empty.status_code == 400
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPEALED


def test_appeal_after_the_window_is_refused(client, agent):
    # given: denied 31 days ago, the window is 30
    claim = _denied(agent, days_ago=31)
    sign_in(client, claim.customer)
    assert "Appeal the decision" not in client.get(_url("claim-detail", claim)).content.decode()
    # when
    response = client.post(_url("claim-appeal", claim), {"reason": "Please."})
    # then
    assert response.status_code == 400
    assert "appeal window of 30 days has passed" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED


def test_home_lists_the_customers_claims_and_orders(client):
    claim = claim_new()
    sign_in(client, claim.customer)
    html = client.get(reverse("portal:home")).content.decode()
    assert claim.reference in html and claim.order_line.order.number in html


@pytest.mark.parametrize(
    "name", ["claim-evidence", "claim-answer", "claim-appeal", "claim-party-payment"]
)
def test_a_form_address_opened_by_get_leads_back_to_the_claim_page(client, name):
    # given: a refused upload left the browser on the form's address
    claim = claim_new()
    sign_in(client, claim.customer)
    detail = _url("claim-detail", claim)
    # when: it is reloaded, bookmarked, or asked for its headers
    for response in (client.get(_url(name, claim)), client.head(_url(name, claim))):
        # then: the claim page, not a blank 405
        assert response.status_code == 302 and response["Location"] == detail
    # other methods are still refused
    assert client.put(_url(name, claim)).status_code == 405


def test_answer_files_count_against_the_daily_upload_limit(client, agent, settings):
    # given: issue 19 found answers with files did not count towards the customer's limit
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY = 1
    claim = claim_request_info(
        claim=claim_in(ClaimStatus.UNDER_REVIEW), actor=Actor.staff(agent), message="Bill?"
    )
    sign_in(client, claim.customer)
    added = client.post(
        _url("claim-evidence", claim),
        {"kind": "receipt", "files": [SimpleUploadedFile("r.jpg", jpeg_bytes())]},
    )
    assert added.status_code == 302
    # when
    response = client.post(
        _url("claim-answer", claim),
        {
            "message": "Here is the bill you asked for.",
            "kind": "medical_bill",
            "files": [SimpleUploadedFile("er.jpg", jpeg_bytes())],
        },
    )
    # then: refused with a message, the answer kept, the claim still waiting on the customer
    assert response.status_code == 429
    html = response.content.decode()
    assert "uploaded many files today" in html and "Here is the bill you asked for." in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO
    assert Evidence.objects.filter(claim=claim).count() == 1
    cache.clear()


# --- the same file again is not added twice (claims.duplicates) -------------------------------


def _added(evidence) -> str:
    """When ``evidence`` was added, as a reader in Madrid reads it."""
    from claims_site.dates import format_moment

    return format_moment(evidence.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Madrid")))


def test_claim_page_refuses_a_file_already_on_the_claim_and_adds_nothing(client):
    # given: the customer added a receipt, then went Back and sends the form again
    from tests.portal.conftest import media_files

    claim = claim_new()
    sign_in(client, claim.customer)
    client.cookies["tz"] = "Europe/Madrid"
    receipt = {"kind": "receipt", "files": [SimpleUploadedFile("r1.jpg", jpeg_bytes())]}
    assert client.post(_url("claim-evidence", claim), receipt).status_code == 302
    first = Evidence.objects.get(claim=claim)
    stored = media_files()
    # when: the same photo (as another kind) beside a new one
    response = client.post(
        _url("claim-evidence", claim),
        {
            "kind": "damage_photo",
            "files": [
                SimpleUploadedFile("r1.jpg", jpeg_bytes()),
                SimpleUploadedFile("new.jpg", jpeg_bytes(color=(1, 2, 3))),
            ],
        },
    )
    # then: refused naming the file, what it already is and when; none of them added
    assert response.status_code == 400
    html = response.content.decode()
    assert f"r1.jpg: This file is already on the claim, added as Receipt on {_added(first)}." in (
        html
    )
    assert list(Evidence.objects.filter(claim=claim)) == [first]
    assert media_files() == stored


def test_claim_page_refusal_is_in_the_customers_language(client, settings):
    claim = claim_new()
    sign_in(client, claim.customer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    receipt = {"kind": "receipt", "files": [SimpleUploadedFile("r1.jpg", jpeg_bytes())]}
    client.post(_url("claim-evidence", claim), receipt)
    receipt = {"kind": "receipt", "files": [SimpleUploadedFile("r1.jpg", jpeg_bytes())]}
    html = client.post(_url("claim-evidence", claim), receipt).content.decode()
    assert "r1.jpg: Diese Datei liegt der Schadensmeldung bereits vor" in html
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_claim_page_does_not_describe_a_file_the_customer_may_not_see(client):
    # given: the seller sent a photo (the customer does not see the seller's files)
    from claims.services import evidence_add

    claim = claim_new()
    evidence_add(
        claim=claim,
        data=jpeg_bytes(),
        filename="seller-photo.jpg",
        kind="product_photo",
        actor=Actor.seller(claim.seller),
    )
    sign_in(client, claim.customer)
    # when: the customer sends the same bytes
    response = client.post(
        _url("claim-evidence", claim),
        {"kind": "receipt", "files": [SimpleUploadedFile("mine.jpg", jpeg_bytes())]},
    )
    # then: refused, without saying what the seller sent it as or when
    html = response.content.decode()
    assert response.status_code == 400
    assert "mine.jpg: This file is already on the claim." in html
    assert "added as" not in html and "seller-photo" not in html
    assert Evidence.objects.filter(claim=claim).count() == 1


def test_an_answer_with_a_file_already_on_the_claim_is_refused_and_the_claim_stays_paused(
    client, agent
):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    sign_in(client, claim.customer)
    bill = {"kind": "medical_bill", "files": [SimpleUploadedFile("er.jpg", jpeg_bytes())]}
    client.post(_url("claim-evidence", claim), bill)
    claim = claim_request_info(claim=claim, actor=Actor.staff(agent), message="Bill?")
    # when
    response = client.post(
        _url("claim-answer", claim),
        {
            "message": "Here it is again.",
            "kind": "medical_bill",
            "files": [SimpleUploadedFile("er-again.jpg", jpeg_bytes())],
        },
    )
    # then
    assert response.status_code == 400
    assert "er-again.jpg: This file is already on the claim, added as Medical bill" in (
        response.content.decode()
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO
    assert Evidence.objects.filter(claim=claim).count() == 1
