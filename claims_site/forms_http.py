"""The address a form posts to."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def form_address(
    page: str, *, keep: tuple[str, ...] = ("reference",)
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A POST-only form address that a browser may still open: a refused form is shown again
    at this address, so a reload or a bookmark asks for it with GET. GET and HEAD go to
    ``page`` (the URL name of the page holding the form, given the ``keep`` arguments of this
    address); other methods than POST get 405."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                return redirect(page, **{k: v for k, v in kwargs.items() if k in keep})
            if request.method != "POST":
                return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
