from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter(is_safe=True)
def label(text) -> str:
    """``{{ _("Status")|label }}``: a label before its value, with the reader's colon ("Status:",
    French "Statut :" with a non-breaking space). A colon written after ``{% translate %}`` is
    outside the catalogue, where French typography cannot reach it. A builtin of both template
    engines (settings.TEMPLATES)."""
    return pgettext("a label before its value", "%(label)s:") % {"label": text}
