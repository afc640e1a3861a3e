"""The language menu: each language of ``LANGUAGES`` named in itself.

Django's language info knows no ``fr-ca`` (it answers with French's entry, code ``fr`` and all),
so the names come from Babel's CLDR data: English, español, français, français (Canada),
Deutsch."""

from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from django import template
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import to_locale

register = template.Library()


@cache
def _name_in_itself(code: str) -> str:
    return capfirst(Locale.parse(to_locale(code)).get_display_name())


@register.simple_tag
def language_menu() -> list[tuple[str, str]]:
    return [(code, _name_in_itself(code)) for code, _name in settings.LANGUAGES]


@register.simple_tag(takes_context=True)
def language_next(context) -> str:
    """Where the language menu sends the viewer back to: the page they are on. A page answering
    a refused form (400) may sit at an address only for POST (a workspace's note, the queue's
    bulk actions); there the way back is the page the form was on, the referer, when it is this
    site's; else the address as before."""
    request = context["request"]
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        here = urlsplit(referer)
        return here.path + (f"?{here.query}" if here.query else "")
    return request.get_full_path()
