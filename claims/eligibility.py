"""Eligibility rules for a new claim. Returns reasons; never writes."""

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from claims.lifecycle import SETTLED_STATUSES
from claims.models import Claim, LossKind
from claims.money import format_minor


class _Loss(Protocol):
    kind: str
    amount_minor: int


def open_claims() -> QuerySet[Claim]:
    """Claims that block a new claim on their order line: every claim not yet settled. A paid,
    withdrawn or closed claim does not (the constraint ``claim_one_open_per_order_line`` says
    the same in the database)."""
    return Claim.objects.exclude(status__in=SETTLED_STATUSES)


def claim_eligibility(
    *, order_line, incident_date: dt.date, losses: Sequence[_Loss], today: dt.date
) -> list[str]:
    """Every rule the claim fails, each as a sentence the customer can act on."""
    order = order_line.order
    region = order.region
    reasons: list[str] = []
    if not region.active:
        reasons.append(
            _("Claims in %(region)s are not open yet.") % {"region": region.display_name}
        )
    if order_line.delivered_on is None:
        reasons.append(_("This item has not been delivered yet, so a claim cannot be filed."))
    elif incident_date < order_line.delivered_on:
        reasons.append(_("The incident date is before the item was delivered."))
    if incident_date > today:
        reasons.append(_("The incident date is in the future."))
    elif (today - incident_date).days > region.filing_window_days:
        reasons.append(
            _("Claims must be filed within %(days)d days of the incident.")
            % {"days": region.filing_window_days}
        )
    if not losses:
        reasons.append(_("Add at least one loss with an amount."))
    for loss in losses:
        if loss.kind not in LossKind.values:
            reasons.append(_("Unknown kind of loss."))
        if loss.amount_minor <= 0:
            reasons.append(_("Every amount must be more than zero."))
    total = sum(loss.amount_minor for loss in losses)
    if total > region.max_claim_minor:
        reasons.append(
            _("The total claimed is more than the program's maximum of %(max)s.")
            % {"max": format_minor(region.max_claim_minor, region.currency)}
        )
    if open_claims().filter(order_line=order_line).exists():
        reasons.append(_("There is already an open claim for this item."))
    return reasons
