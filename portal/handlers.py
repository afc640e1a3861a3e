"""Outbox handlers of the customer portal."""

from django.conf import settings
from django.urls import reverse

from claims.models import LinkPurpose
from claims.notifications import email_send
from claims.outbox import handler


@handler("portal.signin_email")
def signin_email(
    *, order_number: str, email: str, language: str = "en", next_path: str = ""
) -> None:
    """If the order and e-mail match, issue a one-time sign-in link and e-mail it.

    The matching happens here, in the worker, so the web request cannot reveal it. The link is
    created here too, so its token never sits in the database and its expiry starts when it is
    sent. No match: nothing is sent (the address typed may not be the customer's).
    """
    from urllib.parse import urlencode

    from claims.links import link_issue
    from portal.languages import customer_language
    from portal.services import signin_customer

    customer = signin_customer(order_number=order_number, email=email)
    if customer is None:
        return
    _link, token = link_issue(
        purpose=LinkPurpose.CUSTOMER_SIGN_IN,
        email=customer.email,
        expires_in=settings.PORTAL_SIGNIN_LINK_TTL,
        customer=customer,
        single_use=True,
    )
    url = settings.SITE_URL + reverse("portal:sign-in-link", args=[token])
    if next_path.startswith("/"):
        url += "?" + urlencode({"next": next_path})
    email_send(
        template="portal-signin",
        to=[customer.email],
        context={
            "name": customer.name,
            "signin_url": url,
            "minutes": int(settings.PORTAL_SIGNIN_LINK_TTL.total_seconds() // 60),
        },
        language=customer_language(customer=customer, language=language),
    )
