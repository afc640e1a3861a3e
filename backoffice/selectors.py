"""Reads of the back office: scoped per user, related rows loaded up front, no COUNT(*).

The queue pages with a keyset ("seek") cursor: ``WHERE (sort, id) < (last sort, last id)
ORDER BY sort, id LIMIT size + 1``. The extra row says whether there is a next page, so no page
ever counts the table, and page 10,000 costs what page 1 costs.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from backoffice.models import ClaimTag, Notification, SavedView, SlaBreach
from claims import scope
from claims.evidence import Looker, Viewer, evidence_with_access
from claims.models import Claim, ClaimEvent, Evidence, LossItem, Region
from claims.regions import region_name
from fraud.models import FraudReview
from marketplace.models import OrderLine, Product
from payouts.models import Payout
from payouts.selectors import approval_pending_subquery
from sellers.models import InsuranceCertificate, Seller
from sellers.selectors import first_month_over_threshold

User = get_user_model()

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
    """Every claim list starts here: the need-to-know rule of ``claims.scope`` (staff with a
    claims role, the claims of their regions)."""
    return scope.claims_visible_to(user)


# What a queue row and its CSV export read of a claim (not the description, the incident or
# the audit timestamps). The pinned query counts in tests/backoffice/test_queue.py fail if a row
# ever reads a field left out here.
QUEUE_FIELDS = (
    "reference",
    "region",
    "order_line",
    "assignee",
    "currency",
    "claimed_total_minor",
    "approved_total_minor",
    "funding",
    "status",
    "status_changed_at",
    "submitted_at",
    "seller_respond_by",
    "customer_info_due",
    "decision_due",
    "risk_score",
    "risk_level",
)


def queue_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims of a queue page, with the names each row shows as plain attributes.

    A queue page is read in a fixed number of small queries, and builds one model instance per
    row, not six (an instance costs ~10 µs; at 50 rows the related ones cost more than the
    queries). PostgreSQL plans a join of the claim with all five related tables in about 8 ms
    at any table size (measured on the 1M benchmark database), several times the cost of
    running it; a join of three tables plans in a quarter of a millisecond. So the claim comes
    with its customer's and seller's names (``customer_name``, ``seller_name``) by join, and
    its product's title and assignee's user name (``product_title``, ``assignee_username``) as
    scalar subqueries by primary key: each is planned on its own, in a fraction of a join's
    planning, run for the page's rows only (after the LIMIT), and costs no round trip of its
    own. ``has_tags`` says whether ``queue_page`` needs to read any tags at all.
    """
    title = OrderLine.objects.filter(pk=OuterRef("order_line_id")).order_by()
    username = User.objects.filter(pk=OuterRef("assignee_id")).order_by()
    return queryset.only(*QUEUE_FIELDS).annotate(
        customer_name=F("customer__name"),
        seller_name=F("seller__legal_name"),
        product_title=Subquery(title.values("product__title")[:1]),
        assignee_username=Subquery(username.values(User.USERNAME_FIELD)[:1]),
        has_tags=Exists(ClaimTag.objects.filter(claim_id=OuterRef("pk"))),
    )


def _row_details(rows: list[Claim]) -> None:
    """The tags of the page's claims, in one query, and none when no claim has one."""
    tags: dict[int, list[str]] = {}
    tagged = [c.pk for c in rows if c.has_tags]
    if tagged:
        for claim_id, name in (
            ClaimTag.objects.filter(claim__in=tagged)
            .order_by("tag__name")
            .values_list("claim_id", "tag__name")
        ):
            tags.setdefault(claim_id, []).append(name)
    for claim in rows:
        claim.assignee_username = claim.assignee_username or ""
        claim.tag_names = tags.get(claim.pk, [])


# The fraud queue's order: highest risk first (unscored last), then oldest. It runs over the
# claims on fraud hold only (a small set, found through the status index), so its sort key may be
# an expression; the main queue's sorts are plain indexed columns.
FRAUD_SORTS = {"risk": ("risk_rank", True)}
SORT_EXPRESSIONS = {"risk_rank": Coalesce(F("risk_score"), Value(-1))}
# Sorts whose ties are broken oldest first (the others break ties in their own direction).
TIES_OLDEST_FIRST = {"risk"}


def _cursor_value(field: str, raw: str):
    if field in ("submitted_at", "status_changed_at"):
        return cursor_moment(raw)
    return int(raw)


def _sort_spec(sort: str) -> tuple[str, bool]:
    return SORTS.get(sort) or FRAUD_SORTS[sort]


@dataclass
class Page:
    """One keyset page: its rows, the cursor of the next page ("" on the last one) and whether
    it is a first page (no cursor was followed to it)."""

    rows: list
    next_cursor: str
    size: int
    first: bool = True

    @property
    def whole(self) -> int | None:
        """How many rows the whole view holds when this page is all of it (a first page with no
        next page), else None: what ``search.queue_total(whole_page=...)`` takes, so such a
        page's total costs no query."""
        return len(self.rows) if self.first and not self.next_cursor else None


