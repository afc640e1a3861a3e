"""Secure links for customers, sellers, insurers and adjusters: issue, resolve, revoke.

A link is ``<id>:<secret>`` signed with ``SECRET_KEY`` (salted per purpose). Resolving checks,
in order: the signature (tampered), the row (unknown), the secret's hash, the purpose, the
binding to a claim, revocation, expiry and single use. Each refusal has its own reason so the
page can say what to do next; nothing is changed by a refused link.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import AccessLink


class LinkRefused(Exception):
    TAMPERED = "tampered"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"
    WRONG_CLAIM = "wrong_claim"

    MESSAGES = {
        TAMPERED: _("This link is not valid. Please use the link exactly as we sent it."),
        UNKNOWN: _("This link is not valid. Please use the link exactly as we sent it."),
        EXPIRED: _("This link has expired. Ask for a new one."),
        REVOKED: _("This link has been withdrawn. Contact us if you still need access."),
        USED: _("This link has already been used. Ask for a new one."),
        WRONG_CLAIM: _("This link is for a different claim."),
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(str(self.MESSAGES[reason]))


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"claimdesk.links.{purpose}")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_issue(
    *,
    purpose: str,
    email: str,
    expires_in: dt.timedelta,
    claim=None,
    customer=None,
    seller=None,
    single_use: bool = False,
    created_by=None,
) -> tuple[AccessLink, str]:
    """Create a link and return it with its token (the token is not stored anywhere)."""
    secret = secrets.token_urlsafe(32)
    link = AccessLink.objects.create(
        purpose=purpose,
        email=email,
        claim=claim,
        customer=customer,
        seller=seller,
        single_use=single_use,
        expires_at=timezone.now() + expires_in,
        secret_hash=_hash(secret),
        created_by=created_by,
    )
    return link, _signer(purpose).sign(f"{link.pk}:{secret}")


def link_resolve(
    *, token: str, purpose: str, claim=None, now: dt.datetime | None = None
) -> AccessLink:
    """The live link behind ``token``, or ``LinkRefused`` with the reason.

    A single-use link is consumed here, atomically: of two requests racing with the same
    token, exactly one gets the link.
    """
    now = now or timezone.now()
    try:
        value = _signer(purpose).unsign(token)
        link_id, secret = value.split(":", 1)
        link = AccessLink.objects.select_related("claim", "customer", "seller").get(pk=int(link_id))
    except (signing.BadSignature, ValueError):
        raise LinkRefused(LinkRefused.TAMPERED) from None
    except AccessLink.DoesNotExist:
        raise LinkRefused(LinkRefused.UNKNOWN) from None
    if link.purpose != purpose or not hmac.compare_digest(link.secret_hash, _hash(secret)):
        raise LinkRefused(LinkRefused.TAMPERED)
    if claim is not None and link.claim_id != claim.pk:
        raise LinkRefused(LinkRefused.WRONG_CLAIM)
    if link.revoked_at is not None:
        raise LinkRefused(LinkRefused.REVOKED)
    if link.expires_at <= now:
        raise LinkRefused(LinkRefused.EXPIRED)
    if link.single_use:
        taken = AccessLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=now, last_seen_at=now
        )
        if not taken:
            raise LinkRefused(LinkRefused.USED)
        link.used_at = now
    else:
        AccessLink.objects.filter(pk=link.pk).update(last_seen_at=now)
    return link


@transaction.atomic
def link_revoke(*, link: AccessLink, revoked_by, reason: str) -> AccessLink:
    AccessLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by, revoke_reason=reason[:200]
    )
    link.refresh_from_db()
    return link
