"""Normalised forms of identifying attributes, so that trivially different spellings match."""

import re

import phonenumbers

# Providers that deliver ``a.b+tag@`` to ``ab@``: dots are ignored only by Gmail.
_DOTS_IGNORED = frozenset({"gmail.com"})
_PLUS_TAGS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "fastmail.com",
        "protonmail.com",
        "proton.me",
    }
)
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}

_ADDRESS_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "square": "sq",
    "highway": "hwy",
    "parkway": "pkwy",
    "terrace": "ter",
    "circle": "cir",
    "apartment": "apt",
    "unit": "apt",
    "suite": "ste",
    "floor": "fl",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def email_normalise(raw: str) -> str:
    """Lower-case; strip plus-tags and dots where the provider ignores them."""
    value = (raw or "").strip().lower()
    if "@" not in value:
        return value
    local, domain = value.rsplit("@", 1)
    domain = _DOMAIN_ALIASES.get(domain, domain)
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def phone_normalise(raw: str, *, country: str = "US") -> str:
    """E.164, or "" when the number cannot be a valid phone number."""
    if not (raw or "").strip():
        return ""
    try:
        number = phonenumbers.parse(raw, (country or "US").upper())
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def address_normalise(
    *, line1: str, line2: str = "", postal_code: str = "", country: str = ""
) -> str:
    """Lower-case words, standard abbreviations, no punctuation; "" when there is no street."""
    street = f"{line1} {line2}".lower().replace("#", " apt ")
    words = re.sub(r"[^\w\s]", " ", street).split()
    if not words:
        return ""
    words = [_ADDRESS_WORDS.get(word, word) for word in words]
    # "Apt #4" and "Apt 4" are one flat: drop a unit word repeated by the "#" expansion.
    words = [w for i, w in enumerate(words) if not (i and w == words[i - 1] == "apt")]
    postal = re.sub(r"[^\w]", "", postal_code or "").upper()
    if (country or "").upper() == "US":
        postal = postal[:5]  # ZIP+4 and ZIP are the same place
    return " ".join([*words, postal, (country or "").upper()]).strip()


def token_normalise(raw: str) -> str:
    """Payout fingerprints, device ids and IP addresses: trimmed and lower-cased."""
    return (raw or "").strip().lower()
