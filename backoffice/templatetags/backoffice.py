from django import template

from claims.templatetags.money import money
from payouts.failures import payout_event_text

register = template.Library()
register.filter("money", money)
register.filter("event_text", payout_event_text)

# URL-name prefix -> staff area (the nav marks the area of the page being shown).
AREAS = (
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
    """The staff area a page belongs to, from its URL name (``claims`` by default)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "backoffice":
        return ""
    name = match.url_name or ""
    return next((area for prefix, area in AREAS if name.startswith(prefix)), "claims")
