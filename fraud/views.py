"""The analyst workspace and the adjuster's page. Views parse, call one service, and redirect
with a message; domain errors become messages, never half-done work."""

import datetime as dt
import json
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claims.actors import Actor
from claims.evidence import Looker, Viewer, evidence_visible
from claims.exceptions import ClaimError
from claims.files import evidence_response
from claims.limits import TOO_MANY, link_write_limited
from claims.links import LinkRefused, link_resolve
from claims.models import Claim, LinkPurpose
from claims.scope import claims_visible_to, staff_has_no_region
from claims.uploads import upload_read
from fraud import selectors
from fraud.filters import QueueFilter
from fraud.forms import (
    AdjusterReportForm,
    DecisionForm,
    PeriodForm,
    ReassignForm,
    RuleForm,
    WatchlistForm,
)
from fraud.models import Rule, WatchlistEntry
from fraud.referrals import fraud_refer, fraud_referral_report, referral_for_link
from fraud.services import (
    fraud_clear,
    fraud_confirm,
    fraud_next_case,
    fraud_reassign,
    rule_update,
    watchlist_add,
    watchlist_expire,
)

PAGE_SIZE = 25


def analyst_only(view):
    """Signed-in staff with the fraud-review permission; everyone else is refused."""
    return login_required(permission_required("claims.review_fraud", raise_exception=True)(view))


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_safe
@analyst_only
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilter(request.GET or None, queryset=selectors.fraud_queue(user=request.user))
    if filters.is_bound and not filters.is_valid():
        _errors(request, filters.form)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filters, "page": page, "fraud_nav": "queue"}
    context["no_region"] = not page.object_list and staff_has_no_region(request.user)
    return render(request, "fraud/queue.html", context)


@require_POST
@analyst_only
def next_case(request: HttpRequest) -> HttpResponse:
    try:
        claim = fraud_next_case(analyst=request.user)
    except ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("fraud:queue")
    if claim is None:
        messages.info(request, _("No unassigned claim is waiting. Well done."))
        return redirect("fraud:queue")
    messages.success(request, _("Claim %(ref)s is yours.") % {"ref": claim.reference})
    return redirect("fraud:claim", pk=claim.pk)


@require_safe
@analyst_only
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        claim = selectors.fraud_claim(pk=pk, user=request.user)
    except Claim.DoesNotExist:
        raise Http404 from None
    # Linked claims outside the analyst's regions are counted, not shown (need-to-know).
    linked = selectors.linked_claims(claim=claim, user=request.user)
    context = {
        "claim": claim,
        "assessment": selectors.assessment_latest(claim=claim),
        "history": selectors.assessment_history(claim=claim),
        "linked": linked,
        "linked_hidden": linked.hidden_count,
        "decision_form": DecisionForm(),
        "reassign_form": ReassignForm(),
        "fraud_nav": "queue",
    }
    return render(request, "fraud/claim.html", context)


