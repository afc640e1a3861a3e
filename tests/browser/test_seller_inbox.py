"""The seller's side on a phone (issue 14): the customer's evidence inline but never a medical
bill, the inbox signed in by e-mailed link, a refused certificate keeping all it had, the first
page already in the browser's zone, and every seller page accessible and phone-wide."""

import io
import os
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from claims.actors import Actor
from claims.models import EvidenceKind
from claims.services import evidence_add
from tests.browser.conftest import PHONE, axe_violations
from tests.sellers.helpers import OVER, awaiting, run_outbox

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs"
NARROW = {**PHONE, "viewport": {"width": 360, "height": 780}}


def _png(colour=(30, 90, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _phone(browser, live_server, zone="America/Chicago", device=NARROW):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id=zone, **device
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _unique_ids(page) -> list[str]:
    return page.evaluate(
        """() => { const seen = {}, dup = [];
        document.querySelectorAll('[id]').forEach(e => { if (seen[e.id]) dup.push(e.id);
        seen[e.id] = 1; }); return dup; }"""
    )


def _check_page(page) -> None:
    assert _fits(page), page.url
    assert axe_violations(page) == [], page.url
    assert _unique_ids(page) == [], page.url


def _with_evidence():
    claim, path = awaiting(amount_minor=OVER)
    customer = Actor.customer(claim.customer)
    photo = evidence_add(
        claim=claim,
        data=_png(),
        filename="heater.png",
        kind=EvidenceKind.PRODUCT_PHOTO,
        actor=customer,
    )
    bill = evidence_add(
        claim=claim,
        data=_png((200, 30, 30)),
        filename="hospital-bill.png",
        kind=EvidenceKind.MEDICAL_BILL,
        actor=customer,
    )
    return claim, path, photo, bill


def test_seller_opens_a_customer_photo_and_cannot_open_a_medical_bill(browser, live_server):
    # given: a claim with the customer's product photo and a medical bill
    claim, path, photo, bill = _with_evidence()
    context, page = _phone(browser, live_server)
    # when: the seller opens the claim's link on a phone
    page.goto(path)
    # then: the photo is shown inline (decoded by the browser), the bill is not even named
    image = page.get_by_role("img", name="Photo of the product: heater.png")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    # decode() settles once the file has arrived and decoded, however slow the machine
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    assert "hospital-bill" not in page.content() and "Medical bill" not in page.content()
    # when: they follow the photo, and then try the bill's address
    token = path.rstrip("/").rsplit("/", 1)[1]
    opened = page.request.get(reverse("sellers:evidence", args=[claim.reference, token, photo.pk]))
    refused = page.request.get(reverse("sellers:evidence", args=[claim.reference, token, bill.pk]))
    # then
    assert opened.status == 200 and opened.headers["content-type"] == "image/png"
    assert refused.status == 404
    _check_page(page)
    context.close()


def test_seller_inbox_lists_their_claims(browser, live_server):
    # given: a seller with two claims
    first, _ = awaiting(amount_minor=OVER)
    from tests.factories import OrderLineFactory

    second, _ = awaiting(order_line=OrderLineFactory(product__seller=first.seller))
    context, page = _phone(browser, live_server)
    # when: they ask for a sign-in link and open it from the e-mail
    page.goto(reverse("sellers:sign-in"))
    _check_page(page)
    page.get_by_label("Your e-mail address").fill(first.seller.email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    _check_page(page)
    run_outbox("sellers.signin_email")
    link = re.search(r"/sellers/sign-in/link/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    _check_page(page)
    page.get_by_role("button", name="Sign in").click()
    # then: the inbox, with both claims, what is asked and by when
    expect(page.locator("h1")).to_have_text("Your seller inbox")
    claims = page.locator(".inbox-claim")
    expect(claims).to_have_count(2)
    text = page.locator(".inbox").inner_text()
    assert first.reference in text and second.reference in text
    assert "Answer: accept, dispute with your evidence" in text
    local = second.seller_respond_by.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    assert local.strftime("%H:%M") in text  # one 24-hour date format for every reader
    _check_page(page)
    if os.environ.get("DOCS_SCREENSHOTS"):  # the README's picture: DOCS_SCREENSHOTS=1 pytest …
        page.screenshot(path=str(DOCS / "seller-inbox.png"), full_page=True)
    # when: they open a claim from the inbox
    page.get_by_role("link", name=f"Claim {first.reference}").click()
    expect(page.locator("h1")).to_have_text(f"Claim {first.reference}")
    assert page.url.endswith(reverse("sellers:inbox-claim", args=[first.reference]))
    _check_page(page)
    context.close()


CERTIFICATE = {
    "#cert_insurer_name": "Harbor Mutual",
    "#cert_policy_number": "GL-4711",
    "#cert_per_occurrence": "1,000,000.00",
    "#cert_aggregate": "2,000,000.00",
    "#cert_deductible": "5,000.00",
    "#cert_cancellation_notice_days": "30",
    "#cert_effective_date": "2026-01-01",
    "#cert_expiry_date": "2030-12-31",
}


def test_a_refused_certificate_keeps_every_field(browser, live_server, tmp_path):
    # given: the seller types all eleven values and attaches a file that is not a certificate
    _claim, path = awaiting()
    bad = tmp_path / "certificate.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    context, page = _phone(browser, live_server)
    page.goto(path)
    for selector, value in CERTIFICATE.items():
        page.fill(selector, value)
    page.get_by_label("Occurrence-based").check()
    page.select_option("#cert_insurer_rating", "A")
    page.get_by_label("The marketplace is named as additional insured").check()
    page.set_input_files("#cert_document", str(bad))
    # when
    page.get_by_role("button", name="Upload the certificate").click()
    # then: refused, the reason named, and nothing typed lost
    expect(page.locator(".error-summary")).to_contain_text("not accepted")
    for selector, value in CERTIFICATE.items():
        assert page.input_value(selector) == value, selector
    assert page.get_by_label("Occurrence-based").is_checked()
    assert page.input_value("#cert_insurer_rating") == "A"
    assert page.get_by_label("The marketplace is named as additional insured").is_checked()
    _check_page(page)
    context.close()


def test_the_first_page_shows_deadlines_in_the_browsers_zone(browser, live_server):
    # given: a fresh browser in Berlin (the site's guess would be New York)
    claim, path = awaiting(amount_minor=OVER)
    context, page = _phone(browser, live_server, zone="Europe/Berlin")
    berlin = claim.seller_respond_by.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    # when: the very first page it opens
    page.goto(path)
    # then: the deadline is in Berlin's zone, named
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Europe/Berlin")
    assert facts.locator("time").get_attribute("datetime").startswith(berlin.isoformat()[:16])
    # when: a form is sent and refused (a POST), the zone stays
    page.get_by_label("Dispute the claim").check()
    page.get_by_role("button", name="Send my answer").click()
    # (the problem beside its field, the banner pointing at it)
    expect(page.locator("#id_reasons_error")).to_contain_text("Say why you dispute the claim.")
    expect(facts).to_contain_text("Europe/Berlin")
    context.close()


def test_every_seller_page_is_accessible_and_phone_wide(browser, live_server):
    # given: the insurer's page and the statement too
    import datetime as dt

    from claims.links import link_issue
    from claims.models import LinkPurpose

    claim, path = awaiting(amount_minor=OVER)
    _link, insurer_token = link_issue(
        purpose=LinkPurpose.INSURER_RESPONSE,
        email="claims@insurer.test",
        expires_in=dt.timedelta(days=30),
        claim=claim,
        seller=claim.seller,
    )
    insurer = reverse("sellers:insurer-respond", args=[claim.reference, insurer_token])
    context, page = _phone(browser, live_server)
    for url in (
        path,
        insurer,
        path.replace("/respond/", "/statement/"),
        reverse("sellers:sign-in"),
        reverse("sellers:sign-in-sent"),
    ):
        page.goto(url)
        _check_page(page)
    page.goto(path[:-4] + "xyz/")  # a refused link
    _check_page(page)
    # the answer form refused, and the certificate form refused: still fine
    page.goto(path)
    page.get_by_role("button", name="Send my answer").click()
    _check_page(page)
    page.get_by_role("button", name="Upload the certificate").click()
    _check_page(page)
    context.close()


LONG_WORD = "https://photos.example/" + "x" * 400


def test_a_long_unbroken_answer_or_description_keeps_the_page_phone_wide(browser, live_server):
    # given: a customer who pasted a long address into what happened
    claim, path = awaiting(amount_minor=OVER)
    claim.description = f"See {LONG_WORD} for the video."
    claim.save(update_fields=["description"])
    context, page = _phone(browser, live_server)
    page.goto(path)
    assert _fits(page), "the customer's description"
    # when: the seller pastes one too into their answer (found in the tryout: 5,000 unbroken
    # characters made the page 47,400 px wide and the answer form could not be reached)
    page.get_by_label("Dispute the claim").check()
    page.get_by_label("Reasons").fill(f"Our test report: {LONG_WORD}")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("your answer is saved")
    # then: the page with the answer's versions still fits, and the form is usable
    assert _fits(page), "the seller's answer"
    page.get_by_label("Accept liability").check()
    context.close()
