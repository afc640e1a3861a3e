from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A friendly page instead of Django's technical one (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "errors/csrf.html", status=403)
