"""Readable staff pages in Chromium: the queue's seller filter suggests sellers by name as the
agent types, and the dashboard's cards and charts fit and read at their size, on a desktop
and on a phone; axe finds nothing serious or critical."""

import re

import pytest

from claims.models import ClaimStatus
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import OrderLineFactory, ProductFactory, SellerFactory, claim_in, claim_new

pytestmark = pytest.mark.django_db(transaction=True)


def _claim_of(seller_name: str):
    seller = SellerFactory(legal_name=seller_name)
    line = OrderLineFactory(product=ProductFactory(seller=seller))
    return claim_new(order_line=line)


def test_agent_filters_the_queue_by_a_seller_chosen_from_suggestions(page, agent):
    # given: claims of two sellers
    acme = _claim_of("Acme Heaters Ltd")
    bolt = _claim_of("Bolt Electrics")
    staff_login(page, "agent")
    page.goto("/staff/")
    page.click("summary:has-text('Filters and sorting')")
    # when: the agent types part of the seller's name
    page.locator("#id_seller").press_sequentially("acme", delay=30)
    # then: the box suggests the seller by name (and id)
    option = page.locator("#id_seller-suggestions option")
    option.first.wait_for(state="attached")
    label = option.first.get_attribute("value")
    assert label == f"Acme Heaters Ltd ({acme.seller.marketplace_id})"
    assert axe_violations(page) == []
    # when: they take the suggestion and apply the filters
    page.fill("#id_seller", label)
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"seller=Acme"))
    # then: only that seller's claims are listed, and the box keeps the choice
    rows = page.locator("table.queue tbody").inner_text()
    assert acme.reference in rows and bolt.reference not in rows
    assert page.input_value("#id_seller") == label
    assert axe_violations(page) == []


def test_an_unknown_seller_is_said_in_words(page, agent):
    _claim_of("Acme Heaters Ltd")
    staff_login(page, "agent")
    page.goto("/staff/?seller=Nobody")
    assert "No seller is called “Nobody”" in page.inner_text("[role=alert]")


DASHBOARD_CHECKS = """() => {
  const clipped = [];
  for (const el of document.querySelectorAll('.dash-grid .panel, .dash-grid .scroll')) {
    if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.className + ' ' +
      (el.getAttribute('aria-labelledby') || ''));
  }
  const sizes = [...document.querySelectorAll('.chart .bar-label, .chart .bar-value')]
    .map(el => parseFloat(getComputedStyle(el).fontSize));
  return {clipped, smallest: Math.min(...sizes), labels: sizes.length};
}"""


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_dashboard_cards_never_clip_and_chart_labels_read(request, supervisor, device):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sellers.services.recoveries import withholding_record
    from tests.sellers.test_recoveries import _escalated_and_approved
    from tests.site.test_second_factor import totp_now

    # given: paid and recovered money, claims in several states
    _claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-1"
    )
    claim_in(ClaimStatus.UNDER_REVIEW)
    claim_in(ClaimStatus.FRAUD_HOLD)
    page = request.getfixturevalue(device)
    otp = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(otp))
    # when
    page.goto("/staff/dashboard/")
    # then: no card or table scrolls sideways, and chart labels are page-sized text
    found = page.evaluate(DASHBOARD_CHECKS)
    assert found["clipped"] == []
    assert found["labels"] > 0 and found["smallest"] >= 12
    assert page.locator("section[aria-labelledby=h-money] th", has_text="Recovered").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    assert axe_violations(page) == []
