"""Form widgets that render in Python, with exactly the markup of Django's widget templates.

Django renders every widget through its template engine: a select of fifteen options is
sixteen template includes, each resolving its variables and attributes one lookup at a time.
On the pages staff load all day (the queue's filter form has twelve fields) that costs more
than the page's queries. These widgets build the same HTML with every value escaped;
``tests/test_widgets.py`` holds them to byte-for-byte equality with Django's templates.
Anything they do not know (another template, an option with its own template) goes to Django.
"""

import django_filters.widgets
from django import forms
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# Templates that are nothing but {% include "django/forms/widgets/input.html" %}.
_INPUTS = {
    f"{_WIDGETS}{name}.html"
    for name in ("input", "text", "number", "email", "url", "search", "tel", "password", "date")
}
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"


def flat_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True is a bare name, False leaves the attribute out."""
    return "".join(
        f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


# Each function returns what its template renders, stripped as Django's renderer strips it.


def _input(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"'
        + ("" if value is None else f' value="{esc(value)}"')
        + flat_attrs(widget["attrs"])
        + ">"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{esc(widget["name"])}"{flat_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in options:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{esc(option["value"])}"{flat_attrs(option["attrs"])}>'
                f"{esc(option['label'])}</option>\n"  # the option template's last line break
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PythonRendered:
    """Mixin for a Django widget class: render its template in Python when it is one of the
    plain input or select templates, through the template engine otherwise."""

    def _render(self, template_name, context, renderer=None) -> SafeString:
        html = None
        if template_name in _INPUTS:
            html = _input(context["widget"])
        elif template_name == _SELECT:
            html = _select(context["widget"])
        if html is None:
            return super()._render(template_name, context, renderer)
        return mark_safe(html)  # noqa: S308 - every value above is escaped


class TextInput(PythonRendered, forms.TextInput):
    pass


class NumberInput(PythonRendered, forms.NumberInput):
    pass


class Select(PythonRendered, forms.Select):
    pass


class SelectMultiple(PythonRendered, forms.SelectMultiple):
    pass


class BooleanSelect(PythonRendered, django_filters.widgets.BooleanWidget):
    """django-filter's yes/no/unknown select."""
