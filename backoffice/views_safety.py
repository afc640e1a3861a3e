"""Staff pages of product safety (issue 17), under /staff/safety/: the alerts, one alert with
its history, its report draft (page, PDF, CSV) and filing, incident facts, recall lists and the
listings to suspend. Each view calls one selector or service of the ``safety`` app."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backoffice.exceptions import BackofficeError
from backoffice.views import staff_view
from claims.exceptions import ClaimError
from claims.scope import claims_visible_to
from safety import selectors
from safety.exceptions import SafetyError
from safety.forms import (
    AlertMoveForm,
    FileReportForm,
    IncidentFactsForm,
    RecallImportForm,
    ReportDraftForm,
)
from safety.models import LIVE_STATUSES, AlertStatus, IncidentFacts, Recall, SafetyAlert
from safety.recalls import recalls_import
from safety.reports import report_csv_rows, report_facts, report_pdf, report_values
from safety.rules import RULE_LABELS
from safety.services import (
    ALERT_MOVES,
    alert_draft_save,
    alert_file,
    alert_move,
    alert_opened,
    alert_written_file,
    incident_facts_record,
)

ERRORS = (SafetyError, BackofficeError, ClaimError)


def _alert(pk: int, user) -> SafetyAlert:
    try:
        return selectors.alert_detail(pk, user)
    except SafetyAlert.DoesNotExist as exc:
        raise Http404 from exc


def _reasons(alert: SafetyAlert) -> list[str]:
    return [str(RULE_LABELS.get(code, code)) for code in alert.reasons]


@require_safe
@staff_view("safety.view_safetyalert")
def safety(request: HttpRequest) -> HttpResponse:
    live = list(selectors.alerts_live(request.user))
    for alert in live:
        alert.reason_labels = _reasons(alert)
    return render(
        request,
        "backoffice/safety.html",
        {
            "live": live,
            "new_count": sum(1 for a in live if a.first_opened_at is None),
            "written_due": list(selectors.alerts_written_due(request.user)),
            "closed": list(selectors.alerts_closed(request.user)),
        },
    )


@require_safe
@staff_view("safety.view_safetyalert")
def safety_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(pk, request.user)
    if request.method == "GET" and request.user.has_perm("safety.change_safetyalert"):
        alert_opened(alert=alert, user=request.user)
    return _alert_page(request, alert)


def _alert_page(request: HttpRequest, alert: SafetyAlert, *, move_form=None, status=200):
    moves = ALERT_MOVES.get(alert.status, ())
    claims = list(alert.claims.select_related("region", "customer").order_by("submitted_at", "pk"))
    facts = {f.claim_id: f for f in IncidentFacts.objects.filter(claim__in=claims)}
    for claim in claims:
        claim.facts = facts.get(claim.pk)
    return render(
        request,
        "backoffice/safety_alert.html",
        {
            "alert": alert,
            "claims": claims,
            "reasons": _reasons(alert),
            "moves": moves,
            "move_form": move_form or AlertMoveForm(moves=moves),
            "can_change": request.user.has_perm("safety.change_safetyalert"),
            "can_file": request.user.has_perm("safety.file_safetyalert"),
        },
        status=status,
    )


@require_POST
@staff_view("safety.change_safetyalert")
def safety_alert_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Bad input (dismissing without a reason) comes back on the alert page with the choice and
    what was typed, the problem beside its field; nothing changes."""
    alert = _alert(pk, request.user)
    # Every move validates here; one the alert's status no longer allows is the service's to
    # refuse (another tab moved it first), with its message.
    form = AlertMoveForm(request.POST)
    if not form.is_valid():
        form.fields["to"].choices = (
            AlertMoveForm(moves=ALERT_MOVES.get(alert.status, ())).fields["to"].choices
        )
        return _alert_page(request, alert, move_form=form, status=400)
    try:
        alert_move(
            alert=alert,
            user=request.user,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The alert is now %(status)s.") % {"status": alert.get_status_display()}
        )
    return redirect("backoffice:safety-alert", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("safety.view_safetyalert")
def safety_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report draft: every field of the regulator's form, pre-filled; staff complete it
    (POST saves the draft) and file it (its own form)."""
    alert = _alert(pk, request.user)
    facts = report_facts(alert)
    rows = report_values(alert, facts)
    values = {row.field.code: row.value for row in rows}
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("safety.file_safetyalert"):
            raise_forbidden()
        form = ReportDraftForm(request.POST, form=alert.regulator.report_form, values=values)
        if form.is_valid():
            # Keep what staff typed where it differs from the pre-filled value; a field put
            # back to the pre-filled value follows the data again. Fields not sent stay as
            # they were.
            prefilled = {row.field.code: row.prefilled for row in rows}
            answers = {}
            for code, value in form.cleaned_data.items():
                if code not in request.POST:
                    continue
                if value.strip() != prefilled.get(code, "").strip():
                    answers[code] = value
                elif code in alert.draft:
                    answers[code] = ""
            try:
                alert_draft_save(alert=alert, user=request.user, answers=answers)
            except ERRORS as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, _("Report draft saved."))
                return redirect("backoffice:safety-report", pk=pk)
        else:
            status = 400
    else:
        form = ReportDraftForm(form=alert.regulator.report_form, values=values)
    return _report_page(request, alert, facts=facts, rows=rows, form=form, status=status)


def _report_forms(alert: SafetyAlert, user) -> dict[str, bool]:
    """Which of the report page's forms this user is shown: the draft, filing the incident
    report (form ``""``), filing the written report (form ``"written"``)."""
    can_file = user.has_perm("safety.file_safetyalert")
    return {
        "can_edit": can_file and (alert.is_live or alert.written_pending),
        "": can_file and alert.is_live,
        "written": can_file and alert.written_pending and alert.status == AlertStatus.FILED,
    }


def _report_page(
    request: HttpRequest,
    alert: SafetyAlert,
    *,
    facts=None,
    rows=None,
    form=None,
    filing=None,
    status: int = 200,
) -> HttpResponse:
    """The report page; a refused form (the draft, or ``filing``: one of the filing forms,
    by its prefix) comes back with what was typed and its problems."""
    if rows is None:
        facts = report_facts(alert)
        rows = report_values(alert, facts)
    if form is None:
        values = {row.field.code: row.value for row in rows}
        form = ReportDraftForm(form=alert.regulator.report_form, values=values)
    forms = _report_forms(alert, request.user)
    filing_forms = {
        prefix: FileReportForm(initial=FileReportForm.initial(), prefix=prefix or None)
        for prefix in ("", "written")
    }
    if filing is not None:
        filing_forms[filing.prefix or ""] = filing
    return render(
        request,
        "backoffice/safety_report.html",
        {
            "alert": alert,
            "facts": facts,
            "rows": rows,
            "form": form,
            "missing": [str(r.field.label) for r in rows if r.missing],
            "file_form": filing_forms[""],
            "written_form": filing_forms["written"],
            "can_edit": forms["can_edit"],
            "can_file": forms[""],
            "can_file_written": forms["written"],
        },
        status=status,
    )


def raise_forbidden():
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _file_report(request: HttpRequest, pk: int, *, service, prefix: str, done: str):
    """Mark one of the alert's reports filed through ``service`` (the incident report, or the
    written report). Bad input comes back on the report page with what was typed and every
    problem beside its field; a refusal of the service (already filed, the other report
    first) is about the alert's state, and is said on the page as it now is."""
    alert = _alert(pk, request.user)
    back = reverse("backoffice:safety-report", args=[pk]) + (f"#{prefix}" if prefix else "")
    form = FileReportForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        if _report_forms(alert, request.user)[prefix]:
            return _report_page(request, alert, filing=form, status=400)
        for errors in form.errors.values():  # a form the page no longer shows (another tab)
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        alert = service(
            alert=alert,
            user=request.user,
            reference=form.cleaned_data["reference"],
            sent_at=form.cleaned_data["sent_at"],
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
        return redirect(back)
    reference = form.cleaned_data["reference"].strip()
    messages.success(request, done % {"regulator": alert.regulator.name, "ref": reference})
    return redirect("backoffice:safety-alert", pk=pk)


@require_POST
@staff_view("safety.file_safetyalert")
def safety_report_file(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_report(
        request,
        pk,
        service=alert_file,
        prefix="",
        done=_("Filed with %(regulator)s, reference %(ref)s."),
    )


@require_POST
@staff_view("safety.file_safetyalert")
def safety_written_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The written report (Health Canada, CCPSA 14(3)), marked filed apart from the first."""
    return _file_report(
        request,
        pk,
        service=alert_written_file,
        prefix="written",
        done=_("Written report filed with %(regulator)s, reference %(ref)s."),
    )


@require_safe
@staff_view("safety.view_safetyalert")
def safety_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(pk, request.user)
    response = HttpResponse(report_pdf(alert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="safety-report-{alert.pk}.pdf"'
    return response


@require_safe
@staff_view("safety.view_safetyalert")
def safety_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(pk, request.user)
    response = StreamingHttpResponse(report_csv_rows(alert), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="safety-report-{alert.pk}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("safety.view_incidentfacts")
def safety_facts(request: HttpRequest, claim_pk: int) -> HttpResponse:
    """Staff read and correct a claim's incident facts (each change kept in the history)."""
    claim = get_object_or_404(
        claims_visible_to(request.user).select_related("order_line__product"), pk=claim_pk
    )
    row = IncidentFacts.objects.filter(claim=claim).first()
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("safety.change_incidentfacts"):
            raise_forbidden()
        form = IncidentFactsForm(request.POST, people_injured=claim.people_injured)
        if form.is_valid():
            incident_facts_record(claim=claim, facts=form.as_facts(), user=request.user)
            messages.success(request, _("Incident facts saved; the alert rules weigh them again."))
            return redirect("backoffice:safety-facts", claim_pk=claim.pk)
        status = 400
    else:
        form = IncidentFactsForm(
            initial=IncidentFactsForm.initial_from_row(row) if row else {},
            people_injured=claim.people_injured,
        )
    history = (
        list(row.history.select_related("history_user").order_by("-history_date")[:20])
        if row
        else []
    )
    return render(
        request,
        "backoffice/safety_facts.html",
        {
            "claim": claim,
            "form": form,
            "history": history,
            "can_change": request.user.has_perm("safety.change_incidentfacts"),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("safety.view_recall")
def safety_recalls(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("safety.import_recall"):
            raise_forbidden()
        form = RecallImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = recalls_import(
                    text=form.cleaned_data["file"],
                    source=form.cleaned_data["source"],
                    regulator=form.cleaned_data["regulator"],
                    user=request.user,
                )
            except ERRORS as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("Read %(n)d recall(s), %(new)d new; %(m)d new product match(es).")
                    % {"n": result.recalls, "new": result.new_recalls, "m": len(result.matches)},
                )
                return redirect("backoffice:safety-recalls")
        status = 400
    else:
        form = RecallImportForm()
    recalls = Recall.objects.select_related("regulator").prefetch_related("matches__product")[:100]
    return render(
        request,
        "backoffice/safety_recalls.html",
        {
            "form": form,
            "recalls": recalls,
            "can_import": request.user.has_perm("safety.import_recall"),
        },
        status=status,
    )


@require_safe
@staff_view("safety.view_safetyalert")
def safety_listings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/safety_listings.html",
        {"products": list(selectors.products_to_suspend()), "live": LIVE_STATUSES},
    )
