"""The Sellers area: recoveries and their appeals, each seller's standing, certificates to
verify (``views_certificates``), and on a claim: a new seller link, overruling the seller.

Views call one service each (``sellers.services``); a refusal comes back on the same page with
what was typed."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from backoffice.forms_areas import AppealDecisionForm, ButtonsForm
from backoffice.lists import RECOVERIES, area_list, reader_regions
from backoffice.services import DOMAIN_ERRORS, claim_holder_check
from backoffice.views import staff_view
from backoffice.views_claim import _claim
from claims.actors import Actor
from claims.scope import claim_rows_visible_to
from sellers.models import Recovery, RecoveryStatus, SellerNotice
from sellers.selectors import seller_standing
from sellers.services.recoveries import recovery_decide
from sellers.services.responses import seller_link_email, seller_link_reissue


def _recoveries(user):
    """Recoveries of claims in the viewer's regions (need-to-know, ``claims.scope``)."""
    return claim_rows_visible_to(user, Recovery.objects.select_related("claim", "seller"))


@require_safe
@staff_view("sellers.view_recovery", "sellers.verify_certificate")
def sellers(request: HttpRequest) -> HttpResponse:
    """Appeals to decide and open recoveries: lists of the queue engine (``backoffice.lists``)."""
    user = request.user
    context = {"can_recover": user.has_perm("sellers.view_recovery")}
    if context["can_recover"]:
        regions = reader_regions(user).choices
        context["appeals"] = area_list(
            request,
            _recoveries(user).filter(status=RecoveryStatus.APPEALED, appealed_at__isnull=False),
            prefix="appeals",
            age="appealed_at",
            noun=RECOVERIES,
            regions=regions,
        )
        context["open"] = area_list(
            request,
            _recoveries(user).filter(status=RecoveryStatus.OPEN),
            prefix="open",
            age="opened_at",
            noun=RECOVERIES,
            regions=regions,
            default_sort="newest",
        )
    return render(request, "backoffice/sellers.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("sellers.view_recovery")
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recovery: what the seller owes and why, their standing, and deciding an appeal."""
    recovery = _recoveries(request.user).select_related("claim__region").filter(pk=pk).first()
    if recovery is None:
        raise Http404
    may_decide = request.user.has_perm("sellers.decide_recovery")
    form = AppealDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_decide:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                recovery = recovery_decide(
                    recovery=recovery,
                    actor=Actor.staff(request.user),
                    uphold=form.cleaned_data["outcome"] == "uphold",
                    note=form.cleaned_data["note"],
                )
            except DOMAIN_ERRORS as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Appeal on %(ref)s decided: the recovery is now %(status)s.")
                    % {"ref": recovery.claim.reference, "status": recovery.get_status_display()},
                )
                return redirect("backoffice:recovery", pk=recovery.pk)
        status = 400
    return render(
        request,
        "backoffice/recovery.html",
        {
            "recovery": recovery,
            "standing": seller_standing(seller=recovery.seller),
            "withholdings": list(recovery.withholdings.order_by("created_at")),
            "form": form,
            "can_decide": may_decide and recovery.status == RecoveryStatus.APPEALED,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("claims.transition_claim")
def claim_seller_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the seller a fresh response link (after revoking a leaked one, or for the
    statement): confirm (GET), then e-mail it to the seller, or show it once to send another
    way (POST)."""
    claim = _claim(request, pk)
    told = SellerNotice.objects.filter(claim=claim).exists()
    url = ""
    form = ButtonsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            claim_holder_check(claim=claim, user=request.user)
            if request.POST.get("how") == "show":
                url = seller_link_reissue(claim=claim, user=request.user)
            else:
                seller_link_email(claim=claim, user=request.user)
        except DOMAIN_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            if not url:
                messages.success(
                    request,
                    _("A new link is being e-mailed to %(email)s.") % {"email": claim.seller.email},
                )
                return redirect("backoffice:claim", pk=claim.pk)
    return render(
        request,
        "backoffice/seller_link.html",
        {"claim": claim, "told": told, "url": url, "form": form, "seller": claim.seller},
        status=400 if form.errors else 200,
    )
