"""Which language a customer reads."""

from marketplace.models import Customer

CANADIAN_FRENCH = "fr-ca"


def customer_language(*, customer: Customer, language: str) -> str:
    """French is Canadian French for a customer in Canada (Quebec's "courriel", not France's
    "e-mail"); any other choice stands. Used by every page of a signed-in customer and by their
    sign-in e-mail, so their claim is filed, and its e-mails written, in fr-ca."""
    if language == "fr" and customer.country.upper() == "CA":
        return CANADIAN_FRENCH
    return language
