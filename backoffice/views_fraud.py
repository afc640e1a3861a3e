"""The Fraud area of the staff app (/staff/fraud/): the analysts' queue, a case, watchlists,
rules and rule performance. Views parse, call one service of ``fraud.services``, and redirect
with a message; domain errors become messages, never half-done work.

The queue pages through the back office's one queue engine (``backoffice.selectors.queue_page``,
keyset cursor, no count); the old /fraud/ addresses redirect here."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backoffice.lists import ENTRIES, area_list
from backoffice.notifications import notifications_read_for_claim
from backoffice.selectors import BadCursor, claims_visible_to, queue_page
from backoffice.views import staff_view
from claims.actors import Actor
from claims.exceptions import ClaimError
from claims.models import Claim, ClaimStatus
from claims.regions import region_name
from claims.scope import staff_has_no_region
from fraud import selectors
from fraud.filters import QueueFilter, WatchlistFilter
from fraud.forms import (
    DecisionForm,
    PeriodForm,
    ReassignForm,
    RuleForm,
    WatchlistForm,
)
from fraud.models import Rule, WatchlistEntry
from fraud.referrals import fraud_refer
from fraud.services import (
    fraud_clear,
    fraud_confirm,
    fraud_next_case,
    fraud_reassign,
    rule_unchanged_said,
    rule_update,
    watchlist_add,
    watchlist_expire,
)

PAGE_SIZE = 25


def analyst_only(view):
    """Signed-in staff with the fraud-review permission; everyone else is refused."""
    return staff_view("claims.review_fraud")(view)


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_safe
@analyst_only
def queue(request: HttpRequest) -> HttpResponse:
    base = (
        claims_visible_to(request.user)
        .filter(status=ClaimStatus.FRAUD_HOLD)
        .annotate(region_code=F("region__code"), region_stored=F("region__name"))
    )
    filters = QueueFilter(request.GET or None, queryset=base)
    if filters.is_bound and not filters.is_valid():
        _errors(request, filters.form)
        queryset = base.none()
    else:
        queryset = filters.qs
    after = request.GET.get("after", "")
    try:
        page = queue_page(queryset, sort="risk", after=after, size=PAGE_SIZE)
    except BadCursor:
        messages.error(request, _("That page link is no longer valid; showing the first page."))
        page, after = queue_page(queryset, sort="risk", after="", size=PAGE_SIZE), ""
    for claim in page.rows:
        claim.region_label = region_name(claim.region_code, claim.region_stored)
    params = request.GET.copy()
    params.pop("after", None)
    return render(
        request,
        "backoffice/fraud/queue.html",
        {
            "filter": filters,
            "page": page,
            "fraud_nav": "queue",
            # Only an empty page asks why (keeps the pinned query count of a page with rows).
            "no_region": not page.rows and staff_has_no_region(request.user),
            "is_later_page": bool(after),
            "first_query": params.urlencode(),
            "next_query": (params.urlencode() + "&" if params else "")
            + urlencode({"after": page.next_cursor})
            if page.next_cursor
            else "",
        },
    )


@require_POST
@analyst_only
def next_case(request: HttpRequest) -> HttpResponse:
    try:
        claim = fraud_next_case(analyst=request.user)
    except ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:fraud-queue")
    if claim is None:
        messages.info(request, _("No unassigned claim is waiting. Well done."))
        return redirect("backoffice:fraud-queue")
    messages.success(request, _("Claim %(ref)s is yours.") % {"ref": claim.reference})
    return redirect("backoffice:fraud-claim", pk=claim.pk)


def _case(request: HttpRequest, pk: int) -> Claim:
    """A claim of the analyst's regions (need-to-know: another region's is not found)."""
    try:
        return selectors.fraud_claim(pk=pk, user=request.user)
    except Claim.DoesNotExist:
        raise Http404 from None


def _case_page(
    request: HttpRequest, claim: Claim, *, decision_form=None, reassign_form=None, status=200
):
    context = {
        "claim": claim,
        "assessment": selectors.assessment_latest(claim=claim),
        "history": selectors.assessment_history(claim=claim),
        # Linked claims outside the analyst's regions are counted, not shown (need-to-know).
        "linked": (linked := selectors.linked_claims(claim=claim, user=request.user)),
        "linked_hidden": linked.hidden_count,
        "decision_form": decision_form or DecisionForm(),
        "reassign_form": reassign_form or ReassignForm(),
        "fraud_nav": "queue",
    }
    return render(request, "backoffice/fraud/claim.html", context, status=status)


@require_safe
@analyst_only
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _case(request, pk)
    # Opening the case is acting on what notified it, as opening the claim's workspace is: the
    # viewer's notifications of it are read (before the header counts them).
    notifications_read_for_claim(user=request.user, claim_id=claim.pk)
    return _case_page(request, claim)


@require_POST
@analyst_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Clear, confirm or refer. A contradictory choice (a label that does not fit the decision,
    confirming without the customer's explanation) comes back with every problem beside its
    field and what was typed; nothing is recorded."""
    claim = _case(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _case_page(request, claim, decision_form=form, status=400)
    data, actor = form.cleaned_data, Actor.staff(request.user)
    try:
        if data["action"] == "clear":
            fraud_clear(claim=claim, actor=actor, label=data["label"], note=data["note"])
            done = _("Claim %(ref)s cleared.")
        elif data["action"] == "confirm":
            fraud_confirm(
                claim=claim,
                actor=actor,
                note=data["note"],
                explanation=data["explanation"],
                watchlist_kinds=data["watchlist_kinds"],
            )
            done = _("Fraud confirmed; claim %(ref)s denied.")
        else:
            fraud_refer(
                claim=claim,
                actor=actor,
                adjuster_email=data["adjuster_email"] or "",
                label=data["label"],
                note=data["note"],
                due_days=data["due_days"] or 10,
            )
            done = _("Claim %(ref)s sent to the adjuster.")
    except ClaimError as exc:
        claim.refresh_from_db(fields=["status"])
        if claim.status != ClaimStatus.FRAUD_HOLD:
            # Decided in another tab or by someone else: the case page (which no longer offers
            # the form) says by whom; nothing was changed.
            messages.error(request, str(exc))
            return redirect("backoffice:fraud-claim", pk=pk)
        form.add_error(None, str(exc))
        return _case_page(request, claim, decision_form=form, status=400)
    messages.success(request, done % {"ref": claim.reference})
    return redirect("backoffice:fraud-claim", pk=pk)


@require_POST
@analyst_only
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Bad input comes back on the case page with the analyst chosen and the reason typed, each
    problem beside its field; nothing changes."""
    claim = _case(request, pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        return _case_page(request, claim, reassign_form=form, status=400)
    try:
        fraud_reassign(
            claim=claim,
            assignee=form.cleaned_data["assignee"],
            actor=Actor.staff(request.user),
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Claim %(ref)s reassigned.") % {"ref": claim.reference})
    except ClaimError as exc:
        messages.error(request, str(exc))
    return redirect("backoffice:fraud-claim", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@analyst_only
def watchlist(request: HttpRequest) -> HttpResponse:
    """Bad input comes back with what was typed and every problem beside its field."""
    form = WatchlistForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            expires = None
            if data["expires_on"]:
                zone = timezone.get_current_timezone()
                expires = dt.datetime.combine(data["expires_on"], dt.time.max, tzinfo=zone)
            try:
                entry = watchlist_add(
                    kind=data["kind"],
                    value=data["value"],
                    reason=data["reason"],
                    actor=Actor.staff(request.user),
                    expires_at=expires,
                )
                messages.success(
                    request, _("“%(value)s” is on the watchlist.") % {"value": entry.value}
                )
                return redirect("backoffice:fraud-watchlist")
            except ClaimError as exc:
                form.add_error(None, str(exc))
    # The queue engine's list (backoffice.lists): keyset pages and an estimated total, never
    # a COUNT of the whole watchlist on every page.
    entries = area_list(
        request,
        WatchlistEntry.objects.select_related("added_by", "source_claim"),
        prefix="watched",
        age="created_at",
        noun=ENTRIES,
        filterset_class=WatchlistFilter,
        default_sort="newest",
    )
    return render(
        request,
        "backoffice/fraud/watchlist.html",
        {"form": form, "entries": entries, "fraud_nav": "watchlist"},
        status=status,
    )


@require_POST
@analyst_only
def watchlist_end(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WatchlistEntry, pk=pk)
    watchlist_expire(entry=entry, actor=Actor.staff(request.user))
    messages.success(request, _("“%(value)s” is no longer watched.") % {"value": entry.value})
    return redirect("backoffice:fraud-watchlist")


@require_safe
@analyst_only
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/fraud/rules.html",
        {"rules": Rule.objects.order_by("code"), "fraud_nav": "rules"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@analyst_only
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    """One labelled field per parameter; bad input comes back with what was typed and every
    problem beside its field, and nothing is saved. Saving what the rule already is is not an
    error (there is nothing to fix): the page again, saying nothing changed."""
    rule = get_object_or_404(Rule, code=code)
    initial = {"version": rule.version, "weight": rule.weight, "enabled": rule.enabled}
    form = RuleForm(request.POST or None, initial=initial, rule=rule)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        if form.unchanged:
            messages.info(request, rule_unchanged_said(rule=rule))
            return redirect("backoffice:fraud-rule-edit", code=rule.code)
        status = 400
        if valid:
            data = form.cleaned_data
            try:
                rule_update(
                    rule=rule,
                    expected_version=data["version"],
                    weight=data["weight"],
                    params=data["params"],
                    enabled=data["enabled"],
                    actor=Actor.staff(request.user),
                    reason=data["reason"],
                )
                messages.success(
                    request,
                    _("Rule %(code)s is now version %(v)d.")
                    % {"code": rule.label, "v": rule.version},
                )
                return redirect("backoffice:fraud-rules")
            except ClaimError as exc:
                form.add_error(None, str(exc))
    versions = rule.versions.select_related("changed_by").order_by("-version")[:50]
    return render(
        request,
        "backoffice/fraud/rule_edit.html",
        {"rule": rule, "form": form, "versions": versions, "fraud_nav": "rules"},
        status=status,
    )


@require_safe
@analyst_only
def performance(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"since": today - dt.timedelta(days=90), "until": today})
    rows = []
    if form.is_valid():
        zone = timezone.get_current_timezone()
        since = dt.datetime.combine(form.cleaned_data["since"], dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(
            form.cleaned_data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        rows = selectors.rule_performance(since=since, until=until)
    else:
        _errors(request, form)
    return render(
        request,
        "backoffice/fraud/performance.html",
        {"form": form, "rows": rows, "fraud_nav": "performance"},
    )
