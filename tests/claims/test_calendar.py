import datetime as dt
import zoneinfo

import pytest

from claims.calendar import add_business_days
from claims.models import Holiday, Region

pytestmark = pytest.mark.django_db
NY = zoneinfo.ZoneInfo("America/New_York")


def _at(y, m, d, h=10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=NY)


def test_weekend_is_skipped():
    us = Region.objects.get(code="US")
    # Friday 2026-03-06 + 1 business day = Monday 2026-03-09, end of day New York time.
    deadline = add_business_days(region=us, start=_at(2026, 3, 6), days=1)
    assert deadline.astimezone(NY) == dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=NY)
    assert deadline.tzinfo == dt.UTC


def test_region_holidays_are_skipped():
    us = Region.objects.get(code="US")
    # Thanksgiving 2026 is Thursday 26 November (seeded from the holidays package).
    assert Holiday.objects.filter(region=us, date=dt.date(2026, 11, 26)).exists()
    deadline = add_business_days(region=us, start=_at(2026, 11, 25), days=1)
    assert deadline.astimezone(NY).date() == dt.date(2026, 11, 27)


def test_staff_added_holiday_counts():
    us = Region.objects.get(code="US")
    Holiday.objects.create(region=us, date=dt.date(2026, 3, 10), name="Office closure")
    deadline = add_business_days(region=us, start=_at(2026, 3, 9), days=1)
    assert deadline.astimezone(NY).date() == dt.date(2026, 3, 11)


def test_daylight_saving_change_keeps_local_end_of_day():
    us = Region.objects.get(code="US")
    # Clocks go forward on Sunday 2026-03-08 in New York: EST (-5) before, EDT (-4) after.
    deadline = add_business_days(region=us, start=_at(2026, 3, 5), days=2)
    assert deadline.astimezone(NY) == dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=NY)
    assert deadline == dt.datetime(2026, 3, 10, 3, 59, 59, tzinfo=dt.UTC)


def test_start_in_another_zone_counts_in_the_region_zone():
    gb = Region.objects.get(code="GB")
    # 23:30 Friday in New York is already Saturday in London: the count starts from Saturday.
    start = dt.datetime(2026, 6, 5, 23, 30, tzinfo=NY)
    deadline = add_business_days(region=gb, start=start, days=1)
    assert deadline.astimezone(zoneinfo.ZoneInfo("Europe/London")).date() == dt.date(2026, 6, 8)


def test_gb_bank_holiday():
    gb = Region.objects.get(code="GB")
    # Christmas and Boxing Day 2026 fall on Friday and Saturday; 28 Dec is the substitute day.
    deadline = add_business_days(region=gb, start=_at(2026, 12, 24), days=1)
    assert deadline.astimezone(zoneinfo.ZoneInfo("Europe/London")).date() == dt.date(2026, 12, 29)


