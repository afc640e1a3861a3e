"""Finding a claim from one search box, and how many claims a queue view holds.

**Search.** One term is looked for in the claim's reference, the customer's name, e-mail and
phone, the order number, the seller's name or marketplace id, the product's title or
marketplace id and the payout's provider reference or idempotency key. Each neighbouring table
is asked first, by its own index, for at most ``MAX_MATCHES`` rows; the claims are then the
ones whose own columns point at those rows::

    reference LIKE '%T%' OR customer_id IN (…) OR seller_id IN (…)
        OR order_line_id IN (…) OR id IN (…)

On PostgreSQL every arm is an index scan on the claims table (a bitmap OR): the trigram GIN
indexes of ``backoffice/migrations/0003_search_indexes.py`` answer ``UPPER(col) LIKE '%T%'``
(what Django's ``icontains`` is there), the foreign-key indexes the rest. A join with OR-ed
subqueries would instead be a filter over every claim. SQLite (the embedded default) has no
trigram index and runs the same lookups as plain ``LIKE``.

A term shorter than ``MIN_FRAGMENT`` characters is only compared whole (no trigram can find a
fragment of one or two characters): references, ids and order numbers typed in full.

**Totals.** ``queue_total`` counts a view exactly up to ``EXACT_UP_TO`` claims (a count of at
most that many index entries) and above that shows PostgreSQL's planner estimate
(``EXPLAIN (FORMAT JSON)``) as "about …". A first page with no next page is the whole view
(no query); a view the planner puts far above the limit (``ESTIMATE_ABOVE``) is not counted.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from marketplace.models import Customer, Order, OrderLine, Product
from payouts.models import Payout
from sellers.models import Seller

MIN_FRAGMENT = 3
MAX_LENGTH = 100
# Customers, sellers, order lines or payouts a term may match before the search says "be more
# specific" (the claims of the first ones are still shown).
MAX_MATCHES = 1000
EXACT_UP_TO = 1000
# A view the planner estimates above this many claims is not counted at all: its estimate is
# shown. A hundred times the exact limit: a planner wrong by that much on a view this large is
# rare, and the count it saves reads a thousand index entries on every default queue page.
ESTIMATE_ABOVE = 100 * EXACT_UP_TO

_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
_REFERENCE = re.compile(r"^PL-", re.IGNORECASE)
# PL-<region>-<year>-<number> (claims.services.claim_create), or PL-<letter>-<number>.
_FULL_REFERENCE = re.compile(r"^PL-[A-Z]{1,8}-(\d{4}-)?\d{6,}$", re.IGNORECASE)


@dataclass
class SearchResult:
    q: Q
    notes: list[str] = field(default_factory=list)


def _ids(queryset: QuerySet, what: str, term: str, notes: list[str]) -> list[int]:
    ids = list(queryset.order_by().values_list("pk", flat=True)[: MAX_MATCHES + 1])
    if len(ids) > MAX_MATCHES:
        notes.append(
            _(
                "More than %(n)s %(what)s match “%(term)s”: the claims of the first %(n)s are "
                "shown. Type more of it to narrow the search."
            )
            % {"n": grouped(MAX_MATCHES), "what": what, "term": term}
        )
        ids = ids[:MAX_MATCHES]
    return ids


def claim_search(term: str) -> SearchResult:
    """The condition on claims that finds ``term`` (already stripped, at most MAX_LENGTH)."""
    notes: list[str] = []
    term = " ".join(term.split())
    if not term:
        return SearchResult(Q())
    fragment = len(term) >= MIN_FRAGMENT
    if not fragment:
        notes.append(
            _("Type at least %(n)d characters to search inside names, e-mails and titles.")
            % {"n": MIN_FRAGMENT}
        )
    text = "icontains" if fragment else "iexact"
    if _FULL_REFERENCE.match(term):
        # A whole reference: its unique index, not the trigrams (every reference shares "PL-").
        return SearchResult(Q(reference=term.upper()), notes)
    if fragment and _REFERENCE.match(term):
        # Part of a claim reference: nothing else is written like one.
        return SearchResult(Q(reference__icontains=term), notes)
    if "@" in term:
        customers = Customer.objects.filter(**{f"email__{text}": term})
        return SearchResult(Q(customer_id__in=_ids(customers, _("customers"), term, notes)), notes)

    customer_q = Q(**{f"name__{text}": term}) | Q(**{f"email__{text}": term})
    digits = re.sub(r"\D", "", term)
    if _PHONE.match(term) and len(digits) >= 7:
        # Phones are stored in E.164 (+15551234567): compare the digits.
        customer_q |= Q(phone__contains=digits)
    customers = _ids(Customer.objects.filter(customer_q), _("customers"), term, notes)
    sellers = _ids(
        Seller.objects.filter(Q(**{f"legal_name__{text}": term}) | Q(marketplace_id=term)),
        _("sellers"),
        term,
        notes,
    )
    # Orders and products by their own index, then their order lines by foreign key (a join
    # PostgreSQL runs as a nested loop from the few matches).
    orders = Order.objects.filter(**{f"number__{text}": term}).order_by().values("pk")
    lines = _ids(OrderLine.objects.filter(order__in=orders), _("order lines"), term, notes)
    products = (
        Product.objects.filter(Q(**{f"title__{text}": term}) | Q(marketplace_id=term))
        .order_by()
        .values("pk")
    )
    lines += _ids(OrderLine.objects.filter(product__in=products), _("order lines"), term, notes)
    payouts = list(
        Payout.objects.filter(Q(**{f"provider_reference__{text}": term}) | Q(idempotency_key=term))
        .order_by()
        .values_list("claim_id", flat=True)[:MAX_MATCHES]
    )
    return SearchResult(
        Q(**{f"reference__{text}": term})
        | Q(customer_id__in=customers)
        | Q(seller_id__in=sellers)
        | Q(order_line_id__in=lines)
        | Q(pk__in=payouts),
        notes,
    )


@dataclass(frozen=True)
class Noun:
    """What a total counts, as texts translated when called with ``%(n)s`` for the number:
    ``exact(n)`` ("%(n)s claims", the plural form for ``n``) and ``about()`` ("about %(n)s
    claims (estimate)"). ``Total.label`` writes the number in."""

    exact: Callable[[int], str]
    about: Callable[[], str]


CLAIMS = Noun(
    exact=lambda n: _("1 claim") if n == 1 else _("%(n)s claims"),
    about=lambda: _("about %(n)s claims (estimate)"),
)


@dataclass(frozen=True)
class Total:
    count: int
    exact: bool
    noun: Noun = CLAIMS

    @property
    def label(self) -> str:
        """ "1 claim", "734 claims", "about 45,000 claims", "about 1.2 million claims"."""
        if self.exact:
            return self.noun.exact(self.count) % {"n": grouped(self.count)}
        return self.noun.about() % {"n": rounded(self.count)}


def grouped(n: int | Decimal) -> str:
    """A number the reader's way (the active language's Django formats): "12,345" in English,
    "12 345" in French, "12.345" in German. Every figure of the staff pages' totals and notes
    is written through it."""
    return number_format(n, force_grouping=True)


def rounded(n: int) -> str:
    """Two significant figures, in words past a million, the reader's way (``grouped``):
    45,321 → "45,000"; 1,234,567 → "1.2 million" (French "45 000", "1,2 million")."""
    if n >= 1_000_000:
        millions = Decimal(n).scaleb(-6).quantize(Decimal("0.1"))
        if millions == millions.to_integral_value():
            millions = millions.quantize(Decimal(1))
        return _("%(n)s million") % {"n": grouped(millions)}
    digits = len(str(n))
    step = 10 ** max(digits - 2, 0)
    return grouped(round(n / step) * step)


def queue_total(
    queryset: QuerySet,
    *,
    exact_up_to: int | None = None,
    estimate_above: int = ESTIMATE_ABOVE,
    whole_page: int | None = None,
    noun: Noun = CLAIMS,
) -> Total:
    """How many rows (claims, or ``noun``) the view holds: exact up to ``exact_up_to``
    (``EXACT_UP_TO``), estimated above it. Every list of the staff pages says its total
    through this.

    ``whole_page``: the number of rows of a first page that has no next page, which is then the
    whole view (no query). Otherwise, on PostgreSQL, the planner's estimate comes first (one
    EXPLAIN, planned, not run): a view it puts above ``estimate_above`` rows is shown as
    that estimate with no count at all; below, the view is counted up to ``exact_up_to`` + 1
    (and the estimate kept for a view that turns out larger)."""
    exact_up_to = exact_up_to or EXACT_UP_TO
    if whole_page is not None:
        return Total(whole_page, True, noun)
    ids = queryset.order_by().values("pk")
    postgresql = connections[queryset.db].vendor == "postgresql"
    estimate = (
        int(json.loads(ids.explain(format="json"))[0]["Plan"]["Plan Rows"]) if postgresql else 0
    )
    if estimate > estimate_above:
        return Total(estimate, False, noun)
    counted = ids[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return Total(counted, True, noun)
    if not postgresql:
        # SQLite (the embedded default, small data) has no planner estimate: count it.
        return Total(ids.count(), True, noun)
    return Total(max(estimate, exact_up_to + 1), False, noun)
