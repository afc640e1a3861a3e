"""The signed-in customer lives in the session: no password, no Django user.

A customer signs in with a one-time link; the session then holds only the customer's id. Every
page of the portal scopes its reads to that customer (``portal.selectors``).
"""

import re
import uuid
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from marketplace.models import Customer
from portal.languages import customer_language

SESSION_KEY = "portal.customer_id"


def customer_sign_in(request: HttpRequest, customer: Customer) -> None:
    # A new session key at the moment of privilege change defeats session fixation.
    for key in [k for k in request.session.keys() if k.startswith("portal.")]:  # noqa: SIM118
        del request.session[key]  # another customer's drafts never carry over
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer.pk


def customer_sign_out(request: HttpRequest) -> None:
    # Sessions have keys() but are not iterable.
    for key in [k for k in request.session.keys() if k.startswith("portal.")]:  # noqa: SIM118
        del request.session[key]
    request.session.cycle_key()


def request_customer_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


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
        customer_id = request_customer_id(request)
        if customer_id is None:
            target = request.get_full_path() if request.method in ("GET", "HEAD") else ""
            query = f"?{urlencode({'next': target})}" if target else ""
            return redirect(reverse("portal:sign-in") + query)
        # Loaded only when a page needs more than the id: scoped reads filter by the id. The row
        # cannot vanish under a session: customers with orders are protected from deletion.
        request.customer_id = customer_id
        request.customer = SimpleLazyObject(lambda: Customer.objects.get(pk=customer_id))
        if translation.get_language() == "fr":  # a customer in Canada reads Canadian French
            language = customer_language(customer=request.customer, language="fr")
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return view(request, *args, **kwargs)

    return wrapper


DEVICE_COOKIE = "cd_device"
_DEVICE_RE = re.compile(r"[0-9a-f]{32}")


def device_id(request) -> str:
    """A first-party id for this browser, for the fraud rules (claims sharing a device).

    Read from a long-lived cookie; a browser without one gets a new id, which
    ``device_cookie_set`` stores on the response.
    """
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not _DEVICE_RE.fullmatch(value):
        value = getattr(request, "_new_device_id", "") or uuid.uuid4().hex
        request._new_device_id = value
    return value


def device_cookie_set(request, response):
    new = getattr(request, "_new_device_id", "")
    if new:
        response.set_cookie(
            DEVICE_COOKIE,
            new,
            max_age=2 * 365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
