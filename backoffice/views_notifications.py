"""What needs me: the signed-in staff member's notifications."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backoffice.models import Notification
from backoffice.notifications import (
    notification_text,
    notification_url,
    notifications_read_all,
)
from backoffice.views import staff_view

PAGE = 100


@require_safe
@staff_view("claims.view_claim")
def notifications(request: HttpRequest) -> HttpResponse:
    """Unread first, then the most recent read ones; each links to the place to act."""
    mine = Notification.objects.filter(recipient=request.user).select_related("claim")
    unread = list(mine.filter(read_at=None).order_by("-created_at", "-id")[:PAGE])
    read = list(mine.exclude(read_at=None).order_by("-created_at", "-id")[:PAGE])
    for n in unread + read:
        n.url = notification_url(n)
        n.shown = notification_text(n)
    return render(
        request, "backoffice/notifications.html", {"unread": unread, "read": read, "page": PAGE}
    )


@require_POST
@staff_view("claims.view_claim")
def notifications_read(request: HttpRequest) -> HttpResponse:
    done = notifications_read_all(user=request.user)
    if done:
        messages.success(request, _("%(n)d notification(s) marked as read.") % {"n": done})
    else:
        messages.info(request, _("Nothing was unread."))
    return redirect("backoffice:notifications")
