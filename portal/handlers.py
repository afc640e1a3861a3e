"""Outbox handlers of the customer portal."""

from django.conf import settings
from django.urls import reverse

from claims.models import LinkPurpose
from claims.notifications import email_send
from claims.outbox import handler
from marketplace.models import Customer


@handler("portal.signin_email")
def signin_email(*, customer_id: int, language: str = "en", next_path: str = "") -> None:
    """Issue a one-time sign-in link and e-mail it.

    The link is created here, in the worker, so its token never sits in the database (the
    outbox row holds only the customer's id) and its expiry starts when it is sent.
    """
    from urllib.parse import urlencode

    from claims.links import link_issue

    customer = Customer.objects.get(pk=customer_id)
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
        language=language,
    )
