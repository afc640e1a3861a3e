from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

from claims_site import health
from claims_site.metrics import metrics_exposition


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a supervisor or orchestrator
    restarts the process only when the process itself is stuck."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness, part by part. Only the database is required to serve people: with the cache
    or the broker down, pages still work (sessions from the database, follow-ups left in the
    outbox), so the answer is 200 "degraded" and a load balancer keeps sending traffic; 503
    when the database is unreachable."""
    parts = {
        "database": health.database_reachable(),
        "cache": health.cache_reachable(),
        "broker": health.broker_reachable(),
    }
    if not parts["database"]:
        status = "unavailable"
    elif all(parts.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse(
        {"status": status, **{part: "ok" if up else "unreachable" for part, up in parts.items()}},
        status=503 if status == "unavailable" else 200,
    )


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (claims_site.metrics), for a scraper that presents METRICS_TOKEN as a
    bearer token; without the token configured, or with another one, there is no such page."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not constant_time_compare(given, token):
        raise Http404
    body, content_type = metrics_exposition()
    return HttpResponse(body, content_type=content_type)


def error_area(path: str) -> str:
    """The part of the site ``path`` belongs to, so that an error page leads back into it:
    "staff" (the staff workspace and the admin), "seller" (a seller's or insurer's pages) or
    "customer" (everything else)."""
    first = "/" + path.lstrip("/").split("/", 1)[0] + "/"
    if first in (_root("backoffice:queue"), _root("admin:index")):
        return "staff"
    if first == _root("sellers:inbox"):
        return "seller"
    return "customer"


def _root(url_name: str) -> str:
    """The first segment of a page's address ("/staff/"): where its part of the site begins."""
    return "/" + reverse(url_name).lstrip("/").split("/", 1)[0] + "/"


def _error(request: HttpRequest, status: int) -> HttpResponse:
    area = error_area(request.path)
    user = getattr(request, "user", None)  # not set when the error came before the middleware
    # A member of staff on a staff page keeps the staff header (their areas, in the Menu on a
    # phone) and is spoken to as staff; everyone else gets the public pages' layout.
    staff = area == "staff" and user is not None and user.is_active and user.is_staff
    layout = "backoffice/base.html" if staff else "base.html"
    context = {"area": area, "layout": layout, "staff": staff}
    return render(request, f"errors/{status}.html", context, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    # No context processors that could fail again; the template needs only static text.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for where a page names no icon (a PDF or a photo
    opened on its own): the mark every page declares."""
    return HttpResponsePermanentRedirect(static("img/favicon-32.png"))
