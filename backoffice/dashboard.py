"""The supervisor dashboard's figures: a fixed handful of aggregate queries, no per-row work."""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Extract, TruncDate
from django.utils import timezone
from django.utils.formats import date_format

from backoffice.models import SlaClock
from backoffice.services import OPEN_STATUSES
from backoffice.sla import CLOCKS, clock_breached_q
from claims import roles
from claims.lifecycle import DECIDED_STATUSES
from claims.models import Claim, ClaimEvent, ClaimStatus, EventKind, Funding, RiskLevel
from claims.money import format_minor
from claims.regions import region_name
from safety.models import LIVE_STATUSES, SafetyAlert

DECISIONS = DECIDED_STATUSES


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class Bar:
    label: str
    value: int
    length: int  # of the bar, out of BAR_SCALE for the largest value


BAR_SCALE = 100


def bars(rows: list[tuple[str, int]]) -> list[Bar]:
    """A bar chart's rows: labels and values are page text (templates/backoffice/_bars.html),
    only the bar is drawn, so nothing shrinks with the chart."""
    top = max((v for _label, v in rows), default=0) or 1
    return [Bar(label=str(label), value=v, length=round(BAR_SCALE * v / top)) for label, v in rows]


def _median_days(since: dt.datetime, claims: QuerySet[Claim]) -> float | None:
    decided = ClaimEvent.objects.filter(
        claim__in=claims, kind=EventKind.STATUS, to_status__in=DECISIONS, created_at__gte=since
    ).annotate(took=F("created_at") - F("claim__submitted_at"))
    if connection.vendor == "postgresql":
        seconds = decided.aggregate(m=Median(Extract("took", "epoch")))["m"]
        return None if seconds is None else round(seconds / 86400, 1)
    values = [d.total_seconds() for d in decided.values_list("took", flat=True)]
    return round(statistics.median(values) / 86400, 1) if values else None


def dashboard_figures(
    *, now: dt.datetime | None = None, claims: QuerySet[Claim] | None = None
) -> dict:
    """The figures of ``claims`` (the viewer's scope, ``claims.scope.claims_visible_to``;
    every claim when not given)."""
    now = now or timezone.now()
    claims = Claim.objects.all() if claims is None else claims
    since = now - dt.timedelta(days=90)
    status_region = list(
        claims.values("status", "region__code", "region__name").annotate(n=Count("id")).order_by()
    )
    # Columns as narrow as their code, each naming its region the reader's way.
    names = {r["region__code"]: r["region__name"] for r in status_region}
    regions = sorted(names)
    table = {s: dict.fromkeys(regions, 0) for s in ClaimStatus.values}
    for row in status_region:
        table[row["status"]][row["region__code"]] = row["n"]
    by_status = [
        (ClaimStatus(s).label, sum(table[s].values()), [table[s][r] for r in regions])
        for s in ClaimStatus.values
    ]
    intake = list(
        claims.filter(submitted_at__gte=now - dt.timedelta(days=30))
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    sla_counts = {}
    for clock, (_field, states) in CLOCKS.items():
        sla_counts[f"{clock}_running"] = Count(
            "id", filter=Q(status__in=states, **{f"{_field}__isnull": False})
        )
        sla_counts[f"{clock}_breached"] = Count("id", filter=clock_breached_q(clock, now))
    sla_counts["fraud_hold"] = Count("id", filter=Q(status=ClaimStatus.FRAUD_HOLD))
    for level in RiskLevel.values:
        sla_counts[f"hold_{level or 'none'}"] = Count(
            "id", filter=Q(status=ClaimStatus.FRAUD_HOLD, risk_level=level)
        )
    counts = claims.aggregate(**sla_counts)
    sla = []
    for clock in CLOCKS:
        running, breached = counts[f"{clock}_running"], counts[f"{clock}_breached"]
        compliance = round(100 * (running - breached) / running, 1) if running else None
        sla.append((SlaClock(clock).label, running, breached, compliance))
    # Money that moved: payouts the provider confirmed, and what was withheld from sellers.
    from payouts.models import Payout, PayoutStatus
    from sellers.models import Withholding

    paid = {
        row["currency"]: row
        for row in Payout.objects.filter(status=PayoutStatus.PAID, claim__in=claims)
        .values("currency")
        .annotate(
            paid=Sum("amount_minor"),
            step_in=Sum("amount_minor", filter=Q(claim__funding=Funding.STEP_IN)),
            n=Count("id"),
        )
    }
    recovered = dict(
        Withholding.objects.filter(recovery__claim__in=claims)
        .values("currency")
        .annotate(total=Sum("amount_minor"))
        .values_list("currency", "total")
    )
    money = [
        {
            "currency": currency,
            "claims": paid.get(currency, {}).get("n", 0),
            "paid": format_minor(paid.get(currency, {}).get("paid") or 0, currency),
            "step_in": format_minor(paid.get(currency, {}).get("step_in") or 0, currency),
            "recovered": format_minor(recovered.get(currency) or 0, currency),
        }
        for currency in sorted(set(paid) | set(recovered))
    ]
    workload = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.ANALYST])
        .annotate(
            open_claims=Count(
                "assigned_claims",
                filter=Q(assigned_claims__status__in=OPEN_STATUSES, assigned_claims__in=claims),
                distinct=True,
            ),
            breached=Count(
                "assigned_claims",
                filter=Q(assigned_claims__in=claims.filter(_any_breach(now))),
                distinct=True,
            ),
        )
        .select_related("staff_profile")
        .order_by("username")
        .distinct()
    )
    holds = [
        (RiskLevel(level).label, counts[f"hold_{level or 'none'}"]) for level in RiskLevel.values
    ]
    return {
        "regions": [(code, region_name(code, names[code])) for code in regions],
        "by_status": by_status,
        "status_bars": bars([(label, total) for label, total, _r in by_status]),
        "intake": intake,
        "intake_bars": bars(
            [(date_format(row["day"], "MONTH_DAY_FORMAT"), row["n"]) for row in intake]
        ),
        "sla": sla,
        "median_days": _median_days(since, claims),
        "money": money,
        "workload": workload,
        "workload_bars": bars([(u.get_username(), u.open_claims) for u in workload]),
        "fraud_hold": counts["fraud_hold"],
        "holds": holds,
        "open_alerts": SafetyAlert.objects.filter(status__in=LIVE_STATUSES).count(),
    }


def _any_breach(now: dt.datetime) -> Q:
    query = Q()
    for clock in CLOCKS:
        query |= clock_breached_q(clock, now)
    return query
