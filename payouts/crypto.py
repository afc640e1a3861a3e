"""Account numbers encrypted at rest: a key-wrapped envelope, keys from the environment.

Each value gets its own random 256-bit data key; the value is sealed with it (AES-256-GCM) and
the data key is wrapped with the current key-encryption key (AES-256-GCM again), whose id is
stored beside it::

    enc1$<key id>$<nonce + wrapped data key>$<nonce + ciphertext>     (base64url, no padding)

``FIELD_ENCRYPTION_KEYS`` (environment, comma-separated ``id:base64url-32-bytes``) lists the
key-encryption keys, newest first: the first wraps every new value, all of them open old ones,
so a key is rotated by putting a new one first and re-saving the rows
(``manage.py payee_keys_rotate``). The embedded default key serves ``make run`` and the tests
only; the production settings require the variable and refuse the embedded key.

Why not a field library: django-fernet-encrypted-fields (the maintained one) derives its key
from ``SECRET_KEY`` (rotating the session secret would then lock the money data), stores an
empty string as NULL, and returns the ciphertext unchanged when it cannot decrypt it, which in
a payment pipeline would send money to a garbage account number instead of failing. The
primitives here are the ``cryptography`` package's; this module only arranges them.

A value that cannot be opened raises ``SealedValueError``: never a silent fallback.
"""

import base64
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1"
# The embedded default (``make run``, the tests). Production settings refuse it.
EMBEDDED_KEY = "dev:ZGV2LW9ubHktZW1iZWRkZWQta2V5LW5vdC1zZWNyZXQ"


class SealedValueError(Exception):
    """A stored value that none of the configured keys opens (or that was tampered with)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=8)
def _parse_keys(spec: tuple[str, ...]) -> tuple[tuple[str, AESGCM], ...]:
    keys = []
    for item in spec:
        kid, sep, material = item.strip().partition(":")
        if not sep or not kid or "$" in kid:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS entries are id:base64url-key.")
        try:
            key = _unb64(material)
        except ValueError as exc:
            raise ImproperlyConfigured(f"Encryption key {kid!r} is not base64url.") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"Encryption key {kid!r} must be 32 bytes (256 bits).")
        keys.append((kid, AESGCM(key)))  # built once: its key schedule is half the cost
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return tuple(keys)


def _keys() -> tuple[tuple[str, AESGCM], ...]:
    return _parse_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


def key_generate() -> str:
    """A new key-encryption key as ``FIELD_ENCRYPTION_KEYS`` expects it (without the id)."""
    return _b64(AESGCM.generate_key(bit_length=256))


def is_sealed(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + "$")


def seal(plain: str) -> str:
    """Encrypt ``plain`` under a fresh data key wrapped with the current key."""
    kid, kek = _keys()[0]
    data_key = AESGCM.generate_key(bit_length=256)
    key_nonce, data_nonce = os.urandom(12), os.urandom(12)
    aad = f"{PREFIX}${kid}".encode()
    wrapped = kek.encrypt(key_nonce, data_key, aad)
    sealed = AESGCM(data_key).encrypt(data_nonce, plain.encode("utf-8"), aad)
    return f"{PREFIX}${kid}${_b64(key_nonce + wrapped)}${_b64(data_nonce + sealed)}"


def unseal(value: str) -> str:
    """Decrypt a value written by ``seal``; raises ``SealedValueError`` if it cannot."""
    try:
        prefix, kid, wrapped, sealed = value.split("$")
    except ValueError as exc:
        raise SealedValueError("Not an encrypted value.") from exc
    if prefix != PREFIX:
        raise SealedValueError("Unknown encryption format.")
    kek = dict(_keys()).get(kid)
    if kek is None:
        raise SealedValueError(f"No key {kid!r} in FIELD_ENCRYPTION_KEYS.")
    aad = f"{PREFIX}${kid}".encode()
    try:
        raw_key, raw_data = _unb64(wrapped), _unb64(sealed)
        data_key = kek.decrypt(raw_key[:12], raw_key[12:], aad)
        return AESGCM(data_key).decrypt(raw_data[:12], raw_data[12:], aad).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise SealedValueError("The encrypted value does not open with its key.") from exc


def key_id(value: str) -> str:
    """The id of the key that wraps a stored value ('' for an empty value)."""
    return value.split("$")[1] if is_sealed(value) else ""


class EncryptedCharField(models.TextField):
    """A text value stored sealed. Python code sees the plain value (the payout sender needs
    it); the database, backups and anything reading the table see only the envelope.

    The empty string stays the empty string (the "kind" check constraints compare with it).
    Such a column can not be searched or compared in SQL: equal accounts are found through a
    keyed fingerprint stored beside it (``PayeeDetails.fingerprint``).
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or is_sealed(value):
            return value
        return seal(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return unseal(value)
