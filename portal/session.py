"""The signed-in customer lives in the session: no password, no Django user.

A customer signs in with a one-time link; the session then holds only the customer's id. Every
page of the portal scopes its reads to that customer (``portal.selectors``).
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.models import Customer

SESSION_KEY = "portal.customer_id"


def customer_sign_in(request: HttpRequest, customer: Customer) -> None:
    # A new session key at the moment of privilege change defeats session fixation.
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer.pk


def customer_sign_out(request: HttpRequest) -> None:
    # Sessions have keys() but are not iterable.
    for key in [k for k in request.session.keys() if k.startswith("portal.")]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def request_customer(request: HttpRequest) -> Customer | None:
    if hasattr(request, "_portal_customer"):
        return request._portal_customer
    customer_id = request.session.get(SESSION_KEY)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    request._portal_customer = customer
    return customer


def safe_next(request: HttpRequest, value: str | None) -> str:
    """Only a path on this site; anything else falls back to the customer's home."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return reverse("portal:home")


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a visitor without a customer session to the sign-in page, then back here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        customer = request_customer(request)
        if customer is None:
            target = request.get_full_path() if request.method == "GET" else ""
            query = f"?{urlencode({'next': target})}" if target else ""
            return redirect(reverse("portal:sign-in") + query)
        request.customer = customer
        return view(request, *args, **kwargs)

    return wrapper
