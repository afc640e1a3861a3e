"""Limits on what people type, checked before any arithmetic: a date of 9999-12-31 plus a day,
or 99999999999 days before today, overflows Python's date arithmetic (a 500)."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
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
