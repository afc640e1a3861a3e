"""Issue 13 in Chromium: a supervisor gives a second approval from the Decisions area after
reading the items; a failed payout's payee is corrected (by two people) and the payout resent;
a supervisor decides a seller's recovery appeal; axe finds nothing serious or critical on any
new page, and none scrolls sideways on a phone."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.models import Claim, ClaimStatus
from payouts.models import ApprovalRequest, PayeeChange, PayeeChangeStatus, RequestStatus
from sellers.models import RecoveryStatus
from tests.backoffice import areas
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import claim_in
from tests.site.test_second_factor import totp_now

pytestmark = pytest.mark.django_db(transaction=True)


def _supervisor_signs_in(page, supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))


def _sign_out(page):
    page.click("form.staff-user button[type=submit]")
    page.wait_for_url("**/staff/login/")


def test_supervisor_gives_a_second_approval_from_decisions_after_reading_the_items(
    page, supervisor
):
    # given: supervisor2 approved $4,500.00 of a $5,000.00 step-in; it waits for a second
    approval = areas.approval_waiting()
    ref = approval.claim.reference
    _supervisor_signs_in(page, supervisor)
    # when: the supervisor opens Decisions from the nav and the request
    page.click("nav .staff-nav >> text=Decisions")
    page.wait_for_url("**/staff/decisions/")
    assert ref in page.inner_text("main")
    assert axe_violations(page) == []
    page.click(f"text=Read and sign {ref}…")
    page.wait_for_url(re.compile(rf"/staff/decisions/approvals/{approval.pk}/$"))
    # then: what they sign, item by item, before the decision
    items = page.inner_text("table.data")
    assert "$5,000.00" in items and "$4,500.00" in items
    assert "The receipt for the last $500.00 is for another order." in items
    facts = page.inner_text("dl.facts")
    assert "Marketplace step-in" in facts and "Checked against the hospital's invoice." in facts
    assert axe_violations(page) == []
    # when: they approve
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=note]", "Invoice and receipts read.")
    page.click("text=Confirm my decision")
    page.wait_for_url("**/staff/decisions/")
    # then
    assert "you gave the second approval" in page.inner_text(".messages")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED and approval.decided_by == supervisor
    assert Claim.objects.get(pk=approval.claim_id).status == ClaimStatus.APPROVED
    assert not ApprovalRequest.objects.filter(status=RequestStatus.PENDING).exists()


def test_a_failed_payouts_payee_is_corrected_and_the_payout_resent(page, agent, supervisor):
    # given: the bank refused the payout (account closed)
    payout = areas.failed_payout()
    key = payout.idempotency_key
    # when: the agent finds it in Money and asks for the customer's new details
    staff_login(page, "agent")
    page.click("nav .staff-nav >> text=Money")
    page.wait_for_url("**/staff/money/")
    assert "Account closed" in page.inner_text("main")
    assert axe_violations(page) == []
    page.click(f"text=Repair {key}…")
    page.wait_for_url(re.compile(rf"/staff/money/payouts/{payout.pk}/$"))
    assert axe_violations(page) == []
    page.click("text=Correct the payee…")
    page.fill("#id_holder_name", "Jo Doe")
    page.fill("#id_routing_number", "021000021")
    page.fill("#id_account_number", "55556666777")
    page.fill("#id_reason", "The customer called: the old account is closed.")
    assert axe_violations(page) == []
    page.click("text=Ask for this change")
    page.wait_for_url(re.compile(rf"/staff/money/payouts/{payout.pk}/$"))
    assert "takes effect only when another member of staff approves it" in page.inner_text(
        ".messages"
    )
    # and a supervisor approves the change, then resends the payout
    _sign_out(page)
    _supervisor_signs_in(page, supervisor)
    page.goto("/staff/money/")
    page.click("text=Approve or reject the change for")
    assert "••••6777" in page.inner_text("dl.facts")
    assert axe_violations(page) == []
    page.check("input[name=decision][value=approve]")
    page.click("text=Confirm my decision")
    # approving lands on the payout waiting for the new details: resending is the next step
    page.wait_for_url(re.compile(rf"/staff/money/payouts/{payout.pk}/$"))
    assert "••••6777" in page.inner_text("dl.facts")
    page.fill("#id_resend_reason", "Payee corrected; the customer confirmed by phone.")
    with page.expect_navigation():
        page.click('button:has-text("Resend the payout")')
    page.wait_for_url(re.compile(rf"/staff/money/payouts/{payout.pk}/$"))
    # then
    assert "queued again" in page.inner_text(".messages")
    payout.refresh_from_db()
    assert payout.status == "pending" and payout.idempotency_key == key
    assert PayeeChange.objects.get().status == PayeeChangeStatus.APPROVED


def test_supervisor_decides_a_sellers_recovery_appeal(page, supervisor):
    # given: a step-in's recovery that the seller appealed
    recovery = areas.appealed_recovery(supervisor)
    _supervisor_signs_in(page, supervisor)
    # when
    page.click("nav .staff-nav >> text=Sellers")
    page.wait_for_url("**/staff/sellers/")
    assert recovery.claim.reference in page.inner_text("main")
    assert axe_violations(page) == []
    page.click(f"text=Decide the appeal of {recovery.seller.legal_name}…")
    page.wait_for_url(re.compile(rf"/staff/sellers/recoveries/{recovery.pk}/$"))
    assert "against the manual" in page.inner_text("dl.facts")
    assert axe_violations(page) == []
    # a decision without the explanation is refused, the choice kept
    page.check("input[name=outcome][value=uphold]")
    with page.expect_navigation():
        page.click("text=Confirm the decision")
    assert "This field is required" in page.inner_text("form.move-form")
    assert page.is_checked("input[name=outcome][value=uphold]")
    page.fill("textarea[name=note]", "The manual allows outdoor use: the recovery is waived.")
    with page.expect_navigation():
        page.click("text=Confirm the decision")
    # then
    assert "Waived on appeal" in page.inner_text(".messages")
    recovery.refresh_from_db()
    assert recovery.status == RecoveryStatus.WAIVED


def test_every_new_staff_page_passes_axe_and_fits_a_phone(page, phone_page, supervisor):
    # given: work waiting in every area
    approval = areas.approval_waiting()
    sample = areas.qa_sample()
    payout = areas.failed_payout()
    change = areas.payee_change_waiting(by=areas.second_supervisor())
    recovery = areas.appealed_recovery(supervisor)
    disputed = areas.disputed_claim()
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    from claims.actors import Actor
    from fraud.services import watchlist_add

    watchlist_add(
        kind="email", value="mule@example.test", reason="Confirmed", actor=Actor.staff(supervisor)
    )
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    pages = [
        "/staff/decisions/",
        f"/staff/decisions/approvals/{approval.pk}/",
        f"/staff/decisions/qa/{sample.pk}/",
        "/staff/money/",
        "/staff/money/reconciliation/?run=1",
        f"/staff/money/payouts/{payout.pk}/",
        f"/staff/money/customers/{payout.claim.customer_id}/payee/",
        f"/staff/money/payee-changes/{change.pk}/",
        "/staff/sellers/",
        f"/staff/sellers/recoveries/{recovery.pk}/",
        f"/staff/claims/{disputed.pk}/seller-link/",
        f"/staff/claims/{disputed.pk}/move/escalated/",
        f"/staff/claims/{held.pk}/move/refer/",
        "/staff/fraud/",
        # the lists with their filters open (a value chosen), and the watchlist's
        "/staff/decisions/?approvals-region=US&samples-sort=newest",
        "/staff/money/?failed-region=US",
        "/staff/sellers/?appeals-region=US",
        "/staff/fraud/watchlist/?watched-kind=email",
    ]
    for browser_page in (page, phone_page):
        browser_page.goto("/staff/login/")
        assert axe_violations(browser_page) == []
        staff_login(browser_page, "supervisor", code=totp_now(device))
        for url in pages:
            browser_page.goto(url)
            assert browser_page.locator("h1").count() == 1, url
            assert axe_violations(browser_page) == [], url
            wide = browser_page.evaluate(
                "document.documentElement.scrollWidth > window.innerWidth + 1"
            )
            assert not wide, url
        # (one sign-in per device: the code is used once, so the phone waits for the next)
        device.refresh_from_db()
        device.last_t = -1
        device.save()
