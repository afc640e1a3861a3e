"""The Python-rendered widgets produce exactly what Django's widget templates produce."""

import django_filters.widgets
import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

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
    yield widgets.NumberInput, forms.NumberInput, {}, ["", None, 5, "7.5"]
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
    pytest.param(fast, slow, kwargs, value, attrs, id=f"{fast.__name__}-{i}-{j}-{k}")
    for i, (fast, slow, kwargs, values) in enumerate(_pairs())
    for j, value in enumerate(values)
    for k, attrs in enumerate(ATTRS)
]


@pytest.mark.parametrize(("fast", "slow", "kwargs", "value", "attrs"), CASES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_python_rendering_matches_django_templates(fast, slow, kwargs, value, attrs, language):
    with override(language):
        expected = slow(**kwargs).render("field<name>", value, attrs=attrs)
        got = fast(**kwargs).render("field<name>", value, attrs=attrs)
    assert got == expected
    assert type(got) is type(expected)


def test_an_unknown_template_goes_to_django():
    class Radio(widgets.PythonRendered, forms.RadioSelect):
        pass

    expected = forms.RadioSelect(choices=CHOICES).render("r", "x")
    assert Radio(choices=CHOICES).render("r", "x") == expected
