"""Staff pages: the queue, its CSV export, bulk actions and the dashboard (safety: views_safety).

Views parse the request, call one selector or service, turn domain errors into messages and
redirect (post/redirect/get). The claim workspace and its actions are in ``views_claim``.
"""

import csv
import functools
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backoffice import selectors
from backoffice.dashboard import dashboard_figures
from backoffice.exceptions import BackofficeError
from backoffice.filters import ClaimQueueFilter
from backoffice.forms import BulkForm
from backoffice.lists import form_problems
from backoffice.rendering import queue_rows_html
from backoffice.search import queue_total
from backoffice.services import claims_bulk
from backoffice.sla import claim_clocks, worst_state
from claims.models import ClaimStatus, Funding, RiskLevel
from claims.money import plain_minor
from claims.regions import region_name
from claims.scope import staff_has_no_region
from claims_site.spreadsheets import Echo, csv_safe


def staff_view(*permissions: str):
    """Signed-in staff only (others go to the staff sign-in page), then a permission check
    (403): any one of ``permissions`` opens the page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            if not any(user.has_perm(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _query_for(query: QueryDict, saved_views: list) -> QueryDict:
    """The queue's query: a saved view's query string, with the request's own on top."""
    data = query.copy()
    slug = data.pop("view", [""])[-1]
    if slug:
        saved = next((v for v in saved_views if v.slug == slug), None)
        if saved is not None:
            base = QueryDict(saved.query.replace("{me}", "me"), mutable=True)
            for key, values in data.lists():
                base.setlist(key, values)
            base["view"] = slug
            return base
    return data


def _queue_state(request: HttpRequest, query: QueryDict | None = None) -> dict:
    """The queue's view of ``query`` (the request's own by default)."""
    choices = selectors.queue_choices(request.user)
    data = _query_for(request.GET if query is None else query, choices.saved_views)
    sort = data.get("sort", "newest")
    if sort not in selectors.SORTS:
        sort = "newest"
    try:
        size = int(data.get("size", 50))
    except ValueError:
        size = 50
    size = size if size in selectors.PAGE_SIZES else 50
    base = selectors.claims_visible_to(request.user)
    filterset = ClaimQueueFilter(data, queryset=base, viewer=request.user, regions=choices.regions)
    errors = []
    if filterset.is_valid():
        queryset = filterset.qs
    else:
        queryset = base.none()
        errors = form_problems(filterset.form)
    return {
        "data": data,
        "filterset": filterset,
        "queryset": queryset,
        "sort": sort,
        "size": size,
        "errors": errors,
        "notes": filterset.search_notes if not errors else [],
        "saved_views": choices.saved_views,
        "regions": choices.regions,
    }


def _filters_key(state: dict) -> str:
    """Everything the filter form's markup shows (its cached fragment in queue.html, with the
    language): the filters' values, the saved view, its sort and size, the regions (other
    parameters, the page cursor among them, are not in the form). Empty (not cached) for a
    search: a term rarely comes twice, and a fragment per term would only fill the cache."""
    data = state["data"]
    if data.get("q"):
        return ""
    shown = [(k, data.getlist(k)) for k in sorted(data) if k in state["filterset"].form.fields]
    return repr((shown, data.get("view", ""), state["sort"], state["size"], state["regions"]))


@require_safe
@staff_view("claims.view_claim")
def queue(request: HttpRequest) -> HttpResponse:
    return _queue_response(request, searching=False)


