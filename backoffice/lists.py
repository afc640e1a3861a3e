"""The lists of the staff areas (Decisions, Money, Sellers, the fraud watchlist) on the queue's
engine.

Each list is a keyset page (``selectors.keyset_page``: no page counts the table, and page 100 costs
what page 1 costs) with the view's total (``search.queue_total``: exact up to 1,000, PostgreSQL's
estimate above, marked as such), sorted by age (oldest or newest first, on a NOT NULL time
column indexed with the id, under the list's partial index) and filtered with django-filter.

Several lists share a page: each reads its own query parameters, named with its prefix
(``approvals-sort``, ``approvals-after``, ``approvals-region``), and its links keep the others'.
"""

from dataclasses import dataclass, field

import django_filters
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backoffice.search import Noun, Total, queue_total
from backoffice.selectors import BadCursor, keyset_page
from claims.models import Region
from claims.regions import region_name
from claims.scope import staff_regions

PAGE_SIZE = 25
# sort key -> newest first?
AGE_SORTS = {"oldest": False, "newest": True}
AGE_SORT_LABELS = (
    ("oldest", gettext_lazy("Oldest first")),
    ("newest", gettext_lazy("Newest first")),
)

APPROVALS = Noun(
    exact=lambda n: ngettext("%(n)s approval", "%(n)s approvals", n),
    about=lambda: _("about %(n)s approvals (estimate)"),
)
SAMPLES = Noun(
    exact=lambda n: ngettext("%(n)s sample", "%(n)s samples", n),
    about=lambda: _("about %(n)s samples (estimate)"),
)
PAYOUTS = Noun(
    exact=lambda n: ngettext("%(n)s payout", "%(n)s payouts", n),
    about=lambda: _("about %(n)s payouts (estimate)"),
)
CHANGES = Noun(
    exact=lambda n: ngettext("%(n)s change", "%(n)s changes", n),
    about=lambda: _("about %(n)s changes (estimate)"),
)
RECOVERIES = Noun(
    exact=lambda n: ngettext("%(n)s recovery", "%(n)s recoveries", n),
    about=lambda: _("about %(n)s recoveries (estimate)"),
)
ENTRIES = Noun(
    exact=lambda n: ngettext("%(n)s watched value", "%(n)s watched values", n),
    about=lambda: _("about %(n)s watched values (estimate)"),
)


def form_problems(form) -> list[str]:
    """A list's filter form's errors, one line each, as the lists show them above the table:
    "<field label>: <message>", or the message alone when it is the form's own."""
    problems: list[str] = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.extend(f"{label}: {m}" if label else str(m) for m in messages)
    return problems


@dataclass(frozen=True)
class ReaderRegions:
    choices: list[tuple[str, str]]  # (code, name) of the reader's regions
    every: bool  # the reader sees every region's claims


def reader_regions(user) -> ReaderRegions:
    """The regions a list may be narrowed to (the reader's own, ``claims.scope``) and whether
    they are all of them, in one query per page. A page may then skip a scope that would
    leave everything in (the QA report: filtering its figures by region joins every claim)."""
    mine = staff_regions(user).filter(pk=OuterRef("pk"))
    rows = list(
        Region.objects.annotate(mine=Exists(mine))
        .order_by("code")
        .values_list("code", "name", "mine")
    )
    return ReaderRegions(
        choices=[(code, region_name(code, name)) for code, name, is_mine in rows if is_mine],
        every=all(is_mine for *_names, is_mine in rows) and user.has_perm("claims.view_claim"),
    )


class RegionFilter(django_filters.FilterSet):
    """A list of rows that belong to a claim, narrowed to one of the viewer's regions."""

    region = django_filters.ChoiceFilter(label=gettext_lazy("Region"), method="filter_region")
    region_path = "claim__region"

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # django-filter's field adds the empty choice ("---------") itself.
        self.form.fields["region"].choices = list(regions)

    def filter_region(self, queryset, name, value):
        # The region's id as a scalar subquery (as the queue's region filter).
        region = Subquery(Region.objects.filter(code=value).values("pk"))
        return queryset.filter(**{self.region_path: region})


@dataclass
class AreaList:
    prefix: str
    rows: list
    sort: str
    filterset: django_filters.FilterSet
    total: Total | None = None
    errors: list[str] = field(default_factory=list)
    first_url: str = ""
    next_url: str = ""
    is_later_page: bool = False
    # The other lists' parameters, kept by this list's form.
    kept: list[tuple[str, str]] = field(default_factory=list)
    sorts = AGE_SORT_LABELS


def area_list(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    prefix: str,
    age: str,
    noun: Noun,
    regions=(),
    filterset_class=RegionFilter,
    default_sort: str = "oldest",
    size: int | None = None,
) -> AreaList:
    """One page of ``queryset`` (already scoped to the viewer) by its age column ``age``."""
    size = size or PAGE_SIZE
    data = request.GET
    sort = data.get(f"{prefix}-sort", default_sort)
    sort = sort if sort in AGE_SORTS else default_sort
    filterset = filterset_class(data, queryset=queryset, prefix=prefix, regions=regions)
    errors: list[str] = []
    valid = filterset.is_valid()
    if valid:
        rows = filterset.qs
    else:
        rows = queryset.none()
        errors = form_problems(filterset.form)
    after_key = f"{prefix}-after"
    after = data.get(after_key, "")
    try:
        page = keyset_page(rows, field=age, desc=AGE_SORTS[sort], after=after, size=size)
    except BadCursor:
        errors.append(_("That page link is no longer valid; showing the first page."))
        after = ""
        page = keyset_page(rows, field=age, desc=AGE_SORTS[sort], after="", size=size)
    params = data.copy()
    params.pop(after_key, None)
    listed = AreaList(
        prefix=prefix,
        rows=page.rows,
        sort=sort,
        filterset=filterset,
        errors=errors,
        # A stale page link still shows the view's total; a bad filter shows none.
        total=queue_total(rows, noun=noun, whole_page=page.whole) if valid else None,
        first_url=_url(params, prefix),
        is_later_page=bool(after),
        kept=[
            (key, value)
            for key, values in params.lists()
            if not key.startswith(f"{prefix}-")
            for value in values
        ],
    )
    if page.next_cursor:
        params[after_key] = page.next_cursor
        listed.next_url = _url(params, prefix)
    return listed


def _url(params: QueryDict, prefix: str) -> str:
    return "?" + params.urlencode() + f"#{prefix}"
