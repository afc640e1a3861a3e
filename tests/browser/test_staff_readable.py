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


WORDS_SPLIT = """() => {
  // A word broken across lines has more than one box: headers must wrap between words.
  const split = [];
  for (const th of document.querySelectorAll('.dash-grid table.data th')) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""

DASHBOARD_CHECKS = """() => {
  const clipped = [];
  // A card never clips; a table wider than its card scrolls inside its labelled region.
  for (const el of document.querySelectorAll('.dash-grid .panel')) {
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
    # then: no card scrolls sideways, headers read as words, chart labels are page-sized text
    found = page.evaluate(DASHBOARD_CHECKS)
    assert page.evaluate(WORDS_SPLIT) == []
    assert found["clipped"] == []
    assert found["labels"] > 0 and found["smallest"] >= 12
    assert page.locator("section[aria-labelledby=h-money] th", has_text="Recovered").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    assert axe_violations(page) == []


def test_dashboard_of_every_region_keeps_words_whole_on_a_phone(phone_page, supervisor):
    """Issue: with claims in all nine regions the status × region table squeezed its headers
    letter by letter on a 360 px phone ("S/u/b/m/i/t/t/e/d", "T/o/t/a/l" cut off)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import line_in_region
    from tests.site.test_second_factor import totp_now

    # given: claims in each region, some needing information (the longest status label)
    for code in ("CA", "DE", "ES", "FR", "GB", "IE", "IT", "NL", "US"):
        claim_in(ClaimStatus.NEEDS_INFO, order_line=line_in_region(code))
    phone_page.set_viewport_size({"width": 360, "height": 800})
    otp = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(phone_page, "supervisor", code=totp_now(otp))
    # when
    phone_page.goto("/staff/dashboard/")
    # then: every header reads as words, no card is wider than the screen, and the wide
    # table scrolls inside its own labelled region, which a keyboard can reach
    assert phone_page.evaluate(WORDS_SPLIT) == []
    found = phone_page.evaluate(DASHBOARD_CHECKS)
    assert found["clipped"] == []
    status = phone_page.locator("[role=region][aria-labelledby=h-status]")
    assert status.get_attribute("tabindex") == "0"
    overflow = phone_page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert overflow is False
    assert axe_violations(phone_page) == []
