"""When and how much: dates against the order, amounts against the threshold, new accounts."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from claims.money import format_minor
from fraud.rules import Finding, explains, rule


@rule(
    code="amount_under_threshold",
    label=gettext_lazy("Amount just under the threshold"),
    description=gettext_noop("Claimed amount just under the threshold the marketplace pays itself"),
    weight=15,
    params={"band_percent": 10},
)
def amount_under_threshold(ctx, params: dict) -> Finding | None:
    band = int(params.get("band_percent", 10))
    threshold = ctx.claim.region.threshold_minor
    claimed = ctx.claim.claimed_total_minor
    if not threshold * (100 - band) / 100 <= claimed <= threshold:
        return None
    return Finding(
        inputs={
            "claimed_minor": claimed,
            "threshold_minor": threshold,
            "band_percent": band,
            "currency": ctx.claim.currency,
        },
    )


@explains("amount_under_threshold")
def amount_under_threshold_explain(inputs: dict) -> str:
    currency = inputs["currency"]
    return _("Claimed %(claimed)s, within %(band)d%% under the %(threshold)s threshold.") % {
        "claimed": format_minor(inputs["claimed_minor"], currency),
        "band": inputs["band_percent"],
        "threshold": format_minor(inputs["threshold_minor"], currency),
    }


@rule(
    code="early_incident",
    label=gettext_lazy("Incident soon after the purchase"),
    description=gettext_noop("Incident soon after the purchase, or dated before the delivery"),
    weight=15,
    params={"days_after_purchase": 3},
)
def early_incident(ctx, params: dict) -> Finding | None:
    days = int(params.get("days_after_purchase", 3))
    incident = ctx.claim.incident_date
    line = ctx.claim.order_line
    delivered = line.delivered_on
    if delivered is not None and incident < delivered:
        return Finding(
            inputs={"incident_date": incident.isoformat(), "delivered_on": delivered.isoformat()},
        )
    placed = line.order.placed_at.date()
    after = (incident - placed).days
    if after > days:
        return None
    return Finding(
        inputs={
            "incident_date": incident.isoformat(),
            "placed_on": placed.isoformat(),
            "days_after_purchase": after,
        },
    )


def _day(value: str) -> str:
    return date_format(dt.date.fromisoformat(value))


@explains("early_incident")
def early_incident_explain(inputs: dict) -> str:
    if "delivered_on" in inputs:
        return _("Incident on %(incident)s, before the delivery on %(delivered)s.") % {
            "incident": _day(inputs["incident_date"]),
            "delivered": _day(inputs["delivered_on"]),
        }
    n = inputs["days_after_purchase"]
    return ngettext(
        "Incident %(n)d day after the purchase on %(placed)s.",
        "Incident %(n)d days after the purchase on %(placed)s.",
        n,
    ) % {"n": n, "placed": _day(inputs["placed_on"])}


@rule(
    code="new_account",
    label=gettext_lazy("New customer account"),
    description=gettext_noop("Customer account opened shortly before the claim"),
    weight=10,
    params={"max_age_days": 30},
)
def new_account(ctx, params: dict) -> Finding | None:
    limit = int(params.get("max_age_days", 30))
    opened = ctx.claim.customer.account_created_on
    if opened is None:
        return None
    age = (ctx.claim.submitted_at.date() - opened).days
    if age > limit:
        return None
    return Finding(inputs={"account_created_on": opened.isoformat(), "age_days": age})


@explains("new_account")
def new_account_explain(inputs: dict) -> str:
    n = inputs["age_days"]
    return ngettext(
        "Customer account opened %(n)d day before the claim, on %(opened)s.",
        "Customer account opened %(n)d days before the claim, on %(opened)s.",
        n,
    ) % {"n": n, "opened": _day(inputs["account_created_on"])}
