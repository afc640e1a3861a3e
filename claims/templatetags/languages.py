"""The language menu: each language of ``LANGUAGES`` named in itself.

Django's language info knows no ``fr-ca`` (it answers with French's entry, code ``fr`` and all),
so the names come from Babel's CLDR data: English, español, français, français (Canada),
Deutsch."""

from functools import cache

from babel import Locale
from django import template
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import to_locale

register = template.Library()


@cache
def _name_in_itself(code: str) -> str:
    return capfirst(Locale.parse(to_locale(code)).get_display_name())


@register.simple_tag
def language_menu() -> list[tuple[str, str]]:
    return [(code, _name_in_itself(code)) for code, _name in settings.LANGUAGES]
