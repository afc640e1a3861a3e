from django import template

from claims_site import dates
from claims_site.dates import format_moment

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def moment(value, arg: str = "DATETIME_FORMAT") -> str:
    """``{{ when|moment }}``: a moment in the viewer's time zone in the site's DATETIME_FORMAT
    (or the named format given), its zone named even in an hour that happens twice, where
    Django's ``|date`` names none. A builtin of both template engines (settings.TEMPLATES)."""
    if value in (None, ""):
        return ""
    try:
        return format_moment(value, arg)
    except AttributeError:
        return ""


@register.filter(expects_localtime=True, is_safe=False)
def zone_named(value) -> str:
    """``<time>{{ when|moment }}</time>{{ when|zone_named }}``: " (America/New_York)", the
    viewer's zone named after the moment, unless the moment already names it
    (claims_site.dates.zone_named)."""
    if value in (None, ""):
        return ""
    try:
        return dates.zone_named(value)
    except AttributeError:
        return ""
