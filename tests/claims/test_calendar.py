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


def test_gb_bank_holiday_and_eu_target_calendar():
    gb = Region.objects.get(code="GB")
    eu = Region.objects.get(code="EU")
    # Christmas and Boxing Day 2026 fall on Friday and Saturday; 28 Dec is the substitute day.
    deadline = add_business_days(region=gb, start=_at(2026, 12, 24), days=1)
    assert deadline.astimezone(zoneinfo.ZoneInfo("Europe/London")).date() == dt.date(2026, 12, 29)
    assert Holiday.objects.filter(region=eu, date=dt.date(2026, 5, 1)).exists()
