"""Rate limits of the public forms, read from settings so that operators can tune them."""

from django.conf import settings

from claims_site.ratelimit import client_ip, rate_limit_hit

HOUR = 3600
DAY = 24 * HOUR


def signin_limited(request, *, order_number: str, email: str) -> bool:
    """Sign-in link requests: per IP, and per order + e-mail (stops mail-bombing one person)."""
    per_ip = rate_limit_hit(
        scope="portal.signin.ip",
        key=client_ip(request),
        limit=settings.PORTAL_SIGNIN_PER_IP_PER_HOUR,
        window_seconds=HOUR,
    )
    per_target = rate_limit_hit(
        scope="portal.signin.target",
        key=f"{order_number.strip().upper()}|{email.strip().lower()}",
        limit=settings.PORTAL_SIGNIN_PER_ORDER_PER_HOUR,
        window_seconds=HOUR,
    )
    return per_ip or per_target


def submission_limited(request, *, customer_id: int) -> bool:
    """Claim submissions and uploads: per customer and per IP, per day."""
    per_customer = rate_limit_hit(
        scope="portal.submit.customer",
        key=str(customer_id),
        limit=settings.PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY,
        window_seconds=DAY,
    )
    per_ip = rate_limit_hit(
        scope="portal.submit.ip",
        key=client_ip(request),
        limit=settings.PORTAL_SUBMISSIONS_PER_IP_PER_DAY,
        window_seconds=DAY,
    )
    return per_customer or per_ip


def upload_limited(request, *, customer_id: int) -> bool:
    """Evidence upload requests (wizard and claim page): keep a disk from being filled."""
    return rate_limit_hit(
        scope="portal.upload.customer",
        key=str(customer_id),
        limit=settings.PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY,
        window_seconds=DAY,
    ) or rate_limit_hit(
        scope="portal.upload.ip",
        key=client_ip(request),
        limit=settings.PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY * 3,
        window_seconds=DAY,
    )


def payee_change_limited(request, *, customer_id: int) -> bool:
    """Changes of payment details: a few a day per customer (each one e-mails the customer)."""
    return rate_limit_hit(
        scope="portal.payee.customer",
        key=str(customer_id),
        limit=settings.PORTAL_PAYEE_CHANGES_PER_CUSTOMER_PER_DAY,
        window_seconds=DAY,
    )
