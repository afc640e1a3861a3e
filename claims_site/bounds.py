"""Limits on what people type, checked before any arithmetic: a date of 9999-12-31 plus a day,
or 99999999999 days before today, overflows Python's date arithmetic (a 500)."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Days a "waiting at least N days" or "in the last N days" filter may ask for.
MAX_DAYS = 3660


class DateWithin:
    """A validator: the date lies between ``past`` before and ``future`` after today."""

    def __init__(self, *, past: dt.timedelta, future: dt.timedelta):
        self.past, self.future = past, future

    def __call__(self, value: dt.date) -> None:
        today = timezone.localdate()
        earliest, latest = today - self.past, today + self.future
        if not earliest <= value <= latest:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="date_out_of_range",
                params={
                    "earliest": formats.date_format(earliest, "SHORT_DATE_FORMAT"),
                    "latest": formats.date_format(latest, "SHORT_DATE_FORMAT"),
                },
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DateWithin) and (self.past, self.future) == (
            other.past,
            other.future,
        )


def bounded_date_field(
    *, past_years: int = 100, future_years: int = 10, **kwargs
) -> forms.DateField:
    """A form DateField that refuses dates too far back or ahead, with a message."""
    field = forms.DateField(**kwargs)
    field.validators.append(
        DateWithin(
            past=dt.timedelta(days=366 * past_years), future=dt.timedelta(days=366 * future_years)
        )
    )
    return field


def whole_number_help(minimum: int, maximum: int):
    """ "A whole number from 1 to 60.", in the reader's language when shown (lazy: a form class
    is built once, at import)."""
    return _whole_number_help(minimum, maximum)


_whole_number_help = lazy(
    lambda minimum, maximum: (
        gettext("A whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}
    ),
    str,
)


class WholeNumberBetween:
    """A validator: ``minimum`` <= value <= ``maximum``, said with both bounds (Django's own
    say one: "Ensure this value is greater than or equal to 1.")."""

    def __init__(self, minimum: int, maximum: int):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, value: int) -> None:
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(
                _("Enter a whole number from %(min)d to %(max)d."),
                code="out_of_range",
                params={"min": self.minimum, "max": self.maximum},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, WholeNumberBetween) and (self.minimum, self.maximum) == (
            other.minimum,
            other.maximum,
        )


def whole_number_field(
    *, minimum: int, maximum: int, help_text=None, widget=None, **kwargs
) -> forms.IntegerField:
    """A whole number every form asks the same way: typed as text with the digit keyboard
    (``WholeNumberInput``, or its Jinja2-rendered twin on a filter form: what was typed reaches
    the form, and comes back with its error), its bounds said beside it (after the field's own
    ``help_text``), a value outside them refused with both ("Enter a whole number from 1 to
    60."), a fraction refused ("Enter a whole number.")."""
    from claims_site.widgets import WholeNumberInput

    bounds = whole_number_help(minimum, maximum)
    return forms.IntegerField(
        validators=[WholeNumberBetween(minimum, maximum)],
        # A field's own help comes first, its bounds after ("Enter 0 if nobody was hurt. A
        # whole number from 0 to 99.").
        help_text=bounds if help_text is None else format_lazy("{} {}", help_text, bounds),
        widget=widget or WholeNumberInput,
        **kwargs,
    )


class WholeNumberFilter(django_filters.Filter):
    """A list filter that takes a whole number ("due within N hours", "waiting at least N
    days"), asked as every whole number is: its field is ``whole_number_field``, given
    ``minimum`` and ``maximum`` (and optionally ``widget``) with the filter's other arguments."""

    field_class = staticmethod(whole_number_field)
