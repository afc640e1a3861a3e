"""Staff pages: the queue, its CSV export, bulk actions, the dashboard and the safety page.

Views parse the request, call one selector or service, turn domain errors into messages and
redirect (post/redirect/get). The claim workspace and its actions are in ``views_claim``.
"""

import csv
import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backoffice import selectors
from backoffice.dashboard import dashboard_figures
from backoffice.exceptions import BackofficeError
from backoffice.filters import ClaimQueueFilter
from backoffice.forms import AlertForm, BulkForm
from backoffice.models import OPEN_ALERT_STATUSES, SafetyAlert
from backoffice.rendering import queue_rows_html
from backoffice.safety import ALERT_MOVES, safety_alert_mark
from backoffice.services import DOMAIN_ERRORS, claims_bulk
from backoffice.sla import claim_clocks, worst_state
from claims.scope import staff_has_no_region
from claims_site.spreadsheets import Echo, csv_safe


def staff_view(permission: str):
    """Signed-in staff only (others go to the sign-in page), then a permission check (403)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _query_for(request: HttpRequest) -> QueryDict:
    """The queue's query: a saved view's query string, with the request's own on top."""
    data = request.GET.copy()
    slug = data.pop("view", [""])[-1]
    if slug:
        saved = next((v for v in selectors.saved_views_for(request.user) if v.slug == slug), None)
        if saved is not None:
            base = QueryDict(saved.query.replace("{me}", "me"), mutable=True)
            for key, values in data.lists():
                base.setlist(key, values)
            base["view"] = slug
            return base
    return data


def _queue_state(request: HttpRequest) -> dict:
    data = _query_for(request)
    sort = data.get("sort", "newest")
    if sort not in selectors.SORTS:
        sort = "newest"
    try:
        size = int(data.get("size", 50))
    except ValueError:
        size = 50
    size = size if size in selectors.PAGE_SIZES else 50
    base = selectors.claims_visible_to(request.user)
    filterset = ClaimQueueFilter(data, queryset=base, viewer=request.user)
    errors = []
    if filterset.is_valid():
        queryset = filterset.qs
    else:
        queryset = base.none()
        for field, field_errors in filterset.form.errors.items():
            label = filterset.form.fields[field].label if field in filterset.form.fields else field
            errors.extend(f"{label}: {e}" for e in field_errors)
    return {
        "data": data,
        "filterset": filterset,
        "queryset": queryset,
        "sort": sort,
        "size": size,
        "errors": errors,
    }


@require_safe
@staff_view("claims.view_claim")
def queue(request: HttpRequest) -> HttpResponse:
    state = _queue_state(request)
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
    now = timezone.now()
    rows = []
    for claim in page.rows:
        clocks = claim_clocks(claim, now=now)
        rows.append({"claim": claim, "clocks": clocks, "sla": worst_state(clocks)})
    params = state["data"].copy()
    params.pop("after", None)
    next_params = params.copy()
    next_params["after"] = page.next_cursor
    context = {
        "rows": rows,
        "page": page,
        "filterset": state["filterset"],
        "errors": state["errors"],
        "sort": state["sort"],
        "sorts": list(selectors.SORT_LABELS.items()),
        "sizes": selectors.PAGE_SIZES,
        # The htmx fragment has no saved-view links: skip their query.
        "saved_views": [] if request.htmx else selectors.saved_views_for(request.user),
        "current_view": state["data"].get("view", ""),
        "first_url": "?" + params.urlencode() if params else "?",
        "next_url": "?" + next_params.urlencode() if page.next_cursor else "",
        "export_url": reverse("backoffice:queue-export") + "?" + params.urlencode(),
        "is_later_page": bool(state["data"].get("after")),
        "rows_html": queue_rows_html(rows, claim_prefix=reverse("backoffice:claim", args=[0])[:-2]),
        "can_assign": request.user.has_perm("backoffice.assign_claims"),
        # Only an empty page asks why (keeps the pinned query count of a page with rows).
        "no_region": not page.rows and staff_has_no_region(request.user),
    }
    template = "backoffice/_queue_results.html" if request.htmx else "backoffice/queue.html"
    return render(request, template, context)


