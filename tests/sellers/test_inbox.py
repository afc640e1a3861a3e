"""The seller's inbox (issue 14): sign in by a one-time e-mailed link, every claim with what is
asked and by when, the statement and the certificates; each claim opens inside the inbox, and
the claim's own e-mailed link keeps working."""

import re
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from claims.models import AccessLink, ClaimStatus, LinkPurpose
from sellers.models import CertificateStatus, SellerResponse
from sellers.session import SESSION_KEY
from tests.factories import (
    CertificateFactory,
    OrderLineFactory,
    SellerFactory,
    certificate_form_data,
)
from tests.sellers.helpers import OVER, awaiting, run_outbox, signed_in

pytestmark = pytest.mark.django_db

SIGNIN_LINK = re.compile(r"https?://[^/\s]+(?P<path>/sellers/sign-in/link/[^\s\"]+)")


def _ask_for_link(client, email: str, next_path: str = ""):
    mail.outbox.clear()
    response = client.post(reverse("sellers:sign-in"), {"email": email, "next": next_path})
    run_outbox("sellers.signin_email")
    return response


def test_it_signs_a_seller_in_by_a_one_time_link(client):
    # given: a seller with a claim
    claim, _path = awaiting()
    seller = claim.seller
    # when: they ask for a link with their address, in another case
    response = _ask_for_link(client, seller.email.upper())
    # then: the usual page, and one e-mail with a single-use link
    assert response.status_code == 302 and response["Location"] == reverse("sellers:sign-in-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [seller.email]
    path = SIGNIN_LINK.search(mail.outbox[0].body).group("path")
    link = AccessLink.objects.get(purpose=LinkPurpose.SELLER_SIGN_IN)
    assert link.seller == seller and link.single_use
    # when: the link is opened (GET, HEAD): not spent yet
    assert client.get(path).status_code == 200 and client.head(path).status_code == 200
    assert client.session.get(SESSION_KEY) is None
    # when: the button is pressed
    signed = client.post(path)
    # then: signed in, in the inbox
    assert signed.status_code == 302 and signed["Location"] == reverse("sellers:inbox")
    assert client.session[SESSION_KEY] == seller.pk
    # and the link is spent
    client.post(reverse("sellers:sign-out"))
    again = client.post(path)
    assert again.status_code == 400 and "already been used" in again.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_an_unknown_address_gets_the_same_page_and_no_email(client):
    response = _ask_for_link(client, "nobody@nowhere.test")
    assert response.status_code == 302 and response["Location"] == reverse("sellers:sign-in-sent")
    assert mail.outbox == []
    assert not AccessLink.objects.filter(purpose=LinkPurpose.SELLER_SIGN_IN).exists()


def test_a_bad_address_is_refused_and_kept(client):
    response = client.post(reverse("sellers:sign-in"), {"email": "not an address"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="not an address"' in body and "valid email" in body


def test_the_inbox_needs_a_sign_in_and_returns_to_the_claim_asked_for(client):
    # given: the inbox link from the seller's claim e-mail, opened while signed out
    claim, _path = awaiting()
    inbox_url = re.search(r"https?://[^/\s]+(/sellers/inbox/claims/[^\s\"]+)", mail.outbox[-1].body)
    target = inbox_url.group(1)
    assert target == reverse("sellers:inbox-claim", args=[claim.reference])
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sellers:sign-in") + "?next=")
    # when: they sign in from there, and someone tries to send them off-site
    for next_path, expected in [(target, target), ("//evil.example/", reverse("sellers:inbox"))]:
        _ask_for_link(client, claim.seller.email, next_path)
        signed = client.post(SIGNIN_LINK.search(mail.outbox[-1].body).group("path"))
        # then
        assert signed["Location"] == expected
        client.post(reverse("sellers:sign-out"))


def test_the_inbox_lists_every_claim_with_what_is_asked_and_by_when(client):
    # given: two claims of one seller (one answered), and another seller's claim
    first, first_path = awaiting(amount_minor=OVER)
    seller = first.seller
    second, _ = awaiting(order_line=OrderLineFactory(product__seller=seller))
    client.post(first_path, {"decision": "accept"})
    other, _ = awaiting()
    CertificateFactory(seller=seller, status=CertificateStatus.PENDING, policy_number="GL-777")
    signed_in(client, seller)
    # when
    body = client.get(reverse("sellers:inbox")).content.decode()
    # then: both claims, their status, what is asked and the deadline; not the other's
    assert first.reference in body and second.reference in body
    assert other.reference not in body
    # (the status as the customer reads it too: never an internal state's name)
    assert body.count("With the seller") >= 2 and "Awaiting seller" not in body
    assert "Answer: accept, dispute with your evidence, or hand it to your insurer." in body
    assert "Answered. You may change your answer until the deadline." in body
    # the deadline in the seller's region's zone while their browser's is not known yet
    local = second.seller_respond_by.astimezone(zoneinfo.ZoneInfo(seller.region.time_zone))
    assert f'<time datetime="{local.isoformat()[:19]}' in body
    # the statement and the certificates
    assert "Your statement" in body and "You owe nothing." in body
    assert "GL-777" in body and "Awaiting verification" in body


def test_the_insurance_line_writes_its_date_as_every_other_date(client):
    # given: a seller whose valid certificate runs to the end of July next year (found in the
    # tryout: "Your insurance: valid until 2027-07-30" beside "30 Jul 2027" in the table)
    import datetime as dt

    from django.utils import timezone

    claim, _ = awaiting(amount_minor=OVER)
    expiry = dt.date(timezone.localdate().year + 1, 7, 30)
    CertificateFactory(seller=claim.seller, expiry_date=expiry, verified=True)
    signed_in(client, claim.seller)
    # when
    inbox = client.get(reverse("sellers:inbox")).content.decode()
    claim_page = client.get(reverse("sellers:inbox-claim", args=[claim.reference])).content.decode()
    # then
    for body in (inbox, claim_page):
        assert f"valid until 30 Jul {expiry.year}" in body
        assert expiry.isoformat() not in body


def test_a_claim_opens_and_is_answered_inside_the_inbox(client):
    # given
    claim, path = awaiting(amount_minor=OVER)
    signed_in(client, claim.seller)
    url = reverse("sellers:inbox-claim", args=[claim.reference])
    # when
    page = client.get(url)
    answered = client.post(url, {"decision": "dispute", "reasons": "Used outdoors."})
    # then: the same answer page; the answer is recorded through the seller's link
    assert page.status_code == 200 and f"Claim {claim.reference}" in page.content.decode()
    assert answered.status_code == 302 and answered["Location"] == url
    response = SellerResponse.objects.get(claim=claim)
    assert response.decision == "dispute" and response.link.purpose == LinkPurpose.SELLER_RESPONSE
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    # and the e-mailed link still works on its own
    assert client.get(path).status_code == 200


def test_another_sellers_claim_is_not_found_in_the_inbox(client):
    claim, _ = awaiting()
    signed_in(client, SellerFactory())
    for name, args in [
        ("sellers:inbox-claim", [claim.reference]),
        ("sellers:inbox-payment", [claim.reference]),
        ("sellers:inbox-evidence", [claim.reference, 1]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    response = client.post(
        reverse("sellers:inbox-claim", args=[claim.reference]), {"decision": "accept"}
    )
    assert response.status_code == 404
    assert not SellerResponse.objects.exists()


def test_a_revoked_link_closes_the_claim_in_the_inbox_too(client):
    claim, _ = awaiting()
    AccessLink.objects.filter(purpose=LinkPurpose.SELLER_RESPONSE).update(
        revoked_at=claim.submitted_at
    )
    signed_in(client, claim.seller)
    response = client.get(reverse("sellers:inbox-claim", args=[claim.reference]))
    assert response.status_code == 403 and "withdrawn" in response.content.decode()


def test_a_certificate_sent_from_the_inbox_awaits_verification(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import certificate_pdf

    claim, _ = awaiting()
    signed_in(client, claim.seller)
    url = reverse("sellers:inbox-insurance", args=[claim.reference])
    document = SimpleUploadedFile("scan.pdf", certificate_pdf(), "application/pdf")
    response = client.post(url, {**certificate_form_data(), "document": document})
    assert response.status_code == 302
    assert response["Location"] == reverse("sellers:inbox-claim", args=[claim.reference])
    assert claim.seller.certificates.get().status == CertificateStatus.PENDING


def test_the_insurer_rating_is_not_preset_and_must_be_chosen(client):
    # given: the seller's page: no rating is chosen for them
    claim, path = awaiting()
    body = client.get(path).content.decode()
    select = re.search(r'<select name="insurer_rating".*?</select>', body, re.S).group(0)
    assert "selected" not in select.replace('<option value="" selected>', "")
    assert '<option value="" selected>Choose the rating</option>' in select
    # when: sent without a rating
    token = path.rstrip("/").rsplit("/", 1)[1]
    typed = certificate_form_data(insurer_rating="", policy_number="GL-4711")
    response = client.post(reverse("sellers:insurance", args=[claim.reference, token]), typed)
    # then: asked for, everything else kept
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the insurer&#x27;s rating from the certificate." in page
    assert 'value="GL-4711"' in page and 'value="Harbor Mutual"' in page
    assert not claim.seller.certificates.exists()


def test_seller_pages_have_no_duplicate_element_ids(client):
    # given: the answer form and the certificate form on one page, both refused
    claim, path = awaiting()
    token = path.rstrip("/").rsplit("/", 1)[1]
    pages = [
        client.get(path),
        client.post(path, {"decision": "dispute"}),
        client.post(reverse("sellers:insurance", args=[claim.reference, token]), {}),
    ]
    signed_in(client, claim.seller)
    pages.append(client.get(reverse("sellers:inbox")))
    for response in pages:
        ids = re.findall(r'\sid="([^"]+)"', response.content.decode())
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_payment_is_asked_for_and_recorded_from_the_inbox_with_its_proof_for_the_customer(
    client, supervisor
):
    # given: the seller accepted a claim and $900 was approved for them to pay
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from claims.models import Evidence
    from sellers.models import PartyPayment, PartyPaymentStatus
    from sellers.services.party_payments import party_payment_day
    from tests.payouts.test_money_policy import _accepted, _approve_accepted

    claim = _approve_accepted(_accepted(), supervisor)
    signed_in(client, claim.seller)
    # when: the inbox, then the claim's page in it
    inbox = client.get(reverse("sellers:inbox")).content.decode()
    page = client.get(reverse("sellers:inbox-claim", args=[claim.reference])).content.decode()
    # then: what is asked, and where to record it
    assert "Pay the customer and record the payment." in inbox
    payment_url = reverse("sellers:inbox-payment", args=[claim.reference])
    assert f'href="{payment_url}"' in page
    # when: the seller records the payment with a proof
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    proof = SimpleUploadedFile("transfer.png", buffer.getvalue(), "image/png")
    response = client.post(
        payment_url,
        {
            "amount": "900.00",
            "paid_on": party_payment_day(PartyPayment.objects.get(claim=claim), timezone.now()),
            "reference": "TX-9",
            "proof": proof,
        },
    )
    # then: recorded, and the proof is addressed to the customer (they may open it)
    assert response.status_code == 302
    payment = PartyPayment.objects.get(claim=claim)
    assert payment.status == PartyPaymentStatus.RECORDED
    assert Evidence.objects.get(pk=payment.proof_id).shared_with_customer_at is not None


def test_the_inbox_reads_the_same_number_of_queries_for_one_claim_or_many(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given: a seller with one claim
    claim, _ = awaiting()
    seller = claim.seller
    signed_in(client, seller)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("sellers:inbox")).status_code == 200
        return len(captured)

    one = queries()
    # when: four more claims
    for _ in range(4):
        awaiting(order_line=OrderLineFactory(product__seller=seller))
    # then
    assert queries() == one


def test_demo_seller_finds_the_claim_awaiting_their_answer_in_the_inbox(client):
    """Found by QA on `make run`: the demo's claim awaiting the seller (and every escalated one)
    was missing from the seller's inbox, because the demo issued the seller's link only when
    the seller answered; the notification issues it when the claim reaches the seller."""
    from django.core.management import call_command

    from claims.models import Claim

    # given: the demo
    call_command("seed_demo", stdout=None)
    waiting = Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER).select_related("seller")
    escalated = Claim.objects.filter(status=ClaimStatus.ESCALATED).select_related("seller")
    assert waiting.exists() and escalated.exists()
    for claim in [waiting.first(), escalated.first()]:
        # when: its seller opens the inbox
        signed_in(client, claim.seller)
        page = client.get(reverse("sellers:inbox")).content.decode()
        # then: the claim is listed, and opens
        assert claim.reference in page
        opened = client.get(reverse("sellers:inbox-claim", args=[claim.reference]))
        assert opened.status_code == 200


def test_the_seller_overruled_is_not_told_it_owes_what_was_not_paid_yet(client, supervisor):
    """Staff overruling a seller's dispute opens the step-in's recovery at once, undecided; the
    seller's e-mail said "The marketplace paid claim … on your behalf: you owe $…" (the claimed
    total), as the statement did before (the test below)."""
    from tests.backoffice.areas import disputed_claim

    # given: the seller disputed a claim over the threshold
    claim = disputed_claim()
    mail.outbox.clear()
    # when: a supervisor overrules it, and the seller's e-mails go out
    client.force_login(supervisor)
    client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "escalated"]),
        {"expected_status": "seller_responded", "reason": "The photos show no misuse."},
    )
    run_outbox("sellers.notify_recovery")
    # then: the e-mail says what will be owed, not that the marketplace paid
    (email,) = [m for m in mail.outbox if claim.reference in m.subject]
    assert "on your behalf" not in email.body and "you owe $" not in email.body.lower()
    assert "The marketplace stepped in and is deciding the claim" in email.body


def test_a_recovery_of_an_undecided_claim_is_not_owed_yet_in_the_statement(client):
    # given: a claim the marketplace stepped in on (escalated: the recovery opens at once, for
    # the amount claimed) and has not decided yet. Found in the tryout: the statement said
    # "The marketplace stepped in and paid the customer" and "You owe $7,113.79" on a claim
    # under review, beside "The claim is not decided yet".
    from claims.events import Actor
    from sellers.models import RecoveryReason
    from sellers.services.recoveries import recovery_open

    claim, _ = awaiting(amount_minor=OVER)
    recovery = recovery_open(
        claim=claim, reason=RecoveryReason.STEP_IN, actor=Actor.system("escalation")
    )
    assert recovery.appeal_due is None  # undecided
    signed_in(client, claim.seller)
    # when
    inbox = client.get(reverse("sellers:inbox")).content.decode()
    # then: nothing owed yet, and the row says what will be, not what has happened
    assert "You owe" not in inbox
    assert "stepped in and paid" not in inbox
    assert "Outstanding:</strong> none" in inbox
    assert "not owed until the claim is decided" in inbox
    assert recovery.amount_display in inbox  # the amount at stake is shown, as such


def test_inbox_form_addresses_opened_by_get_lead_back_to_the_page_holding_the_form(client):
    # given: a signed-in seller whose refused certificate left the browser on its address
    claim, _path = awaiting()
    signed_in(client, claim.seller)
    cases = [
        (
            reverse("sellers:inbox-insurance", args=[claim.reference]),
            reverse("sellers:inbox-claim", args=[claim.reference]),
        ),
        (reverse("sellers:inbox-appeal", args=[1]), reverse("sellers:inbox")),
    ]
    for url, page in cases:
        # when: reloaded, bookmarked, or asked for its headers
        for response in (client.get(url), client.head(url)):
            # then: the page that holds the form
            assert response.status_code == 302 and response["Location"] == page
        assert client.put(url).status_code == 405
