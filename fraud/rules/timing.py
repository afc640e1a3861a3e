"""When and how much: dates against the order, amounts against the threshold, new accounts."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from claims.money import format_minor
from fraud.rules import Finding, rule


@rule(
    code="amount_under_threshold",
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
    currency = ctx.claim.currency
    return Finding(
        explanation=_("Claimed %(claimed)s, within %(band)d%% under the %(threshold)s threshold.")
        % {
            "claimed": format_minor(claimed, currency),
            "band": band,
            "threshold": format_minor(threshold, currency),
        },
        inputs={"claimed_minor": claimed, "threshold_minor": threshold, "band_percent": band},
    )


@rule(
    code="early_incident",
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
            explanation=_("Incident on %(incident)s, before the delivery on %(delivered)s.")
            % {"incident": date_format(incident), "delivered": date_format(delivered)},
            inputs={"incident_date": incident.isoformat(), "delivered_on": delivered.isoformat()},
        )
    placed = line.order.placed_at.date()
    after = (incident - placed).days
    if after > days:
        return None
    return Finding(
        explanation=_("Incident %(n)d days after the purchase on %(placed)s.")
        % {"n": after, "placed": date_format(placed)},
        inputs={
            "incident_date": incident.isoformat(),
            "placed_on": placed.isoformat(),
            "days_after_purchase": after,
        },
    )


@rule(
    code="new_account",
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
    return Finding(
        explanation=_("Customer account opened %(n)d days before the claim, on %(opened)s.")
        % {"n": age, "opened": date_format(opened)},
        inputs={"account_created_on": opened.isoformat(), "age_days": age},
    )
