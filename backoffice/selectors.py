"""Reads of the back office: scoped per user, related rows loaded up front, no COUNT(*).

The queue pages with a keyset ("seek") cursor: ``WHERE (sort, id) < (last sort, last id)
ORDER BY sort, id LIMIT size + 1``. The extra row says whether there is a next page, so no page
ever counts the table, and page 10,000 costs what page 1 costs.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backoffice.models import ClaimTag, SavedView
from claims.models import Claim, ClaimEvent, Evidence, LossItem
from fraud.models import FraudReview
from sellers.models import InsuranceCertificate

# sort key -> (field, descending). Every sort field is NOT NULL and indexed with id.
SORTS = {
    "newest": ("submitted_at", True),
    "oldest": ("submitted_at", False),
    "amount": ("claimed_total_minor", True),
    "waiting": ("status_changed_at", False),
}
SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "amount": _("Largest amount first"),
    "waiting": _("Waiting longest in its state"),
}
PAGE_SIZES = (25, 50, 100)


class BadCursor(ValueError):
    pass


def claims_visible_to(user) -> QuerySet[Claim]:
    """Every claim list starts here: staff with a claims role see claims, nobody else does.

    (There is no per-region staff assignment yet; ``claims.view_all_claims`` gates the money
    figures of the dashboard.)
    """
    if not user.is_active or not user.has_perm("claims.view_claim"):
        return Claim.objects.none()
    return Claim.objects.all()


def queue_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    return queryset.select_related(
        "region", "customer", "seller", "order_line__product", "assignee"
    ).prefetch_related(
        Prefetch("tag_links", queryset=ClaimTag.objects.select_related("tag").order_by("tag__name"))
    )


def _cursor_value(field: str, raw: str):
    if field in ("submitted_at", "status_changed_at"):
        value = dt.datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise BadCursor(raw)
        return value
    return int(raw)


def cursor_encode(claim: Claim, sort: str) -> str:
    field, _desc = SORTS[sort]
    value = getattr(claim, field)
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    return f"{text}~{claim.pk}"


@dataclass
class Page:
    rows: list[Claim]
    next_cursor: str
    size: int


def queue_page(queryset: QuerySet[Claim], *, sort: str, after: str, size: int) -> Page:
    """One page of the queue after ``after`` (a cursor from the previous page, or empty)."""
    field, desc = SORTS[sort]
    if after:
        try:
            raw_value, raw_id = after.rsplit("~", 1)
            value, pk = _cursor_value(field, raw_value), int(raw_id)
        except (ValueError, TypeError) as exc:
            raise BadCursor(after) from exc
        op = "lt" if desc else "gt"
        queryset = queryset.filter(
            Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk})
        )
    order = [f"-{field}", "-pk"] if desc else [field, "pk"]
    rows = list(queue_rows(queryset).order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=cursor_encode(rows[-1], sort) if more else "", size=size)


def saved_views_for(user) -> list[SavedView]:
    return [v for v in SavedView.objects.all() if not v.permission or user.has_perm(v.permission)]


def claim_workspace(*, user, pk: int) -> Claim:
    """One claim with everything the workspace shows, in a fixed number of queries."""
    return (
        claims_visible_to(user)
        .select_related(
            "region",
            "customer",
            "seller",
            "order_line__order",
            "order_line__product",
            "assignee",
        )
        .prefetch_related(
            Prefetch("losses", queryset=LossItem.objects.order_by("id")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at")),
            Prefetch(
                "events",
                queryset=ClaimEvent.objects.select_related("actor").order_by("-created_at", "-id"),
            ),
            Prefetch(
                "fraud_reviews",
                queryset=FraudReview.objects.select_related("analyst").order_by("-created_at"),
            ),
            Prefetch(
                "seller__certificates",
                queryset=InsuranceCertificate.objects.order_by("-expiry_date"),
            ),
            Prefetch("tag_links", queryset=ClaimTag.objects.select_related("tag")),
            "sla_breaches",
        )
        .get(pk=pk)
    )
