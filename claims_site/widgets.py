"""The widgets of the staff filter forms, rendered through Django's Jinja2 form renderer.

Django renders every widget through a template. With the Django template language a select of
fifteen options is sixteen template includes, each resolving its variables one lookup at a
time: on the queue's filter form (twelve fields, about forty options) that cost more than the
page's queries. These widgets are Django's own classes with one public attribute changed,
``template_name``, pointing at Jinja2 templates that write the option and attribute loops
inline (``claims_site/jinja2/claims_site/widgets/``); the form renders them with Django's
``Jinja2`` form renderer (``Form.default_renderer``). Jinja2 compiles a template to Python
once, so the form costs about what hand-written Python would, through public API only.

A form opts in with ``default_renderer = FORM_RENDERER`` and these widgets; any other widget
on such a form still finds Django's own Jinja2 templates (``django/forms/jinja2``).
"""

import django_filters.widgets
from django import forms
from django.forms.renderers import Jinja2
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# One renderer for the process: it holds the Jinja2 environment and its compiled templates.
FORM_RENDERER = Jinja2()

_SELECT = "claims_site/widgets/select.html"
_INPUT = "claims_site/widgets/input.html"
_AUTOCOMPLETE = "claims_site/widgets/autocomplete.html"


class TextInput(forms.TextInput):
    template_name = _INPUT


class SearchInput(forms.SearchInput):
    template_name = _INPUT


class Select(forms.Select):
    template_name = _SELECT


class SelectMultiple(forms.SelectMultiple):
    template_name = _SELECT


class BooleanSelect(django_filters.widgets.BooleanWidget):
    """django-filter's yes/no select; its no-filter choice reads "Any" (django-filter's
    "Unknown" reads as "those whose answer is unknown")."""

    template_name = _SELECT

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class AutocompleteInput(forms.TextInput):
    """A text input with suggestions: a ``<datalist>`` (the browser's own accessible combobox)
    that htmx fills from ``suggest_url`` as the person types. Without JavaScript it is a plain
    text input, and the field accepts a name or an id all the same."""

    template_name = _AUTOCOMPLETE

    def __init__(self, *, suggest_url: str, attrs=None):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.suggest_url = suggest_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = reverse(self.suggest_url)
        context["widget"]["list_id"] = f"{context['widget']['attrs'].get('id', name)}-suggestions"
        return context


class WholeNumberInput(forms.TextInput):
    """A whole number typed as text, with the phone's digit keyboard (``inputmode``).

    A browser's ``<input type="number">`` drops what is not part of a number before the form is
    sent: "3O" (a capital O for a zero) reaches the server as 3 and is saved as 3; "soon" arrives
    empty and is refused as missing, with what was typed lost. As text, what was typed reaches
    the form field, which refuses it beside the field ("Enter a whole number.") and shows it
    again. The field's bounds are the field's (and the service's) to check and to say."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})


class FilterWholeNumberInput(WholeNumberInput):
    """``WholeNumberInput`` on a form rendered with ``FORM_RENDERER`` (the claims queue's
    filters): the same markup, through the Jinja2 input template."""

    template_name = _INPUT
