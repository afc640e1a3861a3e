"""Policy data the program cannot run without: the four launch regions and their calendars."""

from django.db import migrations

REGIONS = [
    # code, name, currency, time zone, holiday calendar, active
    ("US", "United States", "USD", "America/New_York", "US", True),
    ("CA", "Canada", "CAD", "America/Toronto", "CA", False),
    ("GB", "United Kingdom", "GBP", "Europe/London", "GB", False),
    ("EU", "European Union", "EUR", "Europe/Brussels", "ECB", False),
]


def seed(apps, schema_editor):
    import holidays as holidays_lib

    Region = apps.get_model("claims", "Region")
    Holiday = apps.get_model("claims", "Holiday")
    years = list(range(2025, 2031))
    for code, name, currency, zone, calendar, active in REGIONS:
        region, created = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "currency": currency, "time_zone": zone,
                "holiday_calendar": calendar, "active": active, "language": "en",
                # 1,000.00 in the region's currency; USD 1,000,000 maximum claim; insurance
                # required above 10,000.00 of monthly gross (DOMAIN.md, policy).
                "threshold_minor": 100_000, "max_claim_minor": 100_000_000,
                "insurance_required_gross_minor": 1_000_000,
            },
        )
        if not created:
            continue
        if calendar in holidays_lib.list_supported_financial():
            days = holidays_lib.financial_holidays(calendar, years=years)
        else:
            days = holidays_lib.country_holidays(calendar, years=years)
        Holiday.objects.bulk_create(
            Holiday(region=region, date=date, name=str(label)[:120])
            for date, label in sorted(days.items())
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