EXPORT_COLUMNS = [
    "reference",
    "status",
    "region",
    "submitted_at",
    "customer",
    "product",
    "seller",
    "currency",
    "claimed",
    "approved",
    "funding",
    "risk_level",
    "risk_score",
    "assignee",
    "seller_respond_by",
    "customer_info_due",
    "decision_due",
    "tags",
]


def _export_rows(request, queryset, sort):
    writer = csv.writer(Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    after = ""
    while True:
        page = selectors.queue_page(
            queryset.annotate(region_code=F("region__code")), sort=sort, after=after, size=500
        )
        for c in page.rows:
            yield writer.writerow(
                [
                    csv_safe(v)
                    for v in (
                        c.reference,
                        c.status,
                        c.region_code,
                        c.submitted_at.isoformat(),
                        c.customer_name,
                        c.product_title,
                        c.seller_name,
                        c.currency,
                        c.claimed_total_minor,
                        c.approved_total_minor,
                        c.funding,
                        c.risk_level,
                        c.risk_score,
                        c.assignee_username,
                        c.seller_respond_by and c.seller_respond_by.isoformat(),
                        c.customer_info_due and c.customer_info_due.isoformat(),
                        c.decision_due and c.decision_due.isoformat(),
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
        _export_rows(request, state["queryset"], state["sort"]), content_type="text/csv"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
    return response


@require_POST
@staff_view("claims.view_claim")
def queue_bulk(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    back = back if back.startswith("?") else ""
    target = reverse("backoffice:queue") + back
    form = BulkForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
                )
        return redirect(target)
    ids = form.cleaned_data["claims"]
    claims = list(
        selectors.claims_visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("assignee", "region")
        .order_by("pk")
    )
    try:
        result = claims_bulk(
            claims=claims, user=request.user, action=form.cleaned_data["action"], value=form.value()
        )
    except BackofficeError as exc:
        messages.error(request, str(exc))
        return redirect(target)
    unknown = len(set(ids)) - len(claims)
    if result.succeeded:
        messages.success(
            request,
            _("Done for %(n)d claim(s): %(refs)s")
            % {"n": len(result.succeeded), "refs": ", ".join(result.succeeded)},
        )
    for reference, error in result.failed:
        messages.error(
            request, _("Not done for %(ref)s: %(why)s") % {"ref": reference, "why": error}
        )
    if unknown:
        messages.error(request, _("%(n)d selected claim(s) were not found.") % {"n": unknown})
    return redirect(target)


@require_safe
@staff_view("backoffice.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(claims=selectors.claims_visible_to(request.user))
    figures["no_region"] = not figures["regions"] and staff_has_no_region(request.user)
    query = urlencode({"status": "fraud_hold"})
    return render(request, "backoffice/dashboard.html", {**figures, "fraud_hold_url": f"?{query}"})


@require_safe
@staff_view("backoffice.view_safetyalert")
def safety(request: HttpRequest) -> HttpResponse:
    live = list(
        SafetyAlert.objects.filter(status__in=OPEN_ALERT_STATUSES)
        .select_related("product__seller", "claim", "updated_by")
        .order_by("report_due", "pk")
    )
    closed = list(
        SafetyAlert.objects.exclude(status__in=OPEN_ALERT_STATUSES)
        .select_related("product__seller", "claim", "updated_by")
        .order_by("-updated_at", "-pk")[:50]
    )
    return render(
        request,
        "backoffice/safety.html",
        {
            "live": live,
            "closed": closed,
            "moves": ALERT_MOVES,
            "form": AlertForm(),
            "can_change": request.user.has_perm("backoffice.change_safetyalert"),
            "now": timezone.now(),
        },
    )


@require_POST
@staff_view("backoffice.change_safetyalert")
def safety_alert_update(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(SafetyAlert, pk=pk)
    form = AlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to mark the alert as."))
        return redirect("backoffice:safety")
    try:
        safety_alert_mark(
            alert=alert,
            user=request.user,
            status=form.cleaned_data["status"],
            reference=form.cleaned_data["reference"],
            reason=form.cleaned_data["reason"],
        )
    except DOMAIN_ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Alert for %(product)s marked %(status)s.")
            % {"product": alert.product.title, "status": alert.get_status_display()},
        )
    return redirect("backoffice:safety")
