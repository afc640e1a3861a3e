"""Pages for sellers and insurers, reached through a secure link (no password).

Every view resolves the link first; a refused link (tampered, unknown, expired, revoked, for
another claim) gets a page saying so and changes nothing. Views parse, call one service, turn a
domain error into a message and redirect (post/redirect/get).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claims.exceptions import ClaimError, EvidenceRejected
from claims.limits import TOO_MANY, link_write_limited
from claims.links import LinkRefused, link_resolve
from claims.models import AccessLink, Claim, LinkPurpose
from claims.uploads import upload_read
from sellers.forms import AppealForm, CertificateForm, PaymentRecordForm, ResponseForm
from sellers.models import (
    CertificateStatus,
    InsuranceCertificate,
    PartyPayment,
    Recovery,
    ResponseParty,
)
from sellers.selectors import (
    evidence_names,
    recoveries_for_seller,
    responses_for_claim,
    seller_standing,
)
from sellers.services.certificates import certificate_submit
from sellers.services.party_payments import party_payment_record
from sellers.services.recoveries import recovery_appeal
from sellers.services.responses import link_actor, response_is_open, seller_response_submit


def _refused(request: HttpRequest, exc: LinkRefused) -> HttpResponse:
    return render(request, "sellers/link_refused.html", {"message": str(exc)}, status=403)


def _resolve(reference: str, token: str, purpose: str) -> tuple[Claim, AccessLink]:
    claim = (
        Claim.objects.select_related("region", "seller__region", "order_line__product")
        .filter(reference=reference)
        .first()
    )
    if claim is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    return claim, link_resolve(token=token, purpose=purpose, claim=claim)


def _party(link: AccessLink) -> str:
    if link.purpose == LinkPurpose.INSURER_RESPONSE:
        return ResponseParty.INSURER
    return ResponseParty.SELLER


def _previous_files(history) -> list[tuple[int, str]]:
    """The files of the latest answer, which a new version may keep."""
    return evidence_names(ids=history[0].evidence_ids) if history else []


def _errors(request: HttpRequest, form, field: str, exc: ClaimError) -> None:
    """A refused upload is shown at its field, one line per file (the policy names each);
    any other refusal is a message at the top of the page."""
    if isinstance(exc, EvidenceRejected):
        for reason in exc.reasons:
            form.add_error(field, reason)
    else:
        messages.error(request, str(exc))


def _page(
    request: HttpRequest,
    claim: Claim,
    link: AccessLink,
    token: str,
    *,
    form: ResponseForm | None = None,
    certificate_form: CertificateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The answer page; a refused form comes back bound, so nothing typed is lost."""
    party = _party(link)
    history = responses_for_claim(claim=claim)
    if form is None:
        form = ResponseForm(party=party, previous_files=_previous_files(history))
    context = {
        "claim": claim,
        "link": link,
        "party": party,
        "is_seller": party == ResponseParty.SELLER,
        "open": response_is_open(claim),
        "history": [(r, evidence_names(ids=r.evidence_ids)) for r in history],
        "evidence": claim.evidence.all(),
        "form": form,
        "certificate_form": certificate_form or CertificateForm(currency=claim.seller.currency),
        "standing": seller_standing(seller=claim.seller) if party == ResponseParty.SELLER else None,
        "awaiting_certificates": claim.seller.certificates.filter(
            status=CertificateStatus.PENDING
        ).count()
        if party == ResponseParty.SELLER
        else 0,
        "token": token,
    }
    return render(request, "sellers/respond.html", context, status=status)


def _respond(request: HttpRequest, reference: str, token: str, purpose: str) -> HttpResponse:
    try:
        claim, link = _resolve(reference, token, purpose)
    except LinkRefused as exc:
        return _refused(request, exc)
    if request.method != "POST":
        return _page(request, claim, link, token)
    form = ResponseForm(
        request.POST,
        request.FILES,
        party=_party(link),
        previous_files=_previous_files(responses_for_claim(claim=claim)),
    )
    if link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _page(request, claim, link, token, form=form, status=429)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _page(request, claim, link, token, form=form, status=400)
    data = form.cleaned_data
    try:
        seller_response_submit(
            link=link,
            decision=data["decision"],
            reasons=data["reasons"],
            insurer_name=data.get("insurer_name", ""),
            insurer_email=data.get("insurer_email", ""),
            files=[(f.name, upload_read(f)) for f in data["files"]],
            keep_evidence_ids=data.get("keep", []),
        )
    except ClaimError as exc:
        _errors(request, form, "files", exc)
        return _page(request, claim, link, token, form=form, status=400)
    messages.success(request, _("Thank you: your answer is saved."))
    return redirect(request.path)


@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    return _respond(request, reference, token, LinkPurpose.SELLER_RESPONSE)


