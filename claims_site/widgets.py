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

# One renderer for the process: it holds the Jinja2 environment and its compiled templates.
FORM_RENDERER = Jinja2()

_SELECT = "claims_site/widgets/select.html"
_INPUT = "claims_site/widgets/input.html"


class TextInput(forms.TextInput):
    template_name = _INPUT


class SearchInput(forms.SearchInput):
    template_name = _INPUT


class NumberInput(forms.NumberInput):
    template_name = _INPUT


class Select(forms.Select):
    template_name = _SELECT


class SelectMultiple(forms.SelectMultiple):
    template_name = _SELECT


class BooleanSelect(django_filters.widgets.BooleanWidget):
    """django-filter's yes/no/unknown select."""

    template_name = _SELECT
