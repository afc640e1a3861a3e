"""The medical-documents access log and the restricted listing in Chromium: on a phone, no
horizontal scroll, axe finds nothing serious or critical."""

import io

import pytest
from PIL import Image

from claims.actors import Actor
from claims.evidence import medical_access_record
from claims.models import ClaimStatus, EvidenceKind, MedicalAccessAction
from claims.services import evidence_add
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import claim_in

pytestmark = pytest.mark.django_db(transaction=True)


def _bill(claim):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (90, 90, 200)).save(buffer, "PNG")
    return evidence_add(
        claim=claim,
        data=buffer.getvalue(),
        filename="er-bill.png",
        kind=EvidenceKind.MEDICAL_BILL,
        actor=Actor.customer(claim.customer),
    )


def _no_overflow(page) -> bool:
    return not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_log_page_and_restricted_bill_on_a_phone(phone_page, supervisor, agent):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    # given: a medical bill a supervisor opened
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    bill = _bill(claim)
    medical_access_record(
        evidence=bill, user=supervisor, action=MedicalAccessAction.VIEWED, page="/staff/"
    )
    # when: the agent (no medical permission) opens the claim
    staff_login(phone_page, "agent")
    phone_page.goto(f"/staff/claims/{claim.pk}/")
    # then
    assert "Medical bill (restricted)" in phone_page.inner_text("#h-evidence ~ ul.evidence")
    assert _no_overflow(phone_page)
    assert axe_violations(phone_page) == []
    # when: the supervisor reads the log
    phone_page.context.clear_cookies()
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(phone_page, "supervisor", code=totp_now(device))
    phone_page.goto("/staff/medical-access/")
    # then
    assert phone_page.locator("h1").inner_text() == "Medical documents: who opened them"
    assert claim.reference in phone_page.inner_text("table")
    assert _no_overflow(phone_page)
    assert axe_violations(phone_page) == []
