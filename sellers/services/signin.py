"""A seller signs in to their inbox by a one-time link, as a customer does to the portal."""

from django.utils.translation import gettext as _

from claims.links import link_resolve
from claims.models import LinkPurpose
from claims.outbox import outbox_add
from sellers.exceptions import SellerError


def seller_signin_request(*, email: str, next_path: str = "") -> None:
    """Ask for a sign-in link for the seller(s) with this e-mail.

    The web request does the same work whether or not the address is a seller's (one outbox
    row); the worker matches it and sends a link only on a match, so the page tells nobody
    whether an address is known.
    """
    outbox_add(
        topic="sellers.signin_email", payload={"email": email.strip(), "next_path": next_path}
    )


def seller_signin_complete(*, token: str):
    """The seller behind a sign-in link; consumes the link. Raises ``LinkRefused``."""
    link = link_resolve(token=token, purpose=LinkPurpose.SELLER_SIGN_IN)
    if link.seller is None:
        raise SellerError(_("This link is not for a seller."))
    return link.seller
