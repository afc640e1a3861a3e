"""The claim's status as customers read it (never an internal state's name)."""

from django import template

from portal import wording

register = template.Library()


@register.filter
def customer_status(status: str) -> str:
    return wording.customer_status(status)


@register.filter
def customer_tone(status: str) -> str:
    return wording.status_tone(status)
