from django import template

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