def test_the_eu_is_its_member_states_each_with_its_zone_and_holidays():
    # given: the member states, no single EU region
    assert not Region.objects.filter(code="EU").exists()
    states = {r.code: r for r in Region.objects.filter(union="EU")}
    assert {"DE", "FR", "IT", "ES", "NL", "IE"} <= set(states)
    zones = {code: r.time_zone for code, r in states.items()}
    assert zones["DE"] == "Europe/Berlin" and zones["IE"] == "Europe/Dublin"
    # sharing the currency and the EU thresholds (EUR 1,000; insurance above EUR 10,000)
    assert {
        (r.currency, r.threshold_minor, r.insurance_required_gross_minor) for r in states.values()
    } == {("EUR", 100_000, 1_000_000)}
    # when / then: each counts its own public holidays (from the holidays package)
    # 12 October is Spain's national day, not France's.
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    spain = add_business_days(
        region=states["ES"], start=dt.datetime(2026, 10, 9, 10, tzinfo=dt.UTC), days=1
    )
    assert spain.astimezone(madrid).date() == dt.date(2026, 10, 13)
    france = add_business_days(
        region=states["FR"], start=dt.datetime(2026, 10, 9, 10, tzinfo=dt.UTC), days=1
    )
    assert france.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date() == dt.date(2026, 10, 12)
    # 1 May: a public holiday in Germany, not in the Netherlands
    berlin = add_business_days(
        region=states["DE"], start=dt.datetime(2026, 4, 30, 10, tzinfo=dt.UTC), days=1
    )
    assert berlin.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date() == dt.date(2026, 5, 4)
    dutch = add_business_days(
        region=states["NL"], start=dt.datetime(2026, 4, 30, 10, tzinfo=dt.UTC), days=1
    )
    assert dutch.astimezone(zoneinfo.ZoneInfo("Europe/Amsterdam")).date() == dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("code", "zone", "start", "end_local", "end_utc"),
    [
        # Clocks go back on Sunday 25 October 2026 in the EU: CEST (+2) before, CET (+1) after.
        ("DE", "Europe/Berlin", (2026, 10, 22), (2026, 10, 26), (2026, 10, 26, 22, 59, 59)),
        ("IE", "Europe/Dublin", (2026, 10, 22), (2026, 10, 27), (2026, 10, 27, 23, 59, 59)),
        # and forward on Sunday 29 March 2026 (CET +1 to CEST +2).
        ("FR", "Europe/Paris", (2026, 3, 26), (2026, 3, 30), (2026, 3, 30, 21, 59, 59)),
        # Canada: back on Sunday 1 November 2026 in Toronto (EDT -4 to EST -5).
        ("CA", "America/Toronto", (2026, 10, 29), (2026, 11, 2), (2026, 11, 3, 4, 59, 59)),
        # The UK: back on Sunday 25 October 2026 (BST +1 to GMT).
        ("GB", "Europe/London", (2026, 10, 22), (2026, 10, 26), (2026, 10, 26, 23, 59, 59)),
    ],
)
def test_deadlines_across_a_daylight_saving_change_end_at_local_midnight(
    code, zone, start, end_local, end_utc
):
    region = Region.objects.get(code=code)
    tz = zoneinfo.ZoneInfo(zone)
    # (Monday 26 October 2026 is the October bank holiday in Ireland: one more day there.)
    days = 2
    deadline = add_business_days(region=region, start=dt.datetime(*start, 10, tzinfo=tz), days=days)
    assert deadline.astimezone(tz) == dt.datetime(*end_local, 23, 59, 59, tzinfo=tz)
    assert deadline == dt.datetime(*end_utc, tzinfo=dt.UTC)


def test_quebec_customers_count_quebec_holidays_and_others_do_not():
    from claims.calendar import claim_add_business_days
    from tests.factories import claim_new, line_in_region

    # given: two Canadian claims, one from Montréal and one from Toronto
    canada = Region.objects.get(code="CA")
    assert Holiday.objects.filter(
        region=canada, subdivision="QC", date=dt.date(2026, 6, 24)
    ).exists()
    quebec = claim_new(order_line=line_in_region("CA", subdivision="QC"))
    ontario = claim_new(order_line=line_in_region("CA", subdivision="ON"))
    toronto = zoneinfo.ZoneInfo("America/Toronto")
    start = dt.datetime(2026, 6, 23, 10, tzinfo=toronto)  # Tuesday; 24 June is Fête nationale
    # when
    for_quebec = claim_add_business_days(claim=quebec, start=start, days=1)
    for_ontario = claim_add_business_days(claim=ontario, start=start, days=1)
    # then
    assert for_quebec.astimezone(toronto).date() == dt.date(2026, 6, 25)
    assert for_ontario.astimezone(toronto).date() == dt.date(2026, 6, 24)


def test_canada_and_the_uk_carry_their_own_currency_and_thresholds():
    # DOMAIN.md: CAD and GBP 1,000 paid by the marketplace; Canadian sellers need insurance
    # above CAD 10,000 a month. Quebec keeps its own holidays; Canada speaks English by default.
    canada, uk = Region.objects.get(code="CA"), Region.objects.get(code="GB")
    assert (canada.currency, canada.threshold_minor, canada.insurance_required_gross_minor) == (
        "CAD",
        100_000,
        1_000_000,
    )
    assert (uk.currency, uk.threshold_minor, uk.time_zone) == ("GBP", 100_000, "Europe/London")
    assert canada.holiday_subdivisions == "QC" and canada.time_zone == "America/Toronto"
