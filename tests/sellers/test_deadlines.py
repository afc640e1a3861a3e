"""The seller's deadline, set when a claim reaches them: region business days, local end of
day, stored in UTC, across weekends, holidays, time zones and daylight-saving changes."""

import datetime as dt
import zoneinfo

import pytest

from claims.actors import Actor
from claims.lifecycle import Via
from claims.models import ClaimStatus, Region
from claims.services import claim_transition
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, SellerFactory, claim_in

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def _reach_seller(claim, at: dt.datetime):
    return claim_transition(
        claim=claim,
        to=ClaimStatus.AWAITING_SELLER,
        actor=Actor.system("screening"),
        now=at,
        via=Via.FRAUD,
    )


@pytest.mark.parametrize(
    ("reached", "deadline"),
    [
        # Monday + 5 business days = next Monday (a weekend in between).
        (dt.datetime(2026, 3, 2, 9, tzinfo=NY), dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=NY)),
        # Over Thanksgiving (Thu 26 Nov 2026): Tue 24 -> Wed, Fri, Mon, Tue, Wed 2 Dec.
        (dt.datetime(2026, 11, 24, 9, tzinfo=NY), dt.datetime(2026, 12, 2, 23, 59, 59, tzinfo=NY)),
        # Across the end of daylight saving (Sun 1 Nov 2026): EDT -4 before, EST -5 after.
        (dt.datetime(2026, 10, 28, 9, tzinfo=NY), dt.datetime(2026, 11, 4, 23, 59, 59, tzinfo=NY)),
        # Reached late on Friday night in New York: still Friday there, so Monday counts first.
        (
            dt.datetime(2026, 6, 5, 23, 30, tzinfo=NY),
            dt.datetime(2026, 6, 12, 23, 59, 59, tzinfo=NY),
        ),
    ],
)
def test_deadline_us_business_days(reached, deadline):
    claim = claim_in(ClaimStatus.SCREENING)
    claim = _reach_seller(claim, reached)
    assert claim.seller_respond_by == deadline.astimezone(dt.UTC)
    assert claim.seller_respond_by.utcoffset() == dt.timedelta(0)


def test_deadline_in_the_uk_across_its_own_dst_change_and_zone():
    # given: an active UK region (its clocks go back on Sun 25 Oct 2026)
    gb = Region.objects.get(code="GB")
    gb.active = True
    gb.save()
    seller = SellerFactory(region=gb, currency="GBP")
    line = OrderLineFactory(
        order=OrderFactory(region=gb, currency="GBP"),
        product=ProductFactory(seller=seller),
        currency="GBP",
    )
    claim = claim_in(ClaimStatus.SCREENING, order_line=line)
    # when: it reaches the seller at 21:00 Friday New York time, already Saturday in London
    claim = _reach_seller(claim, dt.datetime(2026, 10, 23, 21, tzinfo=NY))
    # then: five UK business days from Saturday 24 Oct: Mon 26 .. Fri 30 Oct, 23:59:59 GMT
    expected = dt.datetime(2026, 10, 30, 23, 59, 59, tzinfo=LONDON)
    assert claim.seller_respond_by == expected.astimezone(dt.UTC)
    assert claim.seller_respond_by.astimezone(dt.UTC).hour == 23  # GMT again after the change
