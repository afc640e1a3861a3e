"""The regulators' rules: what makes an incident reportable, and each regulator's clock.

The rules are data (``Regulator`` rows, staff-editable with history); this module only reads
them. One function decides whether an incident is reportable (``incident_reasons``), one
computes a clock (``deadline``); the sweeper, the pages and the tests all call these.

Seeded defaults (policy; staff may change them in the admin):

- **US CPSC**, Consumer Product Safety Act section 15(b) (15 U.S.C. 2064(b), 16 CFR part
  1115): report within 24 hours of obtaining reportable information.
- **Health Canada**, Canada Consumer Product Safety Act section 14: report an incident within
  2 days of becoming aware of it (14(2)), and a written report within 10 days (14(3)).
- **EU**, General Product Safety Regulation (EU) 2023/988 article 20: notify an accident
  through the Safety Business Gateway without undue delay (here: 2 days).
- **UK**, General Product Safety Regulations 2005 regulation 9: notify the enforcement
  authority forthwith, through the Product Safety Database (here: 2 days).
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from safety.models import (
    CARE_RANK,
    ChildHurt,
    ClockUnit,
    Hazard,
    IncidentFacts,
    MedicalCare,
    Regulator,
    ReportForm,
    hazard_list,
)

REGULATORS = [
    {
        "code": "cpsc",
        "name": "U.S. Consumer Product Safety Commission",
        "law": "Consumer Product Safety Act section 15(b) (15 U.S.C. 2064(b); 16 CFR part 1115)",
        "channel": "CPSC Section 15 Business Portal (SaferProducts.gov)",
        "report_form": ReportForm.CPSC,
        "regions": ["US"],
        "time_zone": "America/New_York",
        "report_within": 24,
        "report_unit": ClockUnit.HOURS,
        "written_report_days": None,
        "min_medical_care": MedicalCare.EMERGENCY,
        "child_min_medical_care": MedicalCare.DOCTOR,
        "child_under_5_only": False,
        "hazards_without_injury": "fire_smoke,electric_shock,poisoning",
        "cluster_claims": 3,
    },
    {
        "code": "health-canada",
        "name": "Health Canada",
        "law": "Canada Consumer Product Safety Act section 14 (S.C. 2010, c. 21)",
        "channel": "Health Canada consumer product incident report form",
        "report_form": ReportForm.HEALTH_CANADA,
        "regions": ["CA"],
        "time_zone": "America/Toronto",
        "report_within": 2,
        "report_unit": ClockUnit.DAYS,
        "written_report_days": 10,
        # An incident that resulted, or may reasonably have resulted, in death or serious
        # adverse effects on health: from a doctor's care.
        "min_medical_care": MedicalCare.DOCTOR,
        "child_min_medical_care": MedicalCare.FIRST_AID,
        "child_under_5_only": False,
        "hazards_without_injury": "fire_smoke,electric_shock,poisoning,choking",
        "cluster_claims": 3,
    },
    {
        "code": "eu-gpsr",
        "name": "European Commission (Safety Gate)",
        "law": "General Product Safety Regulation (EU) 2023/988, article 20",
        "channel": "Safety Business Gateway",
        "report_form": ReportForm.EU_GPSR,
        "regions": ["EU"],
        "time_zone": "Europe/Brussels",
        "report_within": 2,
        "report_unit": ClockUnit.DAYS,
        "written_report_days": None,
        # Article 20 concerns accidents that caused death or serious adverse effects on health.
        "min_medical_care": MedicalCare.EMERGENCY,
        "child_min_medical_care": MedicalCare.DOCTOR,
        "child_under_5_only": True,
        "hazards_without_injury": "",
        "cluster_claims": 3,
    },
    {
        "code": "uk-opss",
        "name": "UK Office for Product Safety and Standards",
        "law": "General Product Safety Regulations 2005 (SI 2005/1803), regulation 9",
        "channel": "OPSS Product Safety Database (business notification)",
        "report_form": ReportForm.UK,
        "regions": ["GB"],
        "time_zone": "Europe/London",
        "report_within": 2,
        "report_unit": ClockUnit.DAYS,
        "written_report_days": None,
        "min_medical_care": MedicalCare.EMERGENCY,
        "child_min_medical_care": MedicalCare.DOCTOR,
        "child_under_5_only": False,
        "hazards_without_injury": "fire_smoke,electric_shock,poisoning",
        "cluster_claims": 3,
    },
]


@transaction.atomic
def regulators_ensure() -> list[Regulator]:
    """Create the regulators that are missing; never overwrites what staff changed since.

    A regulator's region code may name a union ("EU"): it covers the union's member states.
    A regulator left with no region (the single EU row was retired for the member states)
    gets its regions again."""
    from django.db.models import Q

    from claims.models import Region
    from claims.policy import regions_ensure

    regions_ensure()
    created = []
    for values in REGULATORS:
        values = dict(values)
        codes = values.pop("regions")
        regulator, was_created = Regulator.objects.get_or_create(
            code=values.pop("code"), defaults=values
        )
        if was_created or not regulator.regions.exists():
            regulator.regions.set(Region.objects.filter(Q(code__in=codes) | Q(union__in=codes)))
        if was_created:
            created.append(regulator)
    return created


def regulators_after_migrate(sender, **kwargs) -> None:
    regulators_ensure()


# --- is an incident reportable? -----------------------------------------------------------------

RULE_LABELS = {
    "death": _("A death was reported"),
    "medical_care": _("Medical care at or above the regulator's level"),
    "child": _("A child was hurt and needed care"),
    "hazard": _("A hazard the regulator wants to hear about even without an injury"),
    "cluster": _("Several claims on the same product"),
    "recall": _("The product is on a recall list"),
}


def incident_reasons(*, facts: IncidentFacts, regulator: Regulator) -> list[str]:
    """The rule codes that make this incident reportable to ``regulator`` (empty: not)."""
    reasons = []
    care = CARE_RANK[facts.medical_care]
    if facts.death and regulator.death_reportable:
        reasons.append("death")
    if care >= CARE_RANK[regulator.min_medical_care]:
        reasons.append("medical_care")
    child = facts.child_hurt == ChildHurt.UNDER_5 or (
        facts.child_hurt == ChildHurt.UNDER_14 and not regulator.child_under_5_only
    )
    if child and care >= CARE_RANK[regulator.child_min_medical_care] and care > 0:
        reasons.append("child")
    if facts.hazard in hazard_list(regulator.hazards_without_injury):
        reasons.append("hazard")
    return reasons


def hazards_label(value: str) -> str:
    labels = dict(Hazard.choices)
    return ", ".join(str(labels.get(code, code)) for code in hazard_list(value))


# --- clocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    report_due: dt.datetime
    written_report_due: dt.datetime | None


def _add_days(moment: dt.datetime, days: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``days`` calendar days later on the regulator's wall clock (so 2 days across a
    daylight-saving change are 47 or 49 hours), as an aware UTC time. A wall time that does not
    exist on the later day (the spring gap) moves forward by the gap."""
    local = moment.astimezone(zone)
    later = dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time(), zone)
    # Round trip through UTC normalises a non-existent local time (fold=0 reads it as before
    # the change).
    return later.astimezone(dt.UTC)


def deadline(*, regulator: Regulator, aware_at: dt.datetime) -> Clock:
    """The report clock(s) from when the marketplace became aware."""
    zone = zoneinfo.ZoneInfo(regulator.time_zone)
    if regulator.report_unit == ClockUnit.HOURS:
        # Elapsed hours, added in UTC: adding to a zoned datetime would add wall-clock hours.
        due = aware_at.astimezone(dt.UTC) + dt.timedelta(hours=regulator.report_within)
    else:
        due = _add_days(aware_at, regulator.report_within, zone)
    written = (
        _add_days(aware_at, regulator.written_report_days, zone)
        if regulator.written_report_days
        else None
    )
    return Clock(report_due=due, written_report_due=written)
