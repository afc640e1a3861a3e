"""The one way a moment is written for people: the site's formats (claims_site/formats), with
its time zone always named.

Django's dateformat leaves the zone out ("T", "O", "e" and "Z" come out empty) when the wall
time is ambiguous or imaginary in its zone: 01:30 on 1 Nov 2026 in New York happens twice, and
"1 Nov 2026, 01:30" alone does not say which. The aware datetime knows (``fold``, from its
conversion from UTC), so each moment is handed to Django with its own offset and abbreviation
pinned (``datetime.timezone``), where nothing is ambiguous: EDT for the first 01:30, EST for
the second, and every other moment exactly as Django writes it.
"""

import datetime as dt

from django.utils.formats import date_format


def format_moment(value: dt.date | dt.datetime, fmt: str = "DATETIME_FORMAT") -> str:
    """``value`` in ``fmt`` (a format's name such as DATETIME_FORMAT, or a pattern such as
    "Y-m-d H:i T"), as Django's ``date_format`` writes it, in the value's own zone (convert it
    to the reader's first: ``timezone.localtime`` or ``astimezone``). Pages, e-mails and
    reports write every moment with a zone through here (templates: ``|moment``)."""
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        name = value.tzname()
        offset = value.utcoffset()
        value = value.replace(tzinfo=dt.timezone(offset, name) if name else dt.timezone(offset))
    return date_format(value, fmt)


def zone_named(local: dt.datetime) -> str:
    """ " (America/New_York)": the zone's name in brackets after a moment written in it, for the
    reader who knows the place, not the abbreviation ("16 Dec 2026, 23:59 EST"); nothing when
    the moment already names its zone ("17 Dec 2026, 04:59 UTC", never "… UTC (UTC)").
    Pages (``|zone_named``) and e-mails (``format_moment_named``) name a zone only here."""
    name = str(local.tzinfo)
    return "" if local.tzname() == name else f" ({name})"


def format_moment_named(value: dt.datetime, zone: dt.tzinfo) -> str:
    """``value`` in ``zone`` (format_moment), followed by the zone's name (``zone_named``)."""
    local = value.astimezone(zone)
    return format_moment(local) + zone_named(local)
