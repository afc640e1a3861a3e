import re
import uuid
import zoneinfo

from django.conf import settings
from django.utils import timezone

from claims_site.logging import request_id_var

TZ_COOKIE = "tz"

# What a browser reports when it will not, or cannot, say where its reader is: headless and
# server-side browsers, and browsers that resist fingerprinting, all answer UTC. Such a report
# is no zone at all (static/js/tz.js does not send it either), so the page guesses instead.
_NO_PLACE = re.compile(r"(Etc/)?(UTC|UCT|Universal|Zulu|GMT0?|Greenwich)")


def _browser_zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if name and _NO_PLACE.fullmatch(name):
        return None
    return _zone(name)


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class TimezoneMiddleware:
    """Shows dates in the viewer's time zone.

    The browser reports its zone in the ``tz`` cookie (static/js/tz.js), unless it reports only
    UTC (``_NO_PLACE``); a signed-in user's profile wins over it. Until either is known the
    zone is a guess (``request.viewer_zone_guessed``): ``DEFAULT_VIEWER_TIME_ZONE``, or the zone
    of the claim the page is about (``viewer_zone_guess``). A page rendered on a guess tells
    tz.js, which reloads it once in the browser's zone when the guess was wrong, so even the
    first page a browser opens shows its own zone, and every page after it the same one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "staff_profile", None)
            zone = _zone(profile.time_zone) if profile else None
        zone = zone or _browser_zone(request.COOKIES.get(TZ_COOKIE))
        request.viewer_zone_guessed = zone is None
        zone = zone or zoneinfo.ZoneInfo(settings.DEFAULT_VIEWER_TIME_ZONE)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def viewer_zone_guess(request, zone_name: str) -> None:
    """While the viewer's zone is unknown, show a page about a claim in its region's zone (the
    likeliest for its reader) rather than the site's default. A known zone is never replaced."""
    if getattr(request, "viewer_zone_guessed", False):
        zone = _zone(zone_name)
        if zone is not None:
            timezone.activate(zone)


class RequestIdMiddleware:
    """Tags every log line of a request with one id, echoed back in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response
