"""Rate limits of the writes a party makes through a secure link (sellers, insurers,
adjusters), counted per link and per IP like the customer's (``portal/limits.py``)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from claims.models import AccessLink
from claims_site.ratelimit import client_ip, rate_limit_hit

HOUR = 3600
TOO_MANY = _(
    "You have sent a lot through this link in the last hour. Please wait a while and send it "
    "again: what you typed is still here."
)


def link_write_limited(request, *, link: AccessLink) -> bool:
    """Count one write (an answer, a file, a certificate, an appeal, a report); True when the
    link or the address has gone over its hourly limit."""
    per_link = rate_limit_hit(
        scope=f"link-write.{link.purpose}.link",
        key=str(link.pk),
        limit=settings.LINK_WRITES_PER_LINK_PER_HOUR,
        window_seconds=HOUR,
    )
    per_ip = rate_limit_hit(
        scope="link-write.ip",
        key=client_ip(request),
        limit=settings.LINK_WRITES_PER_IP_PER_HOUR,
        window_seconds=HOUR,
    )
    return per_link or per_ip
