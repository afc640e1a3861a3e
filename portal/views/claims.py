"""The customer's own claims: home, the claim page, and what the customer may do on it."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import ClaimError, EvidenceRejected
from claims.files import evidence_response
from claims.models import ClaimStatus, EvidenceKind
from claims.services import appeal_until, claim_appeal, claim_withdraw
from claims.uploads import upload_read
from claims_site.forms_http import form_address
from payouts.selectors import claim_payee_situation
from portal.forms import (
    AnswerForm,
    AppealForm,
    EvidenceForm,
    PartyPaymentAnswerForm,
    WithdrawForm,
)
from portal.limits import upload_limited
from portal.progress import claim_tracker, customer_history
from portal.selectors import (
    claim_info_request,
    claim_timeline,
    customer_claim,
    customer_claims,
    customer_evidence,
    customer_orders,
    party_payment_for,
)
from portal.services import (
    EVIDENCE_CLOSED,
    Upload,
    claim_answer_info,
    claim_evidence_upload,
)
from portal.session import customer_required
from portal.views.wizard import limits_context
from portal.wording import (
    PARTY_PAYS_NEXT,
    PAYEE_NEEDED_HAPPENED,
    PAYEE_NEEDED_NEXT,
    WHAT_HAPPENED,
    WHAT_NEXT,
    next_deadline,
)


@require_safe
@customer_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "claims": list(customer_claims(customer=request.customer)),
            "orders": list(customer_orders(customer=request.customer)),
        },
    )


def _page(request, claim, *, status: int = 200, **forms) -> HttpResponse:
    until = appeal_until(claim)
    can_appeal = until is not None and until > timezone.now()
    deadline = next_deadline(claim, appeal_until=until if can_appeal else None)
    money = claim_payee_situation(claim=claim)
    events = claim_timeline(claim=claim)
    party_payment = party_payment_for(claim=claim)
    if money.needs_payee:
        what_next = PAYEE_NEEDED_NEXT
    elif claim.status == ClaimStatus.APPROVED and party_payment:
        what_next = PARTY_PAYS_NEXT[party_payment.party]
    else:
        what_next = WHAT_NEXT[claim.status]
    action_errors = [
        error
        for form in forms.values()
        for field, errors in form.errors.items()
        for error in errors
        if field in ("__all__", "files") or not form[field].is_hidden
    ]
    context = {
        "claim": claim,
        "action_errors": action_errors,
        "what_happened": PAYEE_NEEDED_HAPPENED
        if money.needs_payee
        else WHAT_HAPPENED[claim.status],
        "what_next": what_next,
        "money": money,
        "deadline": deadline,
        "tracker": claim_tracker(
            status=claim.status,
            events=events,
            seller_needed=not claim.is_at_or_under_threshold,
        ),
        "history": customer_history(events),
        "info_request": claim_info_request(claim=claim)
        if claim.status == ClaimStatus.NEEDS_INFO
        else "",
        "can_withdraw": claim.status in lifecycle.WITHDRAWABLE,
        "can_appeal": can_appeal,
        "can_add_evidence": claim.status not in EVIDENCE_CLOSED,
        # Details serve a payment still to come: not offered on a paid, withdrawn or closed claim.
        "can_change_payee": claim.status not in lifecycle.SETTLED_STATUSES,
        "evidence_form": forms.get("evidence_form")
        or EvidenceForm(initial={"kind": EvidenceKind.OTHER}),
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "party_payment": party_payment,
        "party_payment_form": forms.get("party_payment_form") or PartyPaymentAnswerForm(),
        **limits_context(),
    }
    return render(request, "portal/claim_detail.html", context, status=status)


@require_safe
@customer_required
def claim_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _page(request, customer_claim(customer=request.customer, reference=reference))


@require_safe
@customer_required
def claim_submitted(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    return render(request, "portal/claim_submitted.html", {"claim": claim})


def _errors(form, field: str | None, exc: ClaimError) -> None:
    """One error per reason: the upload policy names every refused file on its own line."""
    for reason in getattr(exc, "reasons", None) or [str(exc)]:
        form.add_error(field, reason)


UPLOADS_TODAY = gettext_lazy("You have uploaded many files today. Please try again tomorrow.")


def _uploads(form) -> list[Upload]:
    kind = form.cleaned_data["kind"]
    return [
        Upload(data=upload_read(f), filename=f.name, kind=kind) for f in form.cleaned_data["files"]
    ]


@form_address("portal:claim-detail")
@customer_required
def claim_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    form = EvidenceForm(request.POST, request.FILES)
    if upload_limited(request, customer_id=request.customer_id):
        form.is_valid()
        form.add_error(None, UPLOADS_TODAY)
        return _page(request, claim, status=429, evidence_form=form)
    if not form.is_valid():
        return _page(request, claim, status=400, evidence_form=form)
    try:
        added = claim_evidence_upload(
            claim=claim, customer=request.customer, uploads=_uploads(form)
        )
    except ClaimError as exc:
        _errors(form, "files", exc)
        return _page(request, claim, status=400, evidence_form=form)
    messages.success(
        request,
        ngettext(
            "Thank you: %(n)d file added to your claim.",
            "Thank you: %(n)d files added to your claim.",
            added,
        )
        % {"n": added},
    )
    return redirect("portal:claim-detail", reference=claim.reference)


@form_address("portal:claim-detail")
@customer_required
def claim_answer(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    form = AnswerForm(request.POST, request.FILES)
    # Files sent with an answer count against the same daily limit as any other upload.
    if request.FILES and upload_limited(request, customer_id=request.customer_id):
        form.is_valid()
        form.add_error(None, UPLOADS_TODAY)
        return _page(request, claim, status=429, answer_form=form)
    if not form.is_valid():
        return _page(request, claim, status=400, answer_form=form)
    try:
        claim_answer_info(
            claim=claim,
            customer=request.customer,
            message=form.cleaned_data["message"],
            uploads=_uploads(form),
        )
    except ClaimError as exc:
        _errors(form, "files" if isinstance(exc, EvidenceRejected) else None, exc)
        return _page(request, claim, status=400, answer_form=form)
    messages.success(request, _("Thank you. We have your answer and your claim is moving again."))
    return redirect("portal:claim-detail", reference=claim.reference)


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def claim_withdraw_view(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                claim_withdraw(
                    claim=claim,
                    actor=Actor.customer(request.customer),
                    reason=form.cleaned_data["reason"].strip(),
                )
            except ClaimError as exc:
                messages.error(request, str(exc))
                return redirect("portal:claim-detail", reference=claim.reference)
            messages.success(
                request, _("Your claim %(ref)s is withdrawn.") % {"ref": claim.reference}
            )
            return redirect("portal:claim-detail", reference=claim.reference)
        status = 400
    if claim.status not in lifecycle.WITHDRAWABLE:
        messages.error(request, _("This claim can no longer be withdrawn."))
        return redirect("portal:claim-detail", reference=claim.reference)
    return render(
        request, "portal/claim_withdraw.html", {"claim": claim, "form": form}, status=status
    )


@form_address("portal:claim-detail")
@customer_required
def claim_appeal_view(request: HttpRequest, reference: str) -> HttpResponse:
    claim = customer_claim(customer=request.customer, reference=reference)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _page(request, claim, status=400, appeal_form=form)
    try:
        claim_appeal(
            claim=claim, actor=Actor.customer(request.customer), reason=form.cleaned_data["reason"]
        )
    except ClaimError as exc:
        form.add_error(None, str(exc))
        return _page(request, claim, status=400, appeal_form=form)
    messages.success(
        request, _("We received your appeal. A different member of staff will review it.")
    )
    return redirect("portal:claim-detail", reference=claim.reference)


@require_safe
@customer_required
def evidence_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """The customer's own files only; never from a public media URL."""
    evidence = customer_evidence(customer=request.customer, reference=reference, evidence_id=pk)
    return evidence_response(evidence)


@form_address("portal:claim-detail")
@customer_required
def claim_party_payment(request: HttpRequest, reference: str) -> HttpResponse:
    """The customer says whether the seller's (or insurer's) payment arrived."""
    from sellers.services.party_payments import party_payment_answer

    claim = customer_claim(customer=request.customer, reference=reference)
    payment = party_payment_for(claim=claim)
    form = PartyPaymentAnswerForm(request.POST)
    if payment is None or not form.is_valid():
        return _page(request, claim, status=400, party_payment_form=form)
    received = form.cleaned_data["received"] == "yes"
    try:
        party_payment_answer(
            payment=payment,
            actor=Actor.customer(request.customer),
            received=received,
            note=form.cleaned_data["note"],
        )
    except ClaimError as exc:
        form.add_error(None, str(exc))
        return _page(request, claim, status=400, party_payment_form=form)
    messages.success(
        request,
        _("Thank you: your claim is settled.")
        if received
        else _(
            "Thank you: we will pay you ourselves if the payment is still missing at the deadline."
        ),
    )
    return redirect("portal:claim-detail", reference=claim.reference)
