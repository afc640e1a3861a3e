"""Staff sign-in lockout (django-axes) that an attacker cannot aim at someone.

Axes locks the *combination* of user name and address (``AXES_LOCKOUT_PARAMETERS``): wrong
passwords from one address lock that user name from that address only, so guessing at a
colleague's user name does not lock them out from their own desk, and one address guessing at
many names does not lock everyone behind it. A slower limit across all addresses
(``AXES_FAILURES_PER_USERNAME``, five times the per-address one by default) still stops a
distributed guess at one account.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone


def username_failures(username: str) -> int:
    """Failed sign-ins for ``username`` from every address within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


class StaffLockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return bool(username) and (
            username_failures(username) >= settings.AXES_FAILURES_PER_USERNAME
        )


def lockout_username(request, credentials=None) -> str:
    """The user name axes records: what was typed, without NUL bytes, at most 150 characters
    (Django's own limit), so that no typed name can fail the insert."""
    source = credentials if credentials is not None else request.POST
    value = source.get(settings.AXES_USERNAME_FORM_FIELD) or ""
    return str(value).replace("\x00", "")[:150]


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The project's own page: what happened and what to do (429, as axes answers)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "errors/lockout.html", {"minutes": minutes}, status=429)
