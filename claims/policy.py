"""Reference data the program cannot run without: the launch regions and their calendars.

Created when missing after every ``migrate`` (and after a test flush); never overwrites what
staff have edited since.
"""

from django.db import transaction

from claims.calendar import holidays_seed
from claims.models import Region

LAUNCH_REGIONS = [
    # code, name, currency, time zone, holiday calendar, subdivisions, language, union, active.
    # The EU is its member states: each has its own zone and public holidays, and shares EUR,
    # the EU thresholds and the producer chain (a reseller names the producer's insurer).
    ("US", "United States", "USD", "America/New_York", "US", "", "en", "", True),
    ("CA", "Canada", "CAD", "America/Toronto", "CA", "QC", "en", "", False),
    ("GB", "United Kingdom", "GBP", "Europe/London", "GB", "", "en", "", False),
    ("DE", "Germany", "EUR", "Europe/Berlin", "DE", "", "de", "EU", False),
    ("FR", "France", "EUR", "Europe/Paris", "FR", "", "fr", "EU", False),
    ("IT", "Italy", "EUR", "Europe/Rome", "IT", "", "en", "EU", False),
    ("ES", "Spain", "EUR", "Europe/Madrid", "ES", "", "es", "EU", False),
    ("NL", "Netherlands", "EUR", "Europe/Amsterdam", "NL", "", "en", "EU", False),
    ("IE", "Ireland", "EUR", "Europe/Dublin", "IE", "", "en", "EU", False),
]
HOLIDAY_YEARS = list(range(2025, 2031))


@transaction.atomic
def regions_ensure() -> list[Region]:
    created = []
    for (
        code,
        name,
        currency,
        zone,
        calendar,
        subdivisions,
        language,
        union,
        active,
    ) in LAUNCH_REGIONS:
        region, was_created = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "currency": currency,
                "time_zone": zone,
                "holiday_calendar": calendar,
                "holiday_subdivisions": subdivisions,
                "union": union,
                "active": active,
                "language": language,
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
