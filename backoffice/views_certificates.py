"""Staff pages: the queue of insurance certificates awaiting verification, and verifying one.

A certificate the seller uploaded counts for nothing until a staff member with
``sellers.verify_certificate`` opens its document here and confirms (or corrects) each value;
the policy checks run on what they confirmed. Views parse, call one service, turn a domain
error into a message and redirect (post/redirect/get).
"""

from decimal import Decimal
from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backoffice.selectors import BadCursor
from backoffice.views import staff_view
from claims.exceptions import ClaimError
from claims.files import evidence_response
from claims.money import exponent
from sellers import selectors
from sellers.forms import CertificateRefuseForm, CertificateVerifyForm
from sellers.models import CertificateStatus, InsuranceCertificate
from sellers.services.certificates import certificate_refuse, certificate_verify

PERMISSION = "sellers.verify_certificate"


@require_safe
@staff_view(PERMISSION)
def certificate_queue(request: HttpRequest) -> HttpResponse:
    after = request.GET.get("after", "")
    try:
        page = selectors.certificates_awaiting(user=request.user, after=after)
    except BadCursor:
        messages.error(request, _("That page link is no longer valid; showing the first page."))
        page, after = selectors.certificates_awaiting(user=request.user), ""
    return render(
        request,
        "backoffice/certificates.html",
        {"page": page, "is_later_page": bool(after)},
    )


def _certificate(request: HttpRequest, pk: int) -> InsuranceCertificate:
    """A certificate of a seller of the viewer's regions (another region's is not found)."""
    try:
        return selectors.certificate_for_verification(pk=pk, user=request.user)
    except InsuranceCertificate.DoesNotExist:
        raise Http404 from None


def _decimal(amount: int, currency: str) -> str:
    return f"{Decimal(amount).scaleb(-exponent(currency)):.{exponent(currency)}f}"


def _initial(certificate: InsuranceCertificate) -> dict:
    """The verification form starts from what the seller typed."""
    currency = certificate.currency
    return {
        "insurer_name": certificate.insurer_name,
        "policy_number": certificate.policy_number,
        "occurrence_based": "1" if certificate.occurrence_based else "0",
        "per_occurrence": _decimal(certificate.per_occurrence_minor, currency),
        "aggregate": _decimal(certificate.aggregate_minor, currency),
        "deductible": _decimal(certificate.deductible_minor, currency),
        "insurer_rating": certificate.insurer_rating,
        "marketplace_additional_insured": certificate.marketplace_additional_insured,
        "cancellation_notice_days": certificate.cancellation_notice_days,
        "effective_date": certificate.effective_date,
        "expiry_date": certificate.expiry_date,
    }


def _page(
    request: HttpRequest,
    certificate: InsuranceCertificate,
    *,
    verify_form: CertificateVerifyForm | None = None,
    refuse_form: CertificateRefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = certificate.status == CertificateStatus.PENDING
    return render(
        request,
        "backoffice/certificate.html",
        {
            "certificate": certificate,
            "seller": certificate.seller,
            "region": certificate.seller.region,
            "pending": pending,
            "verify_form": verify_form
            or CertificateVerifyForm(initial=_initial(certificate), currency=certificate.currency),
            "refuse_form": refuse_form or CertificateRefuseForm(),
            "verifications": list(certificate.verifications.all()),
            "gross": selectors.monthly_gross_for(seller=certificate.seller),
        },
        status=status,
    )


@require_safe
@staff_view(PERMISSION)
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _certificate(request, pk))


@require_safe
@staff_view(PERMISSION)
def certificate_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's document, with the same safe headers as claim evidence."""
    certificate = _certificate(request, pk)
    if not certificate.document:
        raise Http404
    return evidence_response(
        SimpleNamespace(
            file=certificate.document,
            content_type=certificate.document_content_type or "application/pdf",
            original_name=certificate.document.name.rsplit("/", 1)[-1],
        )
    )


@require_POST
@staff_view(PERMISSION)
def certificate_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = CertificateVerifyForm(request.POST, currency=certificate.currency)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the errors below."))
        return _page(request, certificate, verify_form=form, status=400)
    try:
        verification = certificate_verify(
            certificate=certificate, user=request.user, confirmed=form.certificate_input()
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:certificate", certificate.pk)
    if verification.failures:
        messages.warning(
            request,
            _("Verified, but it does not meet the policy; the seller is told why: %(why)s")
            % {"why": " ".join(verification.failures)},
        )
    else:
        messages.success(
            request,
            _("Certificate %(policy)s of %(seller)s is verified and valid.")
            % {"policy": certificate.policy_number, "seller": certificate.seller.legal_name},
        )
    return redirect("backoffice:certificates")


@require_POST
@staff_view(PERMISSION)
def certificate_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _certificate(request, pk)
    form = CertificateRefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: please correct the errors below."))
        return _page(request, certificate, refuse_form=form, status=400)
    try:
        certificate_refuse(
            certificate=certificate, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:certificate", certificate.pk)
    messages.success(
        request,
        _("Certificate %(policy)s of %(seller)s is refused; the seller is told why.")
        % {"policy": certificate.policy_number, "seller": certificate.seller.legal_name},
    )
    return redirect("backoffice:certificates")
