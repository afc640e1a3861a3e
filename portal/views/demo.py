"""Demo mode only: the e-mails the site sent, for a person trying the app without a mailbox."""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from portal.mail import demo_mail_recent


@require_safe
@staff_member_required
def outgoing_email(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_MODE:
        raise Http404
    return render(request, "portal/outgoing_email.html", {"emails": demo_mail_recent()})
