from django import template

from claims.money import format_minor

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """``{{ item.approved_minor|money:item.currency }}``: minor units as the currency shows them."""
    return "—" if amount is None else format_minor(amount, currency)
