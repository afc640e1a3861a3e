"""The customer journey in Chromium: sign in by link, file a claim with a photo on a phone,
see it, withdraw another; and axe-core on every public page of the journey."""

import io
import re

import pytest
from django.core import mail
from PIL import Image

from claims.actors import Actor
from claims.models import Claim, ClaimStatus, Outbox
from claims.outbox import deliver
from claims.services import claim_deny, claim_request_info
from tests.browser.conftest import axe_violations
from tests.factories import OrderFactory, OrderLineFactory, claim_in, claim_new

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver_outbox() -> None:
    for message_id in Outbox.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        deliver(message_id=message_id)


def _sign_in(page, order) -> None:
    page.goto("/claim/sign-in/")
    page.fill("#id_order_number", order.number)
    page.fill("#id_email", order.customer.email)
    page.click("text=E-mail me a sign-in link")
    page.wait_for_selector("h1:has-text('Check your e-mail')")
    _deliver_outbox()  # the worker's part: issue the link and send the e-mail
    link = re.search(r"https?://\S+(/claim/sign-in/link/\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.click("#sign-in-continue")
    page.wait_for_selector("text=You are signed in")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_portal_sign_in_by_link_and_file_a_claim_with_a_photo_on_a_phone(phone_page, tmp_path):
    # given: a customer with a delivered item, and a photo on their phone
    line = OrderLineFactory()
    photo = tmp_path / "IMG_0001.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (190, 60, 30)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page = phone_page
    # when: they sign in by the link in their e-mail
    _sign_in(page, line.order)
    # and walk the wizard
    page.click("text=File a new claim")
    page.click(f"#claim-line-{line.pk}")
    page.fill("#id_incident_date", line.delivered_on.isoformat())
    page.check("input[name=incident_kind][value=property_damage]")
    page.fill("#id_people_injured", "0")
    page.fill("#id_description", "The heater overheated and burned the carpet next to it.")
    page.check("input[name=hazard][value=fire_smoke]")
    page.click("button:has-text('Continue')")
    page.fill("#id_amount_property", "180.25")
    page.click("button:has-text('Continue')")
    page.set_input_files("#id_files", str(photo))
    page.click("text=Add these files")
    page.wait_for_selector("text=IMG_0001.jpg")
    assert _no_sideways_scroll(page)
    page.click("#to-review")
    page.check("#id_declare_true")
    page.check("#id_declare_share")
    page.check("#id_declare_covered")
    page.click("#submit-claim")
    # then: the confirmation shows the reference
    reference = page.inner_text("#claim-reference").strip()
    claim = Claim.objects.get(reference=reference)
    assert claim.claimed_total_minor == 18025 and claim.evidence.count() == 1
    # and the claim page shows it, with the photo and the next deadline
    page.click("text=See your claim")
    page.wait_for_selector("#what-happened")
    assert "We received your claim." in page.inner_text("#what-happened")
    assert page.is_visible("text=IMG_0001.jpg")
    assert "We aim to decide by" in page.inner_text("#next-deadline")
    assert _no_sideways_scroll(page)


def test_portal_withdraw_another_claim_with_confirmation(page):
    # given: a customer with two claims
    order = OrderFactory()
    keep = claim_new(order_line=OrderLineFactory(order=order))
    other = claim_new(order_line=OrderLineFactory(order=order))
    _sign_in(page, order)
    # when
    page.goto(f"/claim/c/{other.reference}/")
    page.click("#withdraw-link")
    page.click("#confirm-withdraw")  # without ticking the box
    page.wait_for_selector("text=Tick the box to confirm")
    page.check("#id_confirm")
    page.click("#confirm-withdraw")
    page.wait_for_selector("text=is withdrawn")
    # then
    assert page.inner_text("#claim-status").strip() == "Withdrawn"
    other.refresh_from_db()
    keep.refresh_from_db()
    assert other.status == ClaimStatus.WITHDRAWN
    assert keep.status == ClaimStatus.SCREENING  # untouched (the worker screened it)


def test_portal_every_public_page_passes_axe_on_a_phone(phone_page, agent):
    # given: a customer with a claim waiting for information and a denied one
    order = OrderFactory()
    line = OrderLineFactory(order=order)
    waiting = claim_request_info(
        claim=claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order=order)),
        actor=Actor.staff(agent),
        message="Please send the receipt.",
    )
    denied = claim_deny(
        claim=claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order=order)),
        actor=Actor.staff(agent),
        reason_code="no_proof",
        explanation="We need proof of the loss.",
    )
    page = phone_page
    checked = {}

    def check(name):
        page.wait_for_load_state()
        checked[name] = axe_violations(page)
        assert _no_sideways_scroll(page), name

    page.goto("/claim/sign-in/")
    check("sign-in")
    page.click("text=E-mail me a sign-in link")  # empty: errors shown
    check("sign-in with errors")
    page.goto("/claim/sign-in/link/not-a-token/")
    check("sign-in link")
    page.click("#sign-in-continue")
    check("link refused")
    page.goto("/claim/sign-in/sent/")
    check("sign-in sent")
    _sign_in(page, order)
    check("home")
    page.goto("/claim/new/")
    check("item")
    page.goto(f"/claim/new/{line.pk}/incident/")
    page.click("button:has-text('Continue')")
    check("incident with errors")
    page.fill("#id_incident_date", line.delivered_on.isoformat())
    page.check("input[name=incident_kind][value=property_damage]")
    page.fill("#id_description", "The kettle leaked and shorted the kitchen socket.")
    page.check("input[name=hazard][value=electric_shock]")
    page.click("button:has-text('Continue')")
    page.click("button:has-text('Continue')")
    check("losses with errors")
    page.fill("#id_amount_property", "99")
    page.click("button:has-text('Continue')")
    check("evidence")
    page.click("#to-review")
    check("review")
    page.click("#submit-claim")
    check("review with errors")
    for name in ("declare_true", "declare_share", "declare_covered"):
        page.check(f"#id_{name}")
    page.click("#submit-claim")
    check("confirmation")
    page.click("text=See your claim")
    check("claim page")
    page.goto(f"/claim/c/{waiting.reference}/")
    check("claim page: information requested")
    page.goto(f"/claim/c/{denied.reference}/")
    check("claim page: denied, appeal")
    page.goto(f"/claim/c/{waiting.reference}/withdraw/")
    check("withdraw confirmation")
    page.goto(f"/claim/c/{waiting.reference}/payment-details/")
    check("payment details")
    page.fill("#id_routing_number", "021000022")
    page.click("button:has-text('Save my payment details')")
    check("payment details with errors")
    page.goto("/claim/c/PL-XX-0000-000000/")
    check("not found")
    assert {name: found for name, found in checked.items() if found} == {}
