"""Signing in with the order number and e-mail, by a one-time link."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from claims.links import LinkRefused
from portal.forms import SignInForm
from portal.limits import signin_limited
from portal.services import signin_complete, signin_request
from portal.session import customer_sign_in, customer_sign_out, request_customer_id, safe_next


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST" and request_customer_id(request) is not None:
        return redirect(safe_next(request, request.GET.get("next")))
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if signin_limited(request, order_number=data["order_number"], email=data["email"]):
            form.add_error(
                None,
                _(
                    "You have asked for several sign-in links in a short time. Please check your "
                    "inbox (and spam folder) for the links we sent, or try again in an hour."
                ),
            )
            return render(request, "portal/sign_in.html", {"form": form}, status=429)
        next_path = data["next"] if data["next"].startswith("/") else ""
        # Whether or not the order exists, the answer is the same page (no enumeration).
        signin_request(
            order_number=data["order_number"],
            email=data["email"],
            language=get_language() or "en",
            next_path=next_path,
        )
        return redirect("portal:sign-in-sent")
    return render(request, "portal/sign_in.html", {"form": form})


@require_safe
def sign_in_sent(request: HttpRequest) -> HttpResponse:
    minutes = int(settings.PORTAL_SIGNIN_LINK_TTL.total_seconds() // 60)
    return render(request, "portal/sign_in_sent.html", {"minutes": minutes})


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST uses the link, so e-mail scanners that open links
    cannot spend it before the customer does."""
    next_path = request.GET.get("next", "")
    if request.method != "POST":  # GET and HEAD only show the button
        return render(request, "portal/sign_in_link.html", {"next": next_path})
    try:
        customer = signin_complete(token=token)
    except LinkRefused as exc:
        return render(request, "portal/sign_in_refused.html", {"message": str(exc)}, status=400)
    customer_sign_in(request, customer)
    messages.success(request, _("You are signed in. Welcome, %(name)s.") % {"name": customer.name})
    return redirect(safe_next(request, next_path))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    customer_sign_out(request)
    messages.success(request, _("You are signed out."))
    return redirect("portal:sign-in")
