"""``{% load money %}`` then ``{{ item.approved_minor|money:item.currency }}``: an amount written
the reader's way (their language's separators and where the currency sign goes)."""

from django import template

from claims.money import format_minor

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    return format_minor(amount, currency)
