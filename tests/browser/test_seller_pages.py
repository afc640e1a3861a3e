"""The seller answers a claim on a phone: the link page, a dispute with a file, the statement."""

import io
import re
import zoneinfo

import pytest
from PIL import Image

from claims.models import ClaimStatus
from sellers.models import SellerResponse
from tests.browser.conftest import axe_violations
from tests.sellers.helpers import OVER, awaiting

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_seller_response_page_on_a_phone(phone_page, tmp_path):
    # given: a claim awaiting its seller, and the link from the e-mail
    claim, path = awaiting(amount_minor=OVER)
    photo = tmp_path / "label.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (30, 90, 200)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    # when: the seller opens it on a phone (the browser tells us its zone on the first visit)
    phone_page.goto(path)
    phone_page.wait_for_function("document.cookie.includes('tz=')")
    phone_page.reload()
    # then: the claim, its amount and the deadline in the browser's zone (Chicago)
    assert phone_page.locator("h1").inner_text() == f"Claim {claim.reference}"
    assert "$2,500.00" in phone_page.content()
    assert "America/Chicago" in phone_page.locator(".facts").inner_text()
    local = claim.seller_respond_by.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    assert (
        phone_page.locator(".facts time")
        .get_attribute("datetime")
        .startswith(local.isoformat()[:16])
    )
    assert _no_sideways_scroll(phone_page)
    assert axe_violations(phone_page) == []
    # when: a dispute without reasons is sent, then with reasons and a photo
    phone_page.get_by_label("Dispute the claim").check()
    phone_page.get_by_role("button", name="Send my answer").click()
    # the problem beside its field, which names it to a screen reader
    reasons_error = phone_page.locator("#id_reasons_error")
    assert "Say why you dispute the claim." in reasons_error.inner_text()
    described = phone_page.get_by_label("Reasons").get_attribute("aria-describedby") or ""
    assert "id_reasons_error" in described.split()
    phone_page.get_by_label("Dispute the claim").check()
    phone_page.get_by_label("Reasons").fill("The heater was used outdoors.")
    phone_page.set_input_files("input[type=file][name=files]", str(photo))
    phone_page.get_by_role("button", name="Send my answer").click()
    # then: saved; the page shows version 1 and offers a new version
    assert "your answer is saved" in phone_page.locator(".messages").inner_text()
    assert re.search(r"Version 1", phone_page.locator(".versions").inner_text())
    assert phone_page.get_by_role("button", name="Save a new version of my answer").is_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SELLER_RESPONDED
    assert len(SellerResponse.objects.get().evidence_ids) == 1
    assert axe_violations(phone_page) == []


def test_seller_statement_on_a_phone(phone_page):
    claim, path = awaiting(amount_minor=OVER)
    phone_page.goto(path.replace("/respond/", "/statement/"))
    assert phone_page.locator("h1").inner_text() == "Your statement"
    assert "You owe nothing." in phone_page.content()
    assert _no_sideways_scroll(phone_page)
    assert axe_violations(phone_page) == []


def test_refused_link_page_on_a_phone(phone_page):
    _claim, path = awaiting()
    phone_page.goto(path[:-4] + "xyz/")
    assert "not valid" in phone_page.locator("[role=alert]").inner_text()
    assert axe_violations(phone_page) == []
