"""The Decisions area: approvals awaiting a second approver (showing everything they sign) and
QA samples of automatic approvals. Views parse, call one service of ``payouts.services``, turn a
refusal into a message on the same page (what was typed is kept) and redirect when done."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from backoffice.forms_areas import QAReviewForm, SecondApprovalForm
from backoffice.lists import APPROVALS, SAMPLES, area_list, reader_regions
from backoffice.services import DOMAIN_ERRORS
from backoffice.views import staff_view
from claims.actors import Actor
from claims.scope import claim_rows_visible_to
from payouts import selectors
from payouts.models import ApprovalRequest, QASample, RequestStatus
from payouts.services import (
    approval_decisions_for,
    approval_reject,
    approval_requests_decidable,
    approval_second,
    qa_review_record,
)


@require_safe
@staff_view("claims.decide_claim", "payouts.review_qa")
def decisions(request: HttpRequest) -> HttpResponse:
    """The approvals awaiting a second approver and the QA samples, each a list of the queue
    engine (``backoffice.lists``) within the viewer's regions."""
    user = request.user
    context = {
        "can_sign": user.has_perm("claims.decide_claim"),
        "can_qa": user.has_perm("payouts.review_qa"),
    }
    regions = reader_regions(user)
    if context["can_sign"]:
        approvals = area_list(
            request,
            claim_rows_visible_to(user, selectors.approval_requests_pending()),
            prefix="approvals",
            age="created_at",
            noun=APPROVALS,
            regions=regions.choices,
        )
        signable = approval_requests_decidable(requests=list(approvals.rows), user=user)
        approvals.rows = [{"request": a, "signable": a.pk in signable} for a in approvals.rows]
        context["approvals"] = approvals
    if context["can_qa"]:
        context["samples"] = area_list(
            request,
            claim_rows_visible_to(user, selectors.qa_samples_to_review()),
            prefix="samples",
            age="sampled_at",
            noun=SAMPLES,
            regions=regions.choices,
        )
        # The figures of the reader's regions; of every sample for whoever sees every region
        # (the same figures, without joining each sample to its claim: 0.2-0.7 s at 1,000,000
        # claims, against 12 ms).
        samples = QASample.objects.all()
        context["report"] = selectors.qa_report(
            samples=samples if regions.every else claim_rows_visible_to(user, samples)
        )
    return render(request, "backoffice/decisions.html", context)


def _approval(request: HttpRequest, pk: int) -> ApprovalRequest:
    """An approval on a claim of the viewer's regions (another region's is not found)."""
    approval = (
        claim_rows_visible_to(request.user, ApprovalRequest.objects.all())
        .select_related("claim__region", "requested_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if approval is None:
        raise Http404
    return approval


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("claims.decide_claim")
def decision_approval(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything the second approver signs, then approve or reject (with a reason)."""
    approval = _approval(request, pk)
    form = SecondApprovalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            actor = Actor.staff(request.user)
            note = form.cleaned_data["note"].strip()
            try:
                if form.cleaned_data["decision"] == "reject":
                    approval_reject(request=approval, actor=actor, note=note)
                    done = _("Approval of %(ref)s rejected; the claim is back for a new decision.")
                else:
                    approval_second(request=approval, actor=actor, note=note)
                    done = _("Claim %(ref)s approved: you gave the second approval.")
            except DOMAIN_ERRORS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done % {"ref": approval.claim.reference})
                return redirect("backoffice:decisions")
        status = 400
    pending = approval.status == RequestStatus.PENDING
    # Offer only the decisions the service would let the viewer make, and say why not the
    # others (a forged one is still refused by the service, with the same words).
    refusals = (
        approval_decisions_for(request=approval, actor=Actor.staff(request.user)) if pending else {}
    )
    field = form.fields["decision"]
    field.choices = [(value, label) for value, label in field.choices if not refusals.get(value)]
    return render(
        request,
        "backoffice/decision_approval.html",
        {
            "approval": approval,
            "sign": selectors.approval_what_is_signed(approval),
            "form": form,
            "pending": pending,
            "own": approval.requested_by_id == request.user.pk,
            "offered": bool(field.choices),
            # Said once: a refusal the form already shows (a forged decision) is not repeated.
            # (Both decisions may be refused for the same reason, said once too.)
            "not_offered": [
                why
                for why in dict.fromkeys(refusals.values())
                if why and why not in form.non_field_errors()
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("payouts.review_qa")
def qa_sample(request: HttpRequest, pk: int) -> HttpResponse:
    sample = (
        claim_rows_visible_to(request.user, QASample.objects.all())
        .select_related("claim__region", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if sample is None:
        raise Http404
    form = QAReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                qa_review_record(
                    sample=sample, actor=Actor.staff(request.user), **form.cleaned_data
                )
            except DOMAIN_ERRORS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Review of %(ref)s recorded.") % {"ref": sample.claim.reference},
                )
                return redirect("backoffice:decisions")
        status = 400
    claim = sample.claim
    return render(
        request,
        "backoffice/qa_sample.html",
        {
            "sample": sample,
            "claim": claim,
            "losses": list(claim.losses.order_by("id")),
            "form": form,
        },
        status=status,
    )
