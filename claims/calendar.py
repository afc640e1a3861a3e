"""Business days per region: weekends and the region's holiday table do not count."""

import datetime as dt
import zoneinfo

from claims.models import Holiday, Region


def region_zone(region: Region) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(region.time_zone)


def add_business_days(*, region: Region, start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the ``days``-th business day after ``start``.

    ``start`` is an aware datetime; the result is an aware UTC datetime. A start on a weekend
    or holiday counts from the next business day. Daylight-saving changes are handled by
    computing the deadline in local wall time and converting it once.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    zone = region_zone(region)
    day = start.astimezone(zone).date()
    # A generous window of holidays: N business days never span more than 2N + 30 days.
    horizon = day + dt.timedelta(days=2 * days + 30)
    closed = set(
        Holiday.objects.filter(region=region, date__gt=day, date__lte=horizon).values_list(
            "date", flat=True
        )
    )
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            counted += 1
    local_end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)
    return local_end.astimezone(dt.UTC)


def holidays_seed(*, region: Region, years: list[int]) -> int:
    """Fill the region's holiday table from the `holidays` package. Keeps staff edits."""
    import holidays as holidays_lib

    code = region.holiday_calendar
    if code in holidays_lib.list_supported_financial():
        calendar = holidays_lib.financial_holidays(code, years=years)
    else:
        calendar = holidays_lib.country_holidays(code, years=years)
    existing = set(Holiday.objects.filter(region=region).values_list("date", flat=True))
    rows = [
        Holiday(region=region, date=date, name=str(name)[:120])
        for date, name in sorted(calendar.items())
        if date not in existing
    ]
    Holiday.objects.bulk_create(rows)
    return len(rows)
