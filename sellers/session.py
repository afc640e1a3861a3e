"""The signed-in seller lives in the session, as the customer does (``portal.session``): no
password, no Django user. A seller signs in with a one-time link e-mailed to the address the
marketplace has for them; the session then holds only the seller's id, and every inbox page
scopes its reads to it."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "sellers.seller_id"


def seller_sign_in(request: HttpRequest, seller) -> None:
    # A new session key at the moment of privilege change defeats session fixation.
    request.session.cycle_key()
    request.session[SESSION_KEY] = seller.pk


def seller_sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def request_seller_id(request: HttpRequest) -> int | None:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


def seller_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a visitor without a seller session to the seller's sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from sellers.models import Seller

        seller_id = request_seller_id(request)
        if seller_id is None:
            target = request.get_full_path() if request.method in ("GET", "HEAD") else ""
            query = f"?{urlencode({'next': target})}" if target else ""
            return redirect(reverse("sellers:sign-in") + query)
        request.seller = SimpleLazyObject(lambda: Seller.objects.get(pk=seller_id))
        return view(request, *args, **kwargs)

    return wrapper
