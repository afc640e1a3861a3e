"""Reference data the program cannot run without: the launch regions and their calendars.

Created when missing after every ``migrate`` (and after a test flush); never overwrites what
staff have edited since.
"""

from django.db import transaction

from claims.calendar import holidays_seed
from claims.models import Region

LAUNCH_REGIONS = [
    # code, name, currency, time zone, holiday calendar, active
    ("US", "United States", "USD", "America/New_York", "US", True),
    ("CA", "Canada", "CAD", "America/Toronto", "CA", False),
    ("GB", "United Kingdom", "GBP", "Europe/London", "GB", False),
    ("EU", "European Union", "EUR", "Europe/Brussels", "ECB", False),
]
HOLIDAY_YEARS = list(range(2025, 2031))


@transaction.atomic
def regions_ensure() -> list[Region]:
    created = []
    for code, name, currency, zone, calendar, active in LAUNCH_REGIONS:
        region, was_created = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "currency": currency,
                "time_zone": zone,
                "holiday_calendar": calendar,
                "active": active,
                "language": "en",
                # 1,000.00 in the region's currency is the concession threshold; 1,000,000.00
                # the maximum claim; insurance is required above 10,000.00 of monthly gross.
                "threshold_minor": 100_000,
                "max_claim_minor": 100_000_000,
                "insurance_required_gross_minor": 1_000_000,
            },
        )
        if was_created:
            holidays_seed(region=region, years=HOLIDAY_YEARS)
            created.append(region)
    return created
