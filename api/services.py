"""Every write to API clients and keys. The staff page and seed_demo call these."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import DEFAULT_SCOPES, ApiClient, ApiKey, ClientKind, Scope

KEY_PREFIX = "cdk"


class ApiClientError(Exception):
    """A rule refused the action; the message is safe to show to the person acting."""


class ApiKeyIssuedAlready(ApiClientError):
    """The form with this token issued its key already; its secret is not shown again."""


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once, never stored


def key_hash(secret: str) -> str:
    """Keys are 256 random bits, so a plain SHA-256 is enough (no stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def key_split(secret: str) -> str | None:
    """The prefix of ``cdk_<prefix>_<random>``, or None if the text is no key of ours."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def api_client_create(
    *,
    name: str,
    kind: str,
    contact_email: str,
    seller=None,
    insurer_email: str = "",
    time_zone: str = "",
    created_by=None,
) -> ApiClient:
    if kind == ClientKind.SELLER and seller is None:
        raise ApiClientError("A seller's client needs the seller it acts for.")
    if kind == ClientKind.INSURER and not insurer_email:
        raise ApiClientError("An insurer's client needs the e-mail address claims are handed to.")
    client = ApiClient(
        name=name,
        kind=kind,
        contact_email=contact_email,
        seller=seller if kind == ClientKind.SELLER else None,
        insurer_email=insurer_email.lower() if kind == ClientKind.INSURER else "",
        time_zone=time_zone.strip(),
        created_by=created_by,
    )
    client.full_clean()
    client.save()
    return client


def api_key_issue(
    *,
    client: ApiClient,
    scopes: list[str] | None = None,
    rate_per_minute: int = 600,
    created_by=None,
    issue_token: str | None = None,
) -> IssuedKey:
    """A new key for the client; the returned secret is the only copy there will ever be.

    ``issue_token``: the one-time token of the form asking for it; a second request with the
    same token issues nothing and raises ``ApiKeyIssuedAlready`` (a unique column, so two
    requests at once cannot both issue one)."""
    if issue_token and ApiKey.objects.filter(issue_token=issue_token).exists():
        raise ApiKeyIssuedAlready("This key was issued already.")
    allowed = set(DEFAULT_SCOPES[client.kind])
    scopes = sorted(set(scopes if scopes is not None else allowed))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ApiClientError(f"Unknown scope(s): {', '.join(sorted(unknown))}.")
    beyond = set(scopes) - allowed
    if beyond:
        raise ApiClientError(
            f"A {client.get_kind_display().lower()} cannot have: {', '.join(sorted(beyond))}."
        )
    if not scopes:
        raise ApiClientError("Choose at least one scope.")
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        client=client,
        prefix=prefix,
        hashed=key_hash(secret),
        scopes=scopes,
        rate_per_minute=rate_per_minute,
        created_by=created_by,
        issue_token=issue_token or None,
    )
    key.full_clean(exclude=["issue_token"])  # checked above, and by the unique column
    try:
        with transaction.atomic():
            key.save()
    except IntegrityError:
        if issue_token and ApiKey.objects.filter(issue_token=issue_token).exists():
            raise ApiKeyIssuedAlready("This key was issued already.") from None
        raise
    return IssuedKey(key=key, secret=secret)


def api_key_revoke(*, key_id: int, revoked_by=None) -> bool:
    """Revoke at once; a second revocation changes nothing (compare-and-swap)."""
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=revoked_by
        )
    return changed == 1


def api_key_touch(*, key: ApiKey, now=None) -> None:
    """Record last use, at most once a minute per key (no write on every request)."""
    now = now or timezone.now()
    if key.last_used_at and (now - key.last_used_at).total_seconds() < 60:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