def keyset(
    queryset: QuerySet,
    *,
    field: str,
    desc: bool,
    after: str,
    parse=None,
    tie_desc: bool | None = None,
) -> QuerySet:
    """The rows of ``queryset`` after the cursor ``after`` ("<sort value>~<id>", or empty), in
    the order (``field``, id): the seek of the one queue engine, for claims and for every list
    of the staff areas. ``parse`` reads the cursor's value (a time with its zone by default);
    a cursor it cannot read raises ``BadCursor``."""
    tie_desc = desc if tie_desc is None else tie_desc
    if after:
        try:
            raw_value, raw_id = after.rsplit("~", 1)
            value, pk = (parse or cursor_moment)(raw_value), int(raw_id)
        except (ValueError, TypeError) as exc:
            raise BadCursor(after) from exc
        if not 0 < pk < 2**63:  # beyond a bigint: a stale or forged link, not a database error
            raise BadCursor(after)
        op = "lt" if desc else "gt"
        tie_op = "lt" if tie_desc else "gt"
        queryset = queryset.filter(
            Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{tie_op}": pk})
        )
    return queryset.order_by(f"-{field}" if desc else field, "-pk" if tie_desc else "pk")


def cursor_moment(raw: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise BadCursor(raw)
    return value


def cursor_of(row, field: str) -> str:
    value = getattr(row, field)
    text = value.isoformat() if isinstance(value, dt.datetime) else str(value)
    return f"{text}~{row.pk}"


def keyset_page(
    queryset: QuerySet,
    *,
    field: str,
    desc: bool,
    after: str,
    size: int,
    parse=None,
    tie_desc: bool | None = None,
) -> Page:
    """One page of ``size`` rows of ``queryset`` after the cursor ``after`` (``keyset``), read
    as ``size + 1`` rows: the extra one says whether there is a next page. Every keyset list of
    the staff pages is read through it; a cursor it cannot read raises ``BadCursor``."""
    ordered = keyset(queryset, field=field, desc=desc, after=after, parse=parse, tie_desc=tie_desc)
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_cursor=cursor_of(rows[-1], field) if more else "",
        size=size,
        first=not after,
    )


def queue_page(queryset: QuerySet[Claim], *, sort: str, after: str, size: int) -> Page:
    """One page of a claim list after ``after`` (a cursor from the previous page, or empty).

    The one queue engine of the staff pages: the claims queue and the fraud queue both page
    through it (the areas' lists through ``keyset`` and ``backoffice.lists``)."""
    field, desc = _sort_spec(sort)
    if field in SORT_EXPRESSIONS:
        queryset = queryset.annotate(**{field: SORT_EXPRESSIONS[field]})
    tie_desc = desc and sort not in TIES_OLDEST_FIRST
    page = keyset_page(
        queue_rows(queryset),
        field=field,
        desc=desc,
        after=after,
        size=size,
        parse=lambda raw: _cursor_value(field, raw),
        tie_desc=tie_desc,
    )
    if page.rows:
        _row_details(page.rows)
    return page


@dataclass
class QueueChoices:
    """What the queue offers to choose from: the regions of its filter (code, name, by code)
    and the saved views this viewer may open (by position, then name)."""

    regions: list[tuple[str, str]]
    saved_views: list[SavedView]


def queue_choices(user) -> QueueChoices:
    """The regions and the saved views in one query, a ``UNION ALL`` of the two small tables
    of policy data (one round trip on every queue page instead of two). The saved views come
    back as unsaved ``SavedView`` instances: read, never written."""
    text, number = CharField(), IntegerField()
    regions = Region.objects.order_by().annotate(
        kind=Value("region", output_field=text),
        key=F("code"),
        label=F("name"),
        view_query=Value("", output_field=text),
        needs=Value("", output_field=text),
        rank=Value(0, output_field=number),
        sort_by=F("code"),
    )
    views = SavedView.objects.order_by().annotate(
        kind=Value("view", output_field=text),
        key=F("slug"),
        label=F("name"),
        view_query=F("query"),
        needs=F("permission"),
        rank=F("position"),
        sort_by=F("name"),
    )
    columns = ("kind", "key", "label", "view_query", "needs", "rank")
    rows = regions.values_list(*columns, "sort_by").union(
        views.values_list(*columns, "sort_by"), all=True
    )
    choices = QueueChoices(regions=[], saved_views=[])
    for kind, key, label, query, permission, position, _sort in rows.order_by(
        "kind", "rank", "sort_by"
    ):
        if kind == "region":
            choices.regions.append((key, region_name(key, label)))
        elif not permission or user.has_perm(permission):
            choices.saved_views.append(
                SavedView(
                    slug=key, name=label, query=query, permission=permission, position=position
                )
            )
    return choices


