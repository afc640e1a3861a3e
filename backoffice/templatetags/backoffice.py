from django import template

from claims.templatetags.money import money

register = template.Library()
register.filter("money", money)
