"""Staff in Chromium: an agent with a customer on the phone finds the claim by the customer's
e-mail, assigns it to themself and requests information; the search results and the
notifications pages pass axe, on a desktop and on a phone."""

import re

import pytest

from backoffice.models import Notification
from backoffice.services import claim_reassign
from claims.models import Claim, ClaimStatus
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import CustomerFactory, OrderLineFactory, claim_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_finds_a_claim_by_email_takes_it_and_requests_information(page, agent):
    # given: the caller's claim, and a claim of someone else
    customer = CustomerFactory(name="Marisol Ventura", email="marisol.ventura@example.test")
    claim = claim_in(
        ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer)
    )
    other = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.goto("/staff/")
    # when: the agent types the caller's e-mail in the header's search box
    page.fill("input[name=q]", "Marisol.Ventura@example.test")
    page.press("input[name=q]", "Enter")
    # then: one claim matches, so its workspace opens
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert "Unassigned" in page.inner_text(".holder")
    assert other.reference not in page.content()
    # when: assign it to themself
    page.click("button:has-text('Assign to me')")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert f"Claim {claim.reference} is yours now." in page.inner_text(".messages")
    assert "Held by agent" in page.inner_text(".holder")
    assert Claim.objects.get(pk=claim.pk).assignee == agent
    # and request information
    page.click("text=Ask the customer for information…")
    page.fill("textarea[name=reason]", "Please send a photo of the label.")
    page.click("text=Confirm: Ask the customer for information")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO and claim.assignee == agent


def test_search_results_page_has_no_serious_accessibility_violations(page, phone_page, agent):
    # given: two claims of one customer (two results: the results page, not a claim)
    customer = CustomerFactory(name="Tomasz Wielgosz")
    for _ in range(2):
        claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer))
    for view in (page, phone_page):
        staff_login(view, "agent")
        # when
        view.goto("/staff/search/?q=wielgosz")
        # then
        assert "2 claims" in view.inner_text(".page-info")
        assert "Claims matching “wielgosz”" in view.inner_text("h1")
        assert axe_violations(view) == []
    # no horizontal scroll on a phone
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_notifications_page_leads_to_the_claim_and_reads_it(page, phone_page, agent, supervisor):
    # given: a supervisor assigned the agent a claim
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    claim_reassign(claim=claim, assignee=agent, actor_user=supervisor, reason="Workload")
    staff_login(phone_page, "agent")
    phone_page.goto("/staff/notifications/")
    assert axe_violations(phone_page) == []
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    staff_login(page, "agent")
    page.goto("/staff/")
    # when: the header says one unread; the agent follows it to the claim
    assert page.inner_text(".staff-notifications .count").startswith("1")
    page.click(".staff-notifications")
    page.wait_for_url(re.compile(r"/staff/notifications/$"))
    assert axe_violations(page) == []
    page.click(f"text=Claim {claim.reference} was assigned to you.")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    # then: read, and the header has no count
    assert page.locator(".staff-notifications .count").count() == 0
    assert not Notification.objects.filter(recipient=agent, read_at=None).exists()
