"""A region's name as the reader reads it.

Regions are data rows named once (``Region.name``, in English); a page, a filter, an export or
a message names a region in the reader's language from a maintained source, Babel's territory
names (the EU among them), and keeps the stored name for a code Babel does not know.
"""

from claims.money import reader_locale


def region_name(code: str, stored: str, *, language: str | None = None) -> str:
    """The name of the region ``code`` in ``language`` (the active one by default); ``stored``
    when Babel names no such territory."""
    return reader_locale(language).territories.get(code.upper()) or stored


def region_choices() -> list[tuple[str, str]]:
    """Every region as a filter's choice: its code, named the reader's way (one query)."""
    from claims.models import Region

    return [
        (code, region_name(code, name))
        for code, name in Region.objects.order_by("code").values_list("code", "name")
    ]
