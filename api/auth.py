"""Authentication (``Authorization: Bearer cdk_…``), scopes and per-key rate limits."""

import hmac

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from api.models import ApiKey
from api.services import api_key_touch, key_hash, key_split


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``request.auth`` is the ApiKey (and ``request.auth.client`` the ApiClient)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme != self.keyword or not secret.strip():
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Bearer <key>.")
        secret = secret.strip()
        prefix = key_split(secret)
        key = None
        if prefix:
            key = (
                ApiKey.objects.select_related("client", "client__seller__region")
                .filter(prefix=prefix)
                .first()
            )
        if key is None or not hmac.compare_digest(key.hashed, key_hash(secret)):
            raise exceptions.AuthenticationFailed("That API key is not valid.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("That API key has been revoked.")
        api_key_touch(key=key)
        # Dates in the answer carry the client's offset (``ApiClient.zone``), never a browser's
        # (the site's TimezoneMiddleware guessed one for pages; it deactivates it afterwards).
        timezone.activate(key.client.zone)
        # request.user stays anonymous (no staff user acts: the field history of what the API
        # writes records no user); the client is request.auth.client.
        return (AnonymousUser(), key)

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key issued by a supervisor (shown once): `cdk_…`.",
        }


class HasScope(permissions.BasePermission):
    """The view's ``required_scope`` (one per endpoint, or per method in a dict)."""

    message = "This API key does not have the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        needed = getattr(view, "required_scope", None)
        if isinstance(needed, dict):
            needed = needed.get(request.method, needed.get("*"))
        if needed is None:
            return False
        if needed not in key.scopes:
            self.message = f"This API key does not have the scope {needed}."
            return False
        return True


class ApiKeyThrottle(throttling.SimpleRateThrottle):
    """Per key, at the key's own ``rate_per_minute``, counted in the default cache (Redis in
    production; a cache that is down lets requests through, as the project's other limits)."""

    scope = "api_key"

    def __init__(self):
        # The rate is the key's; it is only known once the request is authenticated.
        pass

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        self.rate = f"{key.rate_per_minute}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
