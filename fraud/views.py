"""The adjuster's page: a secure link, no account (the analysts' pages are the staff app's
Fraud area, ``backoffice/views_fraud.py``). Views parse, call one service, and redirect with a
message; domain errors become messages, never half-done work."""

import zoneinfo

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from claims.evidence import Looker, Viewer, evidence_visible
from claims.exceptions import ClaimError
from claims.files import evidence_response
from claims.limits import TOO_MANY, link_write_limited
from claims.links import LinkRefused, link_resolve
from claims.models import LinkPurpose
from claims.uploads import upload_read
from fraud.forms import AdjusterReportForm
from fraud.referrals import fraud_referral_report, referral_for_link


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


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
