"""Business days per region: weekends and the region's holiday table do not count.

A region is a country (the EU is its member states, each with its own calendar and zone); a
region may hold holidays of its own subdivisions too (Quebec's in Canada), which count only for
customers who live there.
"""

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from django.db.models import Q

from claims.models import Holiday, Region

if TYPE_CHECKING:
    from claims.models import Claim


def region_zone(region: Region) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(region.time_zone)


def add_business_days(
    *, region: Region, start: dt.datetime, days: int, subdivision: str = ""
) -> dt.datetime:
    """The end (23:59:59 local time) of the ``days``-th business day after ``start``.

    ``start`` is an aware datetime; the result is an aware UTC datetime. A start on a weekend
    or holiday counts from the next business day. Daylight-saving changes are handled by
    computing the deadline in local wall time and converting it once. ``subdivision`` (QC)
    adds that subdivision's own holidays to the region's.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    zone = region_zone(region)
    day = start.astimezone(zone).date()
    # A generous window of holidays: N business days never span more than 2N + 30 days.
    horizon = day + dt.timedelta(days=2 * days + 30)
    where = Q(subdivision="") | Q(subdivision=subdivision) if subdivision else Q(subdivision="")
    closed = set(
        Holiday.objects.filter(where, region=region, date__gt=day, date__lte=horizon).values_list(
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


def claim_subdivision(claim: "Claim") -> str:
    """The subdivision whose holidays count for this claim: the customer's, when the region
    keeps holidays for it."""
    kept = region_subdivisions(claim.region)
    if not kept:  # most regions: no need to look at the customer
        return ""
    own = (claim.customer.subdivision or "").upper()
    return own if own in kept else ""


def claim_add_business_days(*, claim: "Claim", start: dt.datetime, days: int) -> dt.datetime:
    """A claim's deadline: its region's calendar and zone, with its customer's subdivision."""
    return add_business_days(
        region=claim.region, start=start, days=days, subdivision=claim_subdivision(claim)
    )


def region_subdivisions(region: Region) -> list[str]:
    return [p.strip().upper() for p in region.holiday_subdivisions.split(",") if p.strip()]


def holidays_seed(*, region: Region, years: list[int]) -> int:
    """Fill the region's holiday table from the `holidays` package, then each subdivision's own
    days (those the whole country does not have). Keeps staff edits."""
    import holidays as holidays_lib

    code = region.holiday_calendar
    if code in holidays_lib.list_supported_financial():
        calendar = holidays_lib.financial_holidays(code, years=years)
    else:
        calendar = holidays_lib.country_holidays(code, years=years)
    wanted = {("", date): str(name) for date, name in calendar.items()}
    for subdivision in region_subdivisions(region):
        local = holidays_lib.country_holidays(code, subdiv=subdivision, years=years)
        wanted.update({(subdivision, d): str(n) for d, n in local.items() if ("", d) not in wanted})
    existing = set(Holiday.objects.filter(region=region).values_list("subdivision", "date"))
    rows = [
        Holiday(region=region, subdivision=subdivision, date=date, name=name[:120])
        for (subdivision, date), name in sorted(wanted.items())
        if (subdivision, date) not in existing
    ]
    Holiday.objects.bulk_create(rows)
    return len(rows)
