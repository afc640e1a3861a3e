from django import template

from claims.templatetags.money import money
from payouts.failures import payout_event_text, payout_step_text
from sellers.services.party_payments import party_payment_event_text

register = template.Library()
register.filter("money", money)


@register.filter
def event_text(event) -> str:
    """A timeline event's text for its reader: the events whose data says what happened are
    written again in the reader's language and zone; any other shows the text stored with it."""
    return party_payment_event_text(event) or payout_event_text(event)


@register.filter
def payout_step(event) -> str:
    """A step in a payout's own history (the payout's page): failures by their label."""
    return payout_step_text(event)


# URL-name prefix -> staff area (the nav marks the area of the page being shown). A page whose
# name no prefix matches belongs to no area (the header's notifications, signing in): it marks
# none, rather than passing for a claims page. tests/backoffice/test_nav.py names every page.
AREAS = (
    ("queue", "claims"),
    ("take-next", "claims"),
    ("suggest-", "claims"),
    ("search", "claims"),
    ("claim", "claims"),
    ("medical-access", "medical-access"),
    ("decision", "decisions"),
    ("qa-", "decisions"),
    ("money", "money"),
    ("payout", "money"),
    ("payee", "money"),
    ("seller", "sellers"),
    ("recover", "sellers"),
    ("certificate", "sellers"),
    ("fraud", "fraud"),
    ("safety", "safety"),
    ("dashboard", "dashboard"),
    ("api-", "api"),
    ("demo-webhooks", "api"),
)


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """``{% unread_notifications as n %}``: the viewer's unread count, read once per page
    (capped: ``backoffice.notifications.COUNT_CAP``)."""
    from backoffice.notifications import unread_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)


@register.simple_tag
def staff_area(request) -> str:
    """The staff area a page belongs to, from its URL name (``""`` for none)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "backoffice":
        return ""
    name = match.url_name or ""
    return next((area for prefix, area in AREAS if name.startswith(prefix)), "")


@register.simple_tag
def admin_shows_something(request) -> bool:
    """Whether the admin would show the viewer anything: its index lists the apps and models
    the viewer may use (each ``ModelAdmin``'s ``has_module_permission`` and model permissions),
    and a staff member with none would land on an empty page. The permissions are the ones the
    request has already loaded (the nav asked them), so this costs no query.

    The admin's own rule, asked model by model until one answers: building the admin's whole
    app list (``get_app_list``, every model's permissions and URLs) cost 2.1 ms of a queue
    request's 17 (issue 13's ``staff_load``), this 0.2 at most."""
    from django.apps import apps
    from django.contrib import admin

    if not admin.site.has_permission(request):
        return False
    for model in apps.get_models():
        if admin.site.is_registered(model):
            model_admin = admin.site.get_model_admin(model)
            # Both must hold; the model's own permissions first, since they are a few set
            # lookups, while ``has_module_permission`` walks every permission the viewer
            # has (ModelBackend.has_module_perms), for each of the seventy-odd models a
            # viewer with few admin rights passes over.
            if any(model_admin.get_model_perms(request).values()) and (
                model_admin.has_module_permission(request)
            ):
                return True
    return False
