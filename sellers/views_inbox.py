"""The seller's inbox: sign in by a one-time e-mailed link (as customers do), then every claim
with what is asked and by when, the statement and the certificates in one place.

Each claim opens inside the inbox (``sellers.views.inbox_claim``), the same page as the claim's
e-mailed link, which keeps working on its own.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claims.exceptions import ClaimError
from claims.links import LinkRefused
from claims_site.forms_http import form_address
from claims_site.middleware import viewer_zone_guess
from claims_site.ratelimit import client_ip, rate_limit_hit
from sellers.forms import AppealForm, SellerSignInForm
from sellers.selectors import seller_inbox, seller_standing
from sellers.services.signin import seller_signin_complete, seller_signin_request
from sellers.session import request_seller_id, seller_required, seller_sign_in, seller_sign_out
from sellers.views import _appeal, _recoveries

HOUR = 3600
INBOX_PREFIX = "/sellers/inbox/"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """Only a page of the inbox on this site; anything else falls back to the inbox."""
    if (
        value
        and value.startswith(INBOX_PREFIX)
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return reverse("sellers:inbox")


def _signin_limited(request: HttpRequest, email: str) -> bool:
    """Per IP, and per address (stops mail-bombing a seller); settings ``SELLER_SIGNIN_*``."""
    per_ip = rate_limit_hit(
        scope="sellers.signin.ip",
        key=client_ip(request),
        limit=settings.SELLER_SIGNIN_PER_IP_PER_HOUR,
        window_seconds=HOUR,
    )
    per_email = rate_limit_hit(
        scope="sellers.signin.email",
        key=email.strip().lower(),
        limit=settings.SELLER_SIGNIN_PER_EMAIL_PER_HOUR,
        window_seconds=HOUR,
    )
    return per_ip or per_email


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" and request_seller_id(request) is not None:
        return redirect(_safe_next(request, request.GET.get("next")))
    form = SellerSignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _signin_limited(request, email):
            form.add_error(
                None,
                _(
                    "You have asked for several sign-in links in a short time. Please check "
                    "your inbox (and spam folder) for the links we sent, or try again in an hour."
                ),
            )
            return render(request, "sellers/sign_in.html", {"form": form}, status=429)
        next_path = form.cleaned_data["next"]
        # Known address or not, the same answer (no enumeration); the worker matches it.
        seller_signin_request(
            email=email, next_path=next_path if next_path.startswith(INBOX_PREFIX) else ""
        )
        return redirect("sellers:sign-in-sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "sellers/sign_in.html", {"form": form}, status=status)


@require_safe
def sign_in_sent(request: HttpRequest) -> HttpResponse:
    minutes = int(settings.SELLER_SIGNIN_LINK_TTL.total_seconds() // 60)
    return render(request, "sellers/sign_in_sent.html", {"minutes": minutes})


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST spends the link, so mail scanners cannot."""
    if request.method != "POST":
        return render(request, "sellers/sign_in_link.html")
    try:
        seller = seller_signin_complete(token=token)
    except (LinkRefused, ClaimError) as exc:
        return render(request, "sellers/link_refused.html", {"message": str(exc)}, status=400)
    seller_sign_in(request, seller)
    messages.success(request, _("You are signed in as %(name)s.") % {"name": seller.legal_name})
    return redirect(_safe_next(request, request.GET.get("next")))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    seller_sign_out(request)
    messages.success(request, _("You are signed out."))
    return redirect("sellers:sign-in")


def _inbox_page(request, *, appeal_form=None, appeal_pk=None, status=200) -> HttpResponse:
    seller = request.seller
    viewer_zone_guess(request, seller.region.time_zone)
    context = {
        "seller": seller,
        "rows": seller_inbox(seller=seller),
        "recoveries": _recoveries(None, seller),
        "standing": seller_standing(seller=seller),
        "certificates": seller.certificates.order_by("-created_at")[:20],
        "now": timezone.now(),
        "appeal_form": appeal_form or AppealForm(),
        "appeal_pk": appeal_pk,
    }
    return render(request, "sellers/inbox.html", context, status=status)


@require_safe
@seller_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _inbox_page(request)


@form_address("sellers:inbox", keep=())
@seller_required
def inbox_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    def again(form, status):
        return _inbox_page(request, appeal_form=form, appeal_pk=pk, status=status)

    refused = _appeal(request, seller=request.seller, pk=pk, again=again)
    return refused or redirect(reverse("sellers:inbox") + "#statement")