@require_safe
@staff_view("claims.view_claim")
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: the queue engine over the claims that match; one match opens
    the claim itself."""
    if not request.GET.get("q", "").strip():
        messages.info(
            request,
            _("Type a reference, a name, an e-mail, a phone or an order number to find a claim."),
        )
        return redirect("backoffice:queue")
    return _queue_response(request, searching=True)


def _queue_response(
    request: HttpRequest,
    *,
    searching: bool,
    query: QueryDict | None = None,
    bulk_form: BulkForm | None = None,
) -> HttpResponse:
    """The queue (or a search's results) for ``query``, the request's own by default. With
    ``bulk_form``, a bulk action sent and refused: the queue it was sent from again (400), what
    was typed and ticked kept, its problems beside its fields and in its summary."""
    query = request.GET if query is None else query
    state = _queue_state(request, query)
    try:
        page = selectors.queue_page(
            state["queryset"],
            sort=state["sort"],
            after=state["data"].get("after", ""),
            size=state["size"],
        )
    except selectors.BadCursor:
        state["errors"].append(_("That page link is no longer valid; showing the first page."))
        page = selectors.queue_page(
            state["queryset"], sort=state["sort"], after="", size=state["size"]
        )
    if (
        searching
        and len(page.rows) == 1
        and not page.next_cursor
        and not state["data"].get("after")
        and not state["errors"]
        and bulk_form is None
    ):
        return redirect("backoffice:claim", pk=page.rows[0].pk)
    now = timezone.now()
    rows = []
    for claim in page.rows:
        clocks = claim_clocks(claim, now=now)
        rows.append({"claim": claim, "clocks": clocks, "sla": worst_state(clocks)})
    params = state["data"].copy()
    params.pop("after", None)
    next_params = params.copy()
    next_params["after"] = page.next_cursor
    # The page's own address: its links stay on it when it answers a bulk action's address.
    here = reverse("backoffice:search" if searching else "backoffice:queue")
    ticked = bulk_form.ticked() if bulk_form is not None else set()
    context = {
        "rows": rows,
        "page": page,
        "filterset": state["filterset"],
        "errors": state["errors"],
        "sort": state["sort"],
        "sorts": list(selectors.SORT_LABELS.items()),
        "sizes": selectors.PAGE_SIZES,
        "saved_views": state["saved_views"],
        "filters_key": _filters_key(state),
        "current_view": state["data"].get("view", ""),
        "here": here,
        "first_url": here + "?" + params.urlencode(),
        "next_url": here + "?" + next_params.urlencode() if page.next_cursor else "",
        "bulk_form": bulk_form or BulkForm(user=request.user),
        "bulk_next": "?" + query.urlencode(),
        "export_url": reverse("backoffice:queue-export") + "?" + params.urlencode(),
        "is_later_page": bool(state["data"].get("after")),
        "rows_html": queue_rows_html(
            rows, claim_prefix=reverse("backoffice:claim", args=[0])[:-2], ticked=ticked
        ),
        "can_assign": request.user.has_perm("backoffice.assign_claims"),
        # Exact up to a thousand claims, PostgreSQL's estimate above (backoffice/search.py).
        "total": None
        if state["errors"]
        else queue_total(
            state["queryset"],
            # A first page with no next page is the whole view: no query.
            whole_page=page.whole,
        ),
        "notes": state["notes"],
        "searching": searching,
        "search_term": state["data"].get("q", ""),
        # Only an empty page asks why (keeps the pinned query count of a page with rows).
        "no_region": not page.rows and staff_has_no_region(request.user),
    }
    template = "backoffice/_queue_results.html" if request.htmx else "backoffice/queue.html"
    return render(request, template, context, status=200 if bulk_form is None else 400)


SUGGEST_TEXT = forms.CharField(required=False, max_length=200)


@require_safe
@staff_view("claims.view_claim")
def suggest(request: HttpRequest, kind: str) -> HttpResponse:
    """Options for the seller or product filter's datalist: the text typed is the value of the
    input that asked (``seller`` or ``product``), or ``q``."""
    try:
        # Django's text field: bounded, and no NUL character (PostgreSQL refuses it).
        text = SUGGEST_TEXT.clean(request.GET.get(kind) or request.GET.get("q") or "")
    except ValidationError:
        text = ""
    labels = selectors.record_suggestions(kind, text)
    return render(request, "backoffice/_suggestions.html", {"labels": labels})


def export_columns(zone) -> list[str]:
    """The CSV's header: what each column holds, its unit or its time zone included."""
    zone = str(zone)
    return [
        _("Reference"),
        _("Status"),
        _("Region"),
        _("Submitted (%(zone)s)") % {"zone": zone},
        _("Customer"),
        _("Product"),
        _("Seller"),
        _("Currency"),
        _("Claimed (in the currency, e.g. 1234.50)"),
        _("Approved (in the currency, e.g. 1234.50)"),
        _("Funding"),
        _("Risk level"),
        _("Risk score"),
        _("Assignee"),
        _("Seller response due (%(zone)s)") % {"zone": zone},
        _("Customer information due (%(zone)s)") % {"zone": zone},
        _("Decision due (%(zone)s)") % {"zone": zone},
        _("Tags"),
    ]


def _export_rows(queryset, sort):
    """The CSV's rows. The header, the labels and the viewer's zone are taken now, in the
    request: the rows stream after the view (and its middleware's time zone) has returned."""
    zone = timezone.get_current_timezone()
    header = export_columns(zone)
    # Labels, not codes; translated once, not once per row.
    statuses = {value: str(label) for value, label in ClaimStatus.choices}
    fundings = {value: str(label) for value, label in Funding.choices}
    risks = {value: str(label) for value, label in RiskLevel.choices}

    def moment(value) -> str:
        # ISO 8601 in the viewer's zone (2026-12-01T10:22-05:00): a spreadsheet sorts and
        # parses it, and the offset says which zone it is in.
        return value.astimezone(zone).isoformat(timespec="minutes") if value else ""

    return _export_stream(queryset, sort, header, statuses, fundings, risks, moment)


def _export_stream(queryset, sort, header, statuses, fundings, risks, moment):
    writer = csv.writer(Echo())
    yield writer.writerow(header)
    after = ""
    while True:
        page = selectors.queue_page(
            queryset.annotate(region_code=F("region__code"), region_stored=F("region__name")),
            sort=sort,
            after=after,
            size=500,
        )
        for c in page.rows:
            yield writer.writerow(
                [
                    csv_safe(v)
                    for v in (
                        c.reference,
                        statuses[c.status],
                        region_name(c.region_code, c.region_stored),
                        moment(c.submitted_at),
                        c.customer_name,
                        c.product_title,
                        c.seller_name,
                        c.currency,
                        plain_minor(c.claimed_total_minor, c.currency),
                        plain_minor(c.approved_total_minor, c.currency),
                        fundings[c.funding],
                        risks[c.risk_level],
                        c.risk_score,
                        c.assignee_username,
                        moment(c.seller_respond_by),
                        moment(c.customer_info_due),
                        moment(c.decision_due),
                        " ".join(c.tag_names),
                    )
                ]
            )
        if not page.next_cursor:
            return
        after = page.next_cursor


@require_safe
@staff_view("claims.view_claim")
def queue_export(request: HttpRequest) -> StreamingHttpResponse:
    """The current queue view as CSV, streamed page by page (keyset), never held in memory."""
    state = _queue_state(request)
    if state["errors"]:
        for error in state["errors"]:
            messages.error(request, error)
        return redirect(reverse("backoffice:queue") + "?" + state["data"].urlencode())
    response = StreamingHttpResponse(
        _export_rows(state["queryset"], state["sort"]), content_type="text/csv"
    )
    # The viewer's time, as the file's dates are (the active zone is theirs).
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
    return response


@require_POST
@staff_view("claims.view_claim")
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked claims, then back to the queue they were ticked in (``next``,
    its query string). Refused as a whole (no claim ticked, a tag too long, nobody to assign
    to, no permission), the queue comes back with what was typed and nothing done; each claim
    the action could not be done for is said after the redirect."""
    back = request.POST.get("next", "")
    back = back if back.startswith("?") else ""
    target = reverse("backoffice:queue") + back
    form = BulkForm(request.POST, user=request.user)
    if form.is_valid():
        ids = form.cleaned_data["claims"]
        claims = list(
            selectors.claims_visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("assignee", "region")
            .order_by("pk")
        )
        try:
            result = claims_bulk(
                claims=claims,
                user=request.user,
                action=form.cleaned_data["action"],
                value=form.value(),
            )
        except BackofficeError as exc:
            form.add_error(None, str(exc))
        else:
            _bulk_said(request, result, unknown=len(set(ids)) - len(claims))
            return redirect(target)
    return _queue_response(request, searching=False, query=QueryDict(back[1:]), bulk_form=form)


def _bulk_said(request: HttpRequest, result, *, unknown: int) -> None:
    if result.succeeded:
        messages.success(
            request,
            _("Done for %(n)d claim(s): %(refs)s")
            % {"n": len(result.succeeded), "refs": ", ".join(result.succeeded)},
        )
    for reference, error in result.failed:
        # A reason that names its claim ("Claim … is held by …") is said as it is.
        messages.error(
            request,
            error
            if reference in error
            else _("Not done for %(ref)s: %(why)s") % {"ref": reference, "why": error},
        )
    if unknown:
        messages.error(request, _("%(n)d selected claim(s) were not found.") % {"n": unknown})


@require_safe
@staff_view("backoffice.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(claims=selectors.claims_visible_to(request.user))
    figures["no_region"] = not figures["regions"] and staff_has_no_region(request.user)
    query = urlencode({"status": "fraud_hold"})
    return render(request, "backoffice/dashboard.html", {**figures, "fraud_hold_url": f"?{query}"})
