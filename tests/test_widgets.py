"""The staff filter widgets (Jinja2 templates through Django's form renderer) render what
Django's own widget templates render, escaping included."""

import django_filters.widgets
import pytest
from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override
from pytest_django.asserts import assertHTMLEqual

from backoffice.filters import ClaimQueueFilter
from claims.models import Claim
from claims_site import widgets

NASTY = "a\"b<c>&d'e"
CHOICES = [("", "---"), ("x", "Ex"), (NASTY, NASTY), ("3", gettext_lazy("Status")), (4, "four")]
GROUPED = [("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")]
ATTRS = [
    None,
    {"id": "id_f", "class": "wide"},
    {"required": True, "disabled": False, "data-x": NASTY, "min": 0},
    {"aria-label": mark_safe("<b>ok</b>")},
]


def _pairs():
    yield widgets.TextInput, forms.TextInput, {}, ["", None, "plain", NASTY, 0, 12]
    yield widgets.SearchInput, forms.SearchInput, {}, ["", NASTY]
    yield widgets.FilterWholeNumberInput, widgets.WholeNumberInput, {}, ["", None, 5, "7.5", NASTY]
    yield widgets.Select, forms.Select, {"choices": CHOICES}, ["", "x", NASTY, None, "4", 4]
    yield widgets.Select, forms.Select, {"choices": GROUPED}, ["a", "c", None]
    yield (
        widgets.SelectMultiple,
        forms.SelectMultiple,
        {"choices": CHOICES},
        [[], ["x"], ["x", NASTY], None],
    )
    yield (
        widgets.BooleanSelect,
        django_filters.widgets.BooleanWidget,
        {},
        [None, True, False, "1", "0", "junk"],
    )


CASES = [
    pytest.param(ours, django_s, kwargs, value, attrs, id=f"{ours.__name__}-{i}-{j}-{k}")
    for i, (ours, django_s, kwargs, values) in enumerate(_pairs())
    for j, value in enumerate(values)
    for k, attrs in enumerate(ATTRS)
]


@pytest.mark.parametrize(("ours", "django_s", "kwargs", "value", "attrs"), CASES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_widgets_render_what_django_templates_render(
    ours, django_s, kwargs, value, attrs, language
):
    with override(language):
        theirs, mine = django_s(**kwargs), ours(**kwargs)
        # Same choices (BooleanSelect says "Any" where django-filter says "Unknown"): the
        # markup is what is compared.
        if hasattr(theirs, "choices"):
            theirs.choices = mine.choices
        expected = theirs.render("field<name>", value, attrs=attrs)
        got = mine.render("field<name>", value, attrs=attrs, renderer=widgets.FORM_RENDERER)
    assertHTMLEqual(got, expected)
    assert isinstance(got, SafeString)
    assert "<c>" not in got  # every value escaped


def test_the_queue_filter_form_renders_through_the_jinja2_renderer(db):
    # given the queue's filters, bound to a value with markup in it
    filterset = ClaimQueueFilter({"tag": NASTY}, queryset=Claim.objects.none())
    # when its fields are rendered
    form = filterset.form
    html = "".join(str(field) for field in form)
    # then the form's renderer is the Jinja2 one and every widget came out, escaped
    assert form.renderer is widgets.FORM_RENDERER
    assert html.count("<select") == 7
    assert 'value="a&#34;b&lt;c&gt;&amp;d&#39;e"' in html
