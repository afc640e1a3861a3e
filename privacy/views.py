"""Data exports: the customer's own, from their pages, and the staff's on a customer's request.
Views parse, call ``privacy.services``, and turn a refusal into a message."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from backoffice.views import staff_view
from claims.actors import Actor
from portal.session import customer_required
from privacy.export import WITHHELD
from privacy.forms import StaffExportForm
from privacy.models import PrivacyRequest
from privacy.services import PrivacyRefused, privacy_export

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
            "withheld": sorted(set(WITHHELD.values())),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(PERMISSION)
def staff_export(request: HttpRequest) -> HttpResponse:
    form = StaffExportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                archive = privacy_export(
                    customer=form.cleaned_data["customer"],
                    actor=Actor.staff(request.user),
                    reason=form.cleaned_data["reason"],
                )
            except PrivacyRefused as exc:
                form.add_error(None, str(exc))
            else:
                return _download(archive)
        status = 400
    return render(
        request,
        "privacy/staff_export.html",
        {
            "form": form,
            "recent": PrivacyRequest.objects.select_related("customer", "requested_by")[:20],
        },
        status=status,
    )