def _seldom_read() -> dict[str, tuple[type, Prefetch]]:
    """What the workspace shows that most claims have none of: relation -> (its model, how it is
    read when the claim has some)."""
    return {
        "fraud_reviews": (
            FraudReview,
            Prefetch(
                "fraud_reviews",
                queryset=FraudReview.objects.select_related("analyst").order_by("-created_at"),
            ),
        ),
        "tag_links": (
            ClaimTag,
            Prefetch("tag_links", queryset=ClaimTag.objects.select_related("tag")),
        ),
        "payouts": (
            Payout,
            Prefetch("payouts", queryset=Payout.objects.order_by("number", "pk")),
        ),
        "sla_breaches": (SlaBreach, Prefetch("sla_breaches", queryset=SlaBreach.objects.all())),
    }


def claim_workspace(*, user, pk: int) -> Claim:
    """One claim with everything the workspace shows, in a fixed number of queries.

    Fraud reviews, tags, payouts and SLA breaches, which most claims have none of, are read only
    when the claim has some: whether it has any comes with the claim (an ``EXISTS`` each in its
    own query), and an empty relation is filled without a query (a prefetch of ``none()``)."""
    seldom = _seldom_read()
    claim = (
        claims_visible_to(user)
        # Whether the seller must carry insurance, from the imported gross (no extra query).
        .annotate(seller_first_month_over=first_month_over_threshold("seller_id"))
        .annotate(
            **{
                f"has_{name}": Exists(model.objects.filter(claim_id=OuterRef("pk")))
                for name, (model, _read) in seldom.items()
            },
            # Whether opening it has notifications of the viewer's to mark read (the view
            # writes only then).
            # The approval awaiting a second approver, if any (the actions say so).
            pending_approval_id=approval_pending_subquery(),
            has_unread_for_viewer=Exists(
                Notification.objects.filter(
                    recipient_id=user.pk, claim_id=OuterRef("pk"), read_at=None
                )
            ),
        )
        .select_related(
            "region",
            "customer",
            "seller",
            "order_line__order",
            "order_line__product",
            "assignee",
            "party_payment",
        )
        .prefetch_related(
            Prefetch("losses", queryset=LossItem.objects.order_by("id")),
            # Every file is listed; ``may_open`` (the evidence rule) says which get a link.
            Prefetch(
                "evidence",
                queryset=evidence_with_access(
                    Evidence.objects.order_by("created_at"),
                    looker=Looker(viewer=Viewer.STAFF, user=user),
                ),
            ),
            Prefetch(
                "events",
                queryset=ClaimEvent.objects.select_related("actor").order_by("-created_at", "-id"),
            ),
            Prefetch(
                "seller__certificates",
                queryset=InsuranceCertificate.objects.order_by("-expiry_date"),
            ),
        )
        .get(pk=pk)
    )
    prefetch_related_objects(
        [claim],
        *(
            read if getattr(claim, f"has_{name}") else Prefetch(name, queryset=model.objects.none())
            for name, (model, read) in seldom.items()
        ),
    )
    claim.seller.first_month_over_threshold = claim.seller_first_month_over
    return claim


# --- sellers and products chosen by name (the queue's filters and their suggestions) --------

SUGGESTIONS = 10
# "Acme Ltd (S-1042)": how a suggestion names a record, and how the filter reads it back.
_LABELLED = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>[^()]+)\)\s*$")
# record kind -> (model, its name field)
NAMED_RECORDS = {"seller": (Seller, "legal_name"), "product": (Product, "title")}


def record_label(record) -> str:
    """What a suggestion shows and what the filter field then holds."""
    _model, name_field = NAMED_RECORDS[record._meta.model_name]
    return f"{getattr(record, name_field)} ({record.marketplace_id})"


def records_named(kind: str, text: str) -> list:
    """The seller or product someone typed: its marketplace id, its label ("Acme Ltd (S-1042)",
    what the suggestions offer) or its exact name in any case. One query; an id match wins
    over a name, and two records of one name are both returned (the caller asks which)."""
    model, name_field = NAMED_RECORDS[kind]
    text = text.strip()
    labelled = _LABELLED.match(text)
    ids = {text} | ({labelled["id"].strip()} if labelled else set())
    found = list(
        model.objects.filter(Q(marketplace_id__in=ids) | Q(**{f"{name_field}__iexact": text}))
        .only("pk", "marketplace_id", name_field)
        .order_by("pk")[:3]
    )
    by_id = [r for r in found if r.marketplace_id in ids]
    return by_id[:1] if by_id else found


def record_suggestions(kind: str, text: str) -> list[str]:
    """Up to ten labels of sellers or products whose name contains ``text`` or whose id
    starts with it, names starting with it first."""
    model, name_field = NAMED_RECORDS[kind]
    text = text.strip()
    if len(text) < 2:
        return []
    rows = (
        model.objects.filter(
            Q(**{f"{name_field}__icontains": text}) | Q(marketplace_id__istartswith=text)
        )
        .only("pk", "marketplace_id", name_field)
        .order_by(name_field, "pk")[: SUGGESTIONS * 5]
    )
    lowered = text.lower()
    ranked = sorted(rows, key=lambda r: not getattr(r, name_field).lower().startswith(lowered))
    return [record_label(r) for r in ranked[:SUGGESTIONS]]
