"""Demo mode only: the e-mails the site sent, for a person trying the app without a mailbox."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.mail import demo_mail_recent


@require_safe
@login_required
def outgoing_email(request: HttpRequest) -> HttpResponse:
    """The superuser's only: sign-in links to demo customers work from here."""
    if not settings.DEMO_MODE:
        raise Http404
    if not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "portal/outgoing_email.html", {"emails": demo_mail_recent()})
