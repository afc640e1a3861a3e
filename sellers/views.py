"""Pages for sellers and insurers, reached through a secure link (no password).

Every view resolves the link first; a refused link (tampered, unknown, expired, revoked, for
another claim) gets a page saying so and changes nothing. Views parse, call one service, turn a
domain error into a message and redirect (post/redirect/get).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from claims.actors import Actor
from claims.evidence import Looker, Viewer, claim_handed_to_insurer, evidence_visible
from claims.exceptions import ClaimError, EvidenceRejected
from claims.files import evidence_response
from claims.limits import TOO_MANY, link_write_limited
from claims.links import LinkRefused, link_resolve
from claims.models import AccessLink, Claim, LinkPurpose
from claims.uploads import upload_read
from claims_site.forms_http import form_address
from claims_site.middleware import viewer_zone_guess
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
    seller_claim_ask_now,
    seller_claim_link,
    seller_standing,
)
from sellers.services.certificates import certificate_submit
from sellers.services.party_payments import party_payment_record
from sellers.services.recoveries import recovery_appeal
from sellers.services.responses import link_actor, response_refusal, seller_response_submit
from sellers.session import seller_required


def _refused(request: HttpRequest, exc: LinkRefused) -> HttpResponse:
    return render(request, "sellers/link_refused.html", {"message": str(exc)}, status=403)


def _claim_query():
    return Claim.objects.select_related("region", "seller__region", "order_line__product")


def _resolve(reference: str, token: str, purpose: str) -> tuple[Claim, AccessLink]:
    claim = _claim_query().filter(reference=reference).first()
    if claim is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    return claim, link_resolve(token=token, purpose=purpose, claim=claim)


def _party(link: AccessLink) -> str:
    if link.purpose == LinkPurpose.INSURER_RESPONSE:
        return ResponseParty.INSURER
    return ResponseParty.SELLER


# The pages of one claim, reached by the claim's link (token) or from the seller's inbox.
_TOKEN_ROUTES = {
    "respond": "sellers:respond",
    "insurance": "sellers:insurance",
    "statement": "sellers:statement",
    "evidence": "sellers:evidence",
    "payment": "sellers:payment",
    "recovery-appeal": "sellers:recovery-appeal",
}
_INSURER_ROUTES = {
    **_TOKEN_ROUTES,
    "respond": "sellers:insurer-respond",
    "evidence": "sellers:insurer-evidence",
}
_INBOX_ROUTES = {
    "respond": "sellers:inbox-claim",
    "insurance": "sellers:inbox-insurance",
    "evidence": "sellers:inbox-evidence",
    "payment": "sellers:inbox-payment",
    "recovery-appeal": "sellers:inbox-appeal",
}


@dataclass(frozen=True)
class Access:
    """Who is on a claim's page and how they got there: the claim's link (``token``), or the
    seller's inbox session (``token`` empty; ``link`` is then the seller's latest link for the
    claim, which records what they do, as the e-mailed link would)."""

    claim: Claim
    link: AccessLink
    token: str = ""

    @property
    def party(self) -> str:
        return _party(self.link)

    @property
    def in_inbox(self) -> bool:
        return not self.token

    def url(self, name: str, *extra) -> str:
        if self.in_inbox:
            if name == "statement":
                return reverse("sellers:inbox") + "#statement"
            return reverse(_INBOX_ROUTES[name], args=[self.claim.reference, *extra])
        routes = _INSURER_ROUTES if self.party == ResponseParty.INSURER else _TOKEN_ROUTES
        return reverse(routes[name], args=[self.claim.reference, self.token, *extra])

    def looker(self) -> Looker:
        if self.party == ResponseParty.INSURER:
            return Looker(
                viewer=Viewer.INSURER, handed_to_insurer=claim_handed_to_insurer(claim=self.claim)
            )
        return Looker(viewer=Viewer.SELLER)


def _by_token(reference: str, token: str, purpose: str) -> Access:
    claim, link = _resolve(reference, token, purpose)
    return Access(claim=claim, link=link, token=token)


def _by_inbox(request: HttpRequest, reference: str) -> Access:
    """The signed-in seller's claim (another seller's: 404, no hint that it exists), or
    ``LinkRefused`` when staff revoked every link the seller had for it."""
    claim = _claim_query().filter(reference=reference, seller_id=request.seller.pk).first()
    if claim is None:
        raise Http404
    link = seller_claim_link(seller=request.seller, claim=claim)
    if link is None:
        raise LinkRefused(LinkRefused.REVOKED)
    return Access(claim=claim, link=link)


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


def _files(access: Access) -> list[tuple[object, str]]:
    """The claim's files this party may open, each with its address (images shown inline)."""
    return [
        (item, access.url("evidence", item.pk))
        for item in evidence_visible(claim=access.claim, looker=access.looker())
    ]