@require_http_methods(["GET", "HEAD", "POST"])
def insurer_respond(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    return _respond(request, reference, token, LinkPurpose.INSURER_RESPONSE)


def _certificate_refused(request, claim, link, token, form: CertificateForm) -> HttpResponse:
    messages.error(request, _("The certificate was not saved: please correct the errors below."))
    return _page(request, claim, link, token, certificate_form=form, status=400)


@require_POST
def insurance_upload(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The seller uploads a certificate with its document: it awaits staff verification.

    A refused upload (no document, a value missing, a file the checks refuse) shows the page
    again with everything the seller typed, each problem next to its field."""
    try:
        claim, link = _resolve(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    form = CertificateForm(request.POST, request.FILES, currency=claim.seller.currency)
    if link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _page(request, claim, link, token, certificate_form=form, status=429)
    if not form.is_valid():
        return _certificate_refused(request, claim, link, token, form)
    document = form.cleaned_data["document"]
    try:
        certificate_submit(
            seller=link.seller,
            data=form.certificate_input(),
            document=upload_read(document),
            document_name=document.name,
        )
    except ClaimError as exc:
        _errors(request, form, "document", exc)
        return _certificate_refused(request, claim, link, token, form)
    messages.success(
        request,
        _(
            "Thank you: your certificate is received. Our staff check it against the "
            "document and e-mail you the result; until then it does not count as proof "
            "of insurance."
        ),
    )
    return redirect("sellers:respond", reference, token)


def _statement_page(
    request: HttpRequest,
    *,
    claim: Claim,
    link: AccessLink,
    token: str,
    appeal_form: AppealForm | None = None,
    appeal_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "claim": claim,
        "seller": link.seller,
        "recoveries": list(recoveries_for_seller(seller=link.seller)),
        "standing": seller_standing(seller=link.seller),
        "now": timezone.now(),
        "appeal_form": appeal_form or AppealForm(),
        "appeal_pk": appeal_pk,
        "token": token,
    }
    return render(request, "sellers/statement.html", context, status=status)


@require_safe
def statement(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        claim, link = _resolve(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _statement_page(request, claim=claim, link=link, token=token)


@require_POST
def recovery_appeal_view(request: HttpRequest, reference: str, token: str, pk: int):
    try:
        claim, link = _resolve(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    recovery = Recovery.objects.filter(pk=pk, seller=link.seller).select_related("claim").first()
    if recovery is None:
        raise Http404
    form = AppealForm(request.POST)
    page = {"claim": claim, "link": link, "token": token, "appeal_form": form, "appeal_pk": pk}
    if link_write_limited(request, link=link):
        messages.error(request, TOO_MANY)
        return _statement_page(request, **page, status=429)
    if not form.is_valid():
        messages.error(request, _("Tell us why you should not owe this amount."))
        return _statement_page(request, **page, status=400)
    try:
        recovery_appeal(
            recovery=recovery, actor=link_actor(link), reason=form.cleaned_data["reason"]
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
        return _statement_page(request, **page, status=400)
    messages.success(
        request,
        _(
            "Your appeal on claim %(ref)s is recorded; nothing will be withheld for it "
            "until we decide."
        )
        % {"ref": recovery.claim.reference},
    )
    return redirect("sellers:statement", reference, token)


@require_http_methods(["GET", "HEAD", "POST"])
def payment(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The accepting seller (or insurer) records paying the customer."""
    try:
        try:
            claim, link = _resolve(reference, token, LinkPurpose.SELLER_RESPONSE)
        except LinkRefused:
            claim, link = _resolve(reference, token, LinkPurpose.INSURER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    watched = PartyPayment.objects.filter(claim=claim).first()
    if watched is None:
        raise Http404
    form = PaymentRecordForm(request.POST or None, request.FILES or None, currency=watched.currency)
    if request.method == "POST" and link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return render(
            request,
            "sellers/payment.html",
            {"claim": claim, "payment": watched, "form": form},
            status=429,
        )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            proof = (data["proof"].name, upload_read(data["proof"])) if data.get("proof") else None
            try:
                party_payment_record(
                    payment=watched,
                    actor=link_actor(link),
                    amount_minor=data["amount"],
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    proof=proof,
                )
            except ClaimError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    _("Thank you: your payment is recorded; the customer is asked to confirm it."),
                )
                return redirect(request.path)
        else:
            status = 400
    return render(
        request,
        "sellers/payment.html",
        {"claim": claim, "payment": watched, "form": form},
        status=status,
    )


@require_safe
@login_required
@permission_required("sellers.view_insurancecertificate", raise_exception=True)
def certificate_document(request: HttpRequest, pk: int) -> FileResponse:
    """A certificate's document, for staff: never on a public URL, always downloaded."""
    certificate = get_object_or_404(InsuranceCertificate, pk=pk)
    if not certificate.document:
        raise Http404
    response = FileResponse(
        certificate.document.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.policy_number or certificate.pk}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
