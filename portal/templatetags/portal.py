"""The claim's status as customers read it (never an internal state's name)."""

from django import template

from portal.wording import CUSTOMER_STATUS, status_tone

register = template.Library()


@register.filter
def customer_status(status: str) -> str:
    return str(CUSTOMER_STATUS.get(status, ""))


@register.filter
def customer_tone(status: str) -> str:
    return status_tone(status)