def _page(
    request: HttpRequest,
    access: Access,
    *,
    form: ResponseForm | None = None,
    certificate_form: CertificateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The answer page; a refused form comes back bound, so nothing typed is lost."""
    claim, party = access.claim, access.party
    history = responses_for_claim(claim=claim)
    # The accepting party pays the customer itself: where it records the payment.
    payment = PartyPayment.objects.filter(claim=claim).first()
    if form is None:
        form = ResponseForm(party=party, previous_files=_previous_files(history))
    is_seller = party == ResponseParty.SELLER
    context = {
        "claim": claim,
        "asked": seller_claim_ask_now(claim=claim, payment=payment, history=history),
        "link": access.link,
        "access": access,
        "party": party,
        "is_seller": is_seller,
        # Why answers are locked, if they are: the same rule and words as the API's refusal.
        "locked": response_refusal(claim),
        "history": [(r, evidence_names(ids=r.evidence_ids)) for r in history],
        "files": _files(access),
        "form": form,
        "certificate_form": certificate_form or CertificateForm(currency=claim.seller.currency),
        "standing": seller_standing(seller=claim.seller) if is_seller else None,
        "awaiting_certificates": claim.seller.certificates.filter(
            status=CertificateStatus.PENDING
        ).count()
        if is_seller
        else 0,
        "urls": {
            "respond": access.url("respond"),
            "insurance": access.url("insurance"),
            "statement": access.url("statement"),
            "payment": access.url("payment") if payment is not None else "",
        },
    }
    return render(request, "sellers/respond.html", context, status=status)


def _respond(request: HttpRequest, access: Access) -> HttpResponse:
    claim, link = access.claim, access.link
    viewer_zone_guess(request, claim.region.time_zone)
    if request.method != "POST":
        return _page(request, access)
    form = ResponseForm(
        request.POST,
        request.FILES,
        party=access.party,
        previous_files=_previous_files(responses_for_claim(claim=claim)),
    )
    if link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _page(request, access, form=form, status=429)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return _page(request, access, form=form, status=400)
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
        return _page(request, access, form=form, status=400)
    messages.success(request, _("Thank you: your answer is saved."))
    return redirect(access.url("respond"))


@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _respond(request, access)


@require_http_methods(["GET", "HEAD", "POST"])
def insurer_respond(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.INSURER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _respond(request, access)


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def inbox_claim(request: HttpRequest, reference: str) -> HttpResponse:
    """One claim inside the signed-in seller's inbox: the same page as the e-mailed link's."""
    try:
        access = _by_inbox(request, reference)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _respond(request, access)


def _evidence(access: Access, pk: int) -> FileResponse:
    """One file, only if this party may see it (``claims.evidence``); otherwise 404."""
    evidence = evidence_visible(claim=access.claim, looker=access.looker()).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence)


@require_safe
def evidence(request: HttpRequest, reference: str, token: str, pk: int) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _evidence(access, pk)


@require_safe
def insurer_evidence(request: HttpRequest, reference: str, token: str, pk: int) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.INSURER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _evidence(access, pk)


@require_safe
@seller_required
def inbox_evidence(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    try:
        access = _by_inbox(request, reference)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _evidence(access, pk)


def _certificate_refused(request, access: Access, form: CertificateForm) -> HttpResponse:
    messages.error(request, _("The certificate was not saved: please correct the errors below."))
    return _page(request, access, certificate_form=form, status=400)


def _insurance_upload(request: HttpRequest, access: Access) -> HttpResponse:
    """The seller uploads a certificate with its document: it awaits staff verification.

    A refused upload (no document, a value missing, a file the checks refuse) shows the page
    again with everything the seller typed, each problem next to its field."""
    claim, link = access.claim, access.link
    viewer_zone_guess(request, claim.region.time_zone)
    form = CertificateForm(request.POST, request.FILES, currency=claim.seller.currency)
    if link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return _page(request, access, certificate_form=form, status=429)
    if not form.is_valid():
        return _certificate_refused(request, access, form)
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
        return _certificate_refused(request, access, form)
    messages.success(
        request,
        _(
            "Thank you: your certificate is received. Our staff check it against the "
            "document and e-mail you the result; until then it does not count as proof "
            "of insurance."
        ),
    )
    return redirect(access.url("respond"))


@form_address("sellers:respond", keep=("reference", "token"))
def insurance_upload(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _insurance_upload(request, access)


@form_address("sellers:inbox-claim")
@seller_required
def inbox_insurance(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        access = _by_inbox(request, reference)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _insurance_upload(request, access)


def _recoveries(access: Access | None, seller) -> list:
    """The seller's recoveries, each with where its appeal is sent from this page."""
    rows = list(recoveries_for_seller(seller=seller))
    for recovery in rows:
        if access is None:  # the inbox: each appeal goes to its own claim
            recovery.appeal_url = reverse("sellers:inbox-appeal", args=[recovery.pk])
        else:
            recovery.appeal_url = access.url("recovery-appeal", recovery.pk)
    return rows


def _statement_page(
    request: HttpRequest,
    *,
    access: Access,
    appeal_form: AppealForm | None = None,
    appeal_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    seller = access.link.seller
    viewer_zone_guess(request, access.claim.region.time_zone)
    context = {
        "claim": access.claim,
        "seller": seller,
        "recoveries": _recoveries(access, seller),
        "standing": seller_standing(seller=seller),
        "now": timezone.now(),
        "appeal_form": appeal_form or AppealForm(),
        "appeal_pk": appeal_pk,
    }
    return render(request, "sellers/statement.html", context, status=status)


@require_safe
def statement(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _statement_page(request, access=access)


def _appeal(request: HttpRequest, *, seller, pk: int, again) -> HttpResponse | None:
    """Record an appeal of one of ``seller``'s recoveries; ``again(form, status)`` shows the
    page again on a refusal. Returns None when recorded."""
    recovery = Recovery.objects.filter(pk=pk, seller=seller).select_related("claim").first()
    if recovery is None:
        raise Http404
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us why you should not owe this amount."))
        return again(form, 400)
    try:
        recovery_appeal(
            recovery=recovery, actor=Actor.seller(seller), reason=form.cleaned_data["reason"]
        )
    except ClaimError as exc:
        messages.error(request, str(exc))
        return again(form, 400)
    messages.success(
        request,
        _(
            "Your appeal on claim %(ref)s is recorded; nothing will be withheld for it "
            "until we decide."
        )
        % {"ref": recovery.claim.reference},
    )
    return None


@form_address("sellers:statement", keep=("reference", "token"))
def recovery_appeal_view(request: HttpRequest, reference: str, token: str, pk: int):
    try:
        access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)

    def again(form, status):
        return _statement_page(
            request, access=access, appeal_form=form, appeal_pk=pk, status=status
        )

    if link_write_limited(request, link=access.link):
        messages.error(request, TOO_MANY)
        return again(AppealForm(request.POST), 429)
    refused = _appeal(request, seller=access.link.seller, pk=pk, again=again)
    return refused or redirect("sellers:statement", reference, token)


def _payment(request: HttpRequest, access: Access) -> HttpResponse:
    """The accepting seller (or insurer) records paying the customer."""
    claim, link = access.claim, access.link
    viewer_zone_guess(request, claim.region.time_zone)
    watched = PartyPayment.objects.filter(claim=claim).first()
    if watched is None:
        raise Http404
    form = PaymentRecordForm(request.POST or None, request.FILES or None, payment=watched)
    page = {
        "claim": claim,
        "asked": seller_claim_ask_now(claim=claim, payment=watched),
        "payment": watched,
        "form": form,
    }
    if request.method == "POST" and link_write_limited(request, link=link):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return render(request, "sellers/payment.html", page, status=429)
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
    return render(request, "sellers/payment.html", page, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def payment(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    try:
        try:
            access = _by_token(reference, token, LinkPurpose.SELLER_RESPONSE)
        except LinkRefused:
            access = _by_token(reference, token, LinkPurpose.INSURER_RESPONSE)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _payment(request, access)


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def inbox_payment(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        access = _by_inbox(request, reference)
    except LinkRefused as exc:
        return _refused(request, exc)
    return _payment(request, access)


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
