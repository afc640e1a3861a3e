"""Data exports: the customer's own, from their pages, and the staff's on a customer's request.
Views parse, call ``privacy.services``, and turn a refusal into a message."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backoffice.views import staff_view
from claims.actors import Actor
from claims.scope import claim_rows_visible_to, customers_visible_to
from portal.session import customer_required
from privacy.export import WITHHELD
from privacy.forms import HoldForm, ReleaseForm, StaffEraseForm, StaffExportForm
from privacy.models import LegalHold, PrivacyRequest
from privacy.services import (
    PrivacyRefused,
    legal_hold_place,
    legal_hold_release,
    privacy_erase,
    privacy_export,
)

PERMISSION = "privacy.export_customer_data"


def _download(archive) -> HttpResponse:
    response = HttpResponse(archive.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def customer_export(request: HttpRequest) -> HttpResponse:
    """The customer's page: what is held and why some of it is kept back; the download."""
    if request.method == "POST":
        archive = privacy_export(customer=request.customer, actor=Actor.customer(request.customer))
        return _download(archive)
    return render(
        request,
        "privacy/customer_export.html",
        {
            "exports": PrivacyRequest.objects.filter(customer_id=request.customer_id)[:10],
            "withheld": sorted({str(reason) for reason in WITHHELD.values()}),
        },
    )


def _holds(user):
    return claim_rows_visible_to(user, LegalHold.objects.all())


def _staff_page(request, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    return render(
        request,
        "privacy/staff_export.html",
        {
            "form": forms.get("form") or StaffExportForm(user=user),
            "erase_form": forms.get("erase_form") or StaffEraseForm(user=user),
            "hold_form": forms.get("hold_form") or HoldForm(user=user),
            "can_erase": user.has_perm("privacy.erase_customer_data"),
            "can_hold": user.has_perm("privacy.hold_claim"),
            # Need-to-know (claims.scope): the holds and requests of the staff member's regions.
            "holds": _holds(user)
            .filter(released_at__isnull=True)
            .select_related("claim", "placed_by"),
            "recent": customers_visible_to(
                user, PrivacyRequest.objects.all(), customer="customer"
            ).select_related("customer", "requested_by")[:20],
        },
        status=status,
    )


def _staff_post(request, *, form, name: str, act: Callable[[dict], HttpResponse]) -> HttpResponse:
    """Run ``act`` with a valid form's data; bad input, or the service's refusal (shown in the
    form's error summary), gives the page back with what was typed (400)."""
    if form.is_valid():
        try:
            return act(form.cleaned_data)
        except PrivacyRefused as exc:
            form.add_error(None, str(exc))
    return _staff_page(request, status=400, **{name: form})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(PERMISSION)
def staff_export(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _staff_page(request)

    def export(data: dict) -> HttpResponse:
        return _download(
            privacy_export(
                customer=data["customer"], actor=Actor.staff(request.user), reason=data["reason"]
            )
        )

    return _staff_post(
        request, form=StaffExportForm(request.POST, user=request.user), name="form", act=export
    )


@require_POST
@staff_view("privacy.erase_customer_data")
def staff_erase(request: HttpRequest) -> HttpResponse:
    def erase(data: dict) -> HttpResponse:
        customer = data["customer"]
        privacy_erase(customer=customer, actor=Actor.staff(request.user), reason=data["reason"])
        messages.success(
            request,
            _("The personal data of customer %(id)s was erased.") % {"id": customer.marketplace_id},
        )
        return redirect("privacy:staff-export")

    return _staff_post(
        request, form=StaffEraseForm(request.POST, user=request.user), name="erase_form", act=erase
    )


@require_POST
@staff_view("privacy.hold_claim")
def staff_hold(request: HttpRequest) -> HttpResponse:
    def hold(data: dict) -> HttpResponse:
        legal_hold_place(claim=data["claim"], user=request.user, reason=data["reason"])
        messages.success(
            request, _("Claim %(ref)s is under a legal hold.") % {"ref": data["claim"].reference}
        )
        return redirect("privacy:staff-export")

    return _staff_post(
        request, form=HoldForm(request.POST, user=request.user), name="hold_form", act=hold
    )


@require_POST
@staff_view("privacy.hold_claim")
def staff_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(_holds(request.user), pk=pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_release(hold=hold, user=request.user, reason=form.cleaned_data["reason"])
        except PrivacyRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The hold on %(ref)s was released.") % {"ref": hold.claim.reference}
            )
    else:
        messages.error(request, _("Say why the hold is released."))
    return redirect("privacy:staff-export")