@require_POST
@analyst_only
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(claims_visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("fraud:claim", pk=pk)
    data, actor = form.cleaned_data, Actor.staff(request.user)
    try:
        if data["action"] == "clear":
            fraud_clear(claim=claim, actor=actor, label=data["label"], note=data["note"])
            messages.success(request, _("Claim %(ref)s cleared.") % {"ref": claim.reference})
        elif data["action"] == "confirm":
            fraud_confirm(
                claim=claim,
                actor=actor,
                note=data["note"],
                explanation=data["explanation"],
                watchlist_kinds=data["watchlist_kinds"],
            )
            messages.success(
                request, _("Fraud confirmed; claim %(ref)s denied.") % {"ref": claim.reference}
            )
        else:
            fraud_refer(
                claim=claim,
                actor=actor,
                adjuster_email=data["adjuster_email"] or "",
                label=data["label"],
                note=data["note"],
                due_days=data["due_days"] or 10,
            )
            messages.success(
                request, _("Claim %(ref)s sent to the adjuster.") % {"ref": claim.reference}
            )
    except ClaimError as exc:
        messages.error(request, str(exc))
    return redirect("fraud:claim", pk=pk)


@require_POST
@analyst_only
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(claims_visible_to(request.user), pk=pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("fraud:claim", pk=pk)
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
    return redirect("fraud:claim", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@analyst_only
def watchlist(request: HttpRequest) -> HttpResponse:
    form = WatchlistForm(request.POST or None)
    if request.method == "POST":
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
                return redirect("fraud:watchlist")
            except ClaimError as exc:
                messages.error(request, str(exc))
        else:
            _errors(request, form)
    entries = WatchlistEntry.objects.select_related("added_by", "source_claim").order_by(
        "-created_at"
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "fraud/watchlist.html", {"form": form, "page": page, "fraud_nav": "watchlist"}
    )


@require_POST
@analyst_only
def watchlist_end(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WatchlistEntry, pk=pk)
    watchlist_expire(entry=entry, actor=Actor.staff(request.user))
    messages.success(request, _("“%(value)s” is no longer watched.") % {"value": entry.value})
    return redirect("fraud:watchlist")


@require_safe
@analyst_only
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request, "fraud/rules.html", {"rules": Rule.objects.order_by("code"), "fraud_nav": "rules"}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@analyst_only
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = get_object_or_404(Rule, code=code)
    initial = {
        "version": rule.version,
        "weight": rule.weight,
        "enabled": rule.enabled,
        "params": json.dumps(rule.params, indent=1),
    }
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
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
                    % {"code": rule.code, "v": rule.version},
                )
                return redirect("fraud:rules")
            except ClaimError as exc:
                messages.error(request, str(exc))
        else:
            _errors(request, form)
    versions = rule.versions.select_related("changed_by").order_by("-version")[:50]
    return render(
        request,
        "fraud/rule_edit.html",
        {"rule": rule, "form": form, "versions": versions, "fraud_nav": "rules"},
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
        request, "fraud/performance.html", {"form": form, "rows": rows, "fraud_nav": "performance"}
    )


# --- the external adjuster: a secure link, no account -------------------------------------


def _adjuster_link(request: HttpRequest, token: str):
    link = link_resolve(token=token, purpose=LinkPurpose.ADJUSTER_REVIEW)
    return link, referral_for_link(link)


@require_http_methods(["GET", "HEAD", "POST"])
def adjuster(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link, referral = _adjuster_link(request, token)
    except (LinkRefused, ClaimError) as exc:
        return render(request, "fraud/adjuster_refused.html", {"message": str(exc)}, status=403)
    form = AdjusterReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if link_write_limited(request, link=link):
            messages.error(request, TOO_MANY)
            status = 429
        elif form.is_valid():
            upload = form.cleaned_data["report"]
            try:
                fraud_referral_report(
                    referral=referral,
                    data=upload_read(upload),
                    filename=upload.name,
                    recommendation=form.cleaned_data["recommendation"],
                    summary=form.cleaned_data["summary"],
                )
                messages.success(request, _("Thank you: your report has been received."))
                return redirect("fraud:adjuster", token=token)
            except ClaimError as exc:
                for reason in getattr(exc, "reasons", None) or [str(exc)]:
                    messages.error(request, reason)
                status = 400
        else:
            _errors(request, form)
            status = 400
    claim = referral.claim
    evidence = evidence_visible(claim=claim, looker=Looker(viewer=Viewer.ADJUSTER))
    zone = zoneinfo.ZoneInfo(claim.region.time_zone)
    return render(
        request,
        "fraud/adjuster.html",
        {
            "claim": claim,
            "referral": referral,
            "evidence": evidence,
            "form": form,
            "token": token,
            "due": referral.due_at.astimezone(zone),
        },
        status=status,
    )


@require_safe
def adjuster_evidence(request: HttpRequest, token: str, pk: int) -> FileResponse:
    try:
        link, referral = _adjuster_link(request, token)
    except (LinkRefused, ClaimError):
        raise Http404 from None
    looker = Looker(viewer=Viewer.ADJUSTER)
    evidence = evidence_visible(claim=referral.claim, looker=looker).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence)
