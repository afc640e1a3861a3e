"""Money as integer minor units plus an ISO 4217 code. No floats, no FX."""

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from babel import Locale, UnknownLocaleError
from babel import numbers as babel_numbers
from django.utils import translation
from django.utils.translation import gettext as _

# ISO 4217 minor-unit exponents for the currencies the program runs in (and a few neighbours).
MINOR_UNITS = {"USD": 2, "CAD": 2, "GBP": 2, "EUR": 2, "JPY": 0, "CHF": 2, "SEK": 2, "PLN": 2}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
# The bare signs people type without thinking of other currencies ("$249.99" for USD or CAD).
NARROW_SYMBOLS = {"USD": "$", "CAD": "$", "GBP": "£", "EUR": "€", "JPY": "¥"}


# The largest amount anyone may type, in minor units: far above any claim, limit or certificate,
# far below what a BIGINT column holds, and checked before any arithmetic (``1e999999`` would
# otherwise overflow the decimal context).
MAX_AMOUNT_MINOR = 10**15
MAX_AMOUNT_DIGITS = 15

SPACES = " \u00a0\u202f\u2009"


class MoneyError(ValueError):
    """An amount a person typed that is not a valid amount of that currency."""


class AmountNotUnderstood(MoneyError):
    """Text that is an amount only in another way of writing numbers, or that two ways of writing
    them read differently: refused with the reading, so that nobody is paid 1,250.00 for "12,50"."""


class AmountTooLarge(MoneyError):
    """Over ``MAX_AMOUNT_MINOR``: refused before any arithmetic."""


class TooManyDecimals(MoneyError):
    """More decimals than the currency has (``12.345`` dollars): its own message, so a form
    says exactly what is wrong."""


def exponent(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError as exc:
        raise MoneyError(f"Unknown currency {currency!r}.") from exc


def reader_locale(language: str | None = None) -> Locale:
    """The Babel locale of the reader: the active language (``fr-ca`` is ``fr_CA``)."""
    return _babel_locale(translation.to_locale(language or translation.get_language() or "en"))


@functools.lru_cache(maxsize=64)
def _babel_locale(code: str) -> Locale:
    """Parsed once per code: Babel reads and parses the locale's data on every parse."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_minor(amount: int | None, currency: str, *, locale: Locale | str | None = None) -> str:
    """Minor units as the reader writes money: ``$1,234.56``, ``1.234,56 €``, ``1 234,56 $``.

    The one function every page, e-mail, export and message formats an amount with (the
    ``money`` template filter calls it)."""
    if amount is None:
        return "—"
    reader = _locale(locale)
    if amount >= 0:
        plain = _plain_format(currency, str(reader))
        if plain is not None:
            return plain(amount)
    value = Decimal(amount).scaleb(-exponent(currency))
    return babel_numbers.format_currency(value, currency, locale=reader)


# Babel's own writing of 1,234,567.89 in a currency and locale, taken apart: what comes before
# the digits, between the groups, before the decimals and after them.
_PROBE = re.compile(
    r"^(?P<prefix>\D*)1(?P<group>\D+)234(?P=group)567(?:(?P<point>\D+)89)?(?P<suffix>\D*)$"
)
# Amounts every compiled format is checked against before it is used (minor units).
_CHECKED = (0, 1, 9, 10, 99, 100, 999, 1000, 9999, 12345, 99999, 100000, 123456, 999999,
            1000000, 1234567, 12345678, 123456789, 1000000000, 123456789012345)  # fmt: skip


@functools.lru_cache(maxsize=128)
def _plain_format(currency: str, locale_code: str):
    """A function writing a non-negative amount of ``currency`` exactly as Babel's
    ``format_currency`` does for ``locale_code``, made once from Babel's own output, or None
    where the locale writes money in a way these pieces cannot (then Babel writes each amount).

    Babel parses and applies the locale's number pattern on every call (about 60 µs); a queue
    page shows fifty amounts, every page a few. The pieces are Babel's, and the function is
    compared with Babel on amounts of every length before it is used."""
    locale = _babel_locale(locale_code)
    places = exponent(currency)

    def babel(minor: int) -> str:
        value = Decimal(minor).scaleb(-places)
        return babel_numbers.format_currency(value, currency, locale=locale)

    probe = _PROBE.match(babel(123456789 * 10**places // 100))
    if probe is None or (places > 0) != (probe["point"] is not None):
        return None
    prefix, group, point, suffix = (probe[k] or "" for k in ("prefix", "group", "point", "suffix"))
    # Some locales group only from five digits on (Spanish: 1234 but 12.345).
    for least in (4, 5):

        def plain(minor: int, least=least) -> str:
            whole, part = divmod(minor, 10**places)
            digits = str(whole)
            if len(digits) >= least:
                head = len(digits) % 3 or 3
                digits = group.join(
                    [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
                )
            decimals = f"{point}{part:0{places}d}" if places else ""
            return f"{prefix}{digits}{decimals}{suffix}"

        if all(plain(minor) == babel(minor) for minor in _CHECKED):
            return plain
    return None


def amount_input(amount: int, currency: str, *, locale: Locale | str | None = None) -> str:
    """An amount as it goes back into a form field: the reader's separators, no symbol."""
    places = exponent(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel_numbers.format_decimal(
        Decimal(amount).scaleb(-places), format=pattern, locale=_locale(locale)
    )


def amount_example(currency: str, *, locale: Locale | str | None = None) -> str:
    """How to type an amount of this currency here, e.g. ``1,234.50`` or ``1.234,50``."""
    return amount_input(123_450 // 10 ** (2 - exponent(currency)), currency, locale=locale)


# Files from other systems (order imports, withholdings) write amounts one way: a dot before the
# decimals, commas between thousands if any. Nothing in them is a person's ambiguous typing.
MACHINE = "machine"


def to_minor(
    value: str | Decimal | int, currency: str, *, locale: Locale | str | None = None
) -> int:
    """Parse what a person typed, written the reader's way, into minor units.

    ``"12,50"`` is 12.50 in Spanish and refused in English (with the reading it would have
    there); ``"1,234"`` in Spanish is refused as ambiguous (English writes it for 1234), while
    ``"19.999"`` in English has too many decimals; a currency sign of this currency is
    allowed before or after. Refuses more decimals than the currency has and anything over
    ``MAX_AMOUNT_MINOR``, before any arithmetic. ``locale=MACHINE`` reads a file written by
    another system: English separators, and three decimals are simply too many."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not user input
        raise TypeError("floats never touch money")
    places = exponent(currency)
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
        if not amount.is_finite():
            raise MoneyError(_("“%(value)s” is not an amount.") % {"value": value})
        _check_size(amount, places, str(value), currency)
    else:
        machine = locale == MACHINE
        amount = _plain(str(value), currency, places) if machine else None
        if amount is None:
            amount = _parse(str(value), currency, _locale("en" if machine else locale))
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value(rounding=ROUND_DOWN):
        raise TooManyDecimals(_too_many_decimals(currency))
    return int(scaled)


def _locale(locale: Locale | str | None) -> Locale:
    if isinstance(locale, Locale):
        return locale
    return reader_locale(locale)


def _too_many_decimals(currency: str) -> str:
    places = exponent(currency)
    if places == 0:
        return _("%(currency)s amounts have no decimals.") % {"currency": currency}
    return _("Too many decimals: %(currency)s amounts have at most %(places)d decimal places.") % {
        "currency": currency,
        "places": places,
    }


def _check_size(amount: Decimal, places: int, shown: str, currency: str) -> None:
    if amount.adjusted() + places >= MAX_AMOUNT_DIGITS + 1 or (
        abs(amount).scaleb(places) > MAX_AMOUNT_MINOR
    ):
        raise AmountTooLarge(
            _("“%(value)s” is too large: amounts go up to %(max)s.")
            % {"value": _shorten(shown), "max": format_minor(MAX_AMOUNT_MINOR, currency)}
        )


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def currency_signs(currency: str, *, locale: Locale | str | None = None) -> tuple[str, ...]:
    """The signs of ``currency`` that ``to_minor`` reads before or after an amount, longest
    first: the losses step's running total (static/js/losses-total.js) strips these and no
    others, so it counts exactly the amounts the server accepts."""
    return _symbols(currency, _locale(locale))


@functools.lru_cache(maxsize=256)
def _symbols(currency: str, locale: Locale) -> tuple[str, ...]:
    """The signs of this currency a person may type around the amount, longest first (the
    same for every amount: worked out once per currency and locale)."""
    signs = {currency, NARROW_SYMBOLS.get(currency, currency)}
    for where in (locale, "en", "en_CA", "fr_CA", "fr", "de", "es"):
        signs.add(babel_numbers.get_currency_symbol(currency, locale=where))
    signs = {_squash(sign) for sign in signs}
    return tuple(sorted(signs, key=len, reverse=True))


def _squash(text: str) -> str:
    return re.sub(f"[{SPACES}]+", " ", text).strip()


def _convention(decimal: str) -> re.Pattern:
    """Digits grouped by thousands (with the group sign or a space) and decimals after the
    decimal sign, or plain digits."""
    group = "." if decimal == "," else ","
    g, d = re.escape(group), re.escape(decimal)
    whole = rf"\d{{1,3}}(?:{g}\d{{3}})+|\d{{1,3}}(?: \d{{3}})+|\d*"
    return re.compile(rf"(?P<int>{whole})(?:{d}(?P<dec>\d+))?")


def _read(text: str, decimal: str) -> tuple[Decimal, str, bool] | None:
    """The value of ``text`` when ``decimal`` marks the decimals, its decimals and whether it
    used a thousands separator; None when it is not a number written that way."""
    match = _convention(decimal).fullmatch(text)
    if not match or not (match["int"] or match["dec"]):
        return None
    whole = re.sub(r"\D", "", match["int"]) or "0"
    decimals = match["dec"] or ""
    return Decimal(f"{whole}.{decimals}" if decimals else whole), decimals, whole != match["int"]


_PLAIN = re.compile(r"[0-9]{1,20}(?:\.(?P<dec>[0-9]{1,20}))?")


def _plain(text: str, currency: str, places: int) -> Decimal | None:
    """A machine's amount in its plainest form (``1234.50``), read as ``_parse`` reads it but
    without the locale's conventions (a batch of 1,000 rows has 1,000 of them); None for
    anything else, which ``_parse`` reads or refuses."""
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    amount = Decimal(text)
    _check_size(amount, places, _shorten(text), currency)
    if len(match["dec"] or "") > places:
        raise TooManyDecimals(_too_many_decimals(currency))
    return amount


def _parse(text: str, currency: str, locale: Locale) -> Decimal:
    """Checks the shape first: no exponent, no NaN, no text thousands of digits long."""
    shown = _shorten(text.strip())
    body = _squash(text)
    if len(body) > 40 or not body:
        raise MoneyError(_not_an_amount(shown, currency, locale))
    sign = ""
    if body[0] in "+-":
        sign, body = body[0], body[1:].strip()
    for symbol in _symbols(currency, locale):
        if body.startswith(symbol):
            body = body[len(symbol) :].strip()
            break
        if body.endswith(symbol):
            body = body[: -len(symbol)].strip()
            break
    if not sign and body[:1] in ("-", "+"):
        sign, body = body[0], body[1:].strip()
    # ASCII digits only: ``\d`` also matches "٣٣", which Decimal reads as 33 and JS as nothing.
    if not re.fullmatch(r"[0-9., ]+", body) or not re.search(r"[0-9]", body):
        raise MoneyError(_not_an_amount(shown, currency, locale))
    decimal = babel_numbers.get_decimal_symbol(locale)
    decimal = decimal if decimal in ".," else "."
    places = exponent(currency)
    here = _read(body, decimal)
    if here is None:
        other = _read(body, "," if decimal == "." else ".")
        if other is None:
            raise MoneyError(_not_an_amount(shown, currency, locale))
        meant = _signed(sign, other[0])
        raise AmountNotUnderstood(
            _(
                "“%(value)s” is not how amounts are written here: “%(decimal)s” marks the "
                "decimals. If you meant %(meant)s, type %(typed)s."
            )
            % {
                "value": shown,
                "decimal": decimal,
                "meant": _money_text(meant, currency, locale),
                "typed": _input_text(meant, currency, locale),
            }
        )
    amount, decimals, grouped = here
    _check_size(amount, places, shown, currency)
    if len(decimals) == 3 and places < 3 and not grouped and body[0] != "0" and decimal == ",":
        # "1,234" in Spanish: 1 and 234 thousandths here, 1,234 in English. Say how it reads.
        # Where "." marks the decimals (English, and the machine's files) "19.999" is simply
        # too many decimals, and said so below in the reader's terms.
        thousands = Decimal(re.sub(r"\D", "", body))
        raise AmountNotUnderstood(
            _(
                "“%(value)s” is ambiguous: we read it as %(read)s, with 3 decimals. "
                "Type %(thousands)s or %(short)s."
            )
            % {
                "value": shown,
                "read": babel_numbers.format_decimal(amount, format="0.000", locale=locale),
                "thousands": _input_text(thousands, currency, locale),
                "short": _input_text(
                    amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN),
                    currency,
                    locale,
                ),
            }
        )
    if len(decimals) > places:
        raise TooManyDecimals(_too_many_decimals(currency))
    return _signed(sign, amount)


def _signed(sign: str, amount: Decimal) -> Decimal:
    return -amount if sign == "-" else amount


def _money_text(amount: Decimal, currency: str, locale: Locale) -> str:
    return babel_numbers.format_currency(amount, currency, locale=locale)


def _input_text(amount: Decimal, currency: str, locale: Locale) -> str:
    places = exponent(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel_numbers.format_decimal(amount, format=pattern, locale=locale)


def _not_an_amount(shown: str, currency: str, locale: Locale) -> str:
    return _("“%(value)s” is not an amount. Type an amount like %(example)s.") % {
        "value": shown,
        "example": amount_example(currency, locale=locale),
    }


def plain_minor(amount: int | None, currency: str) -> str:
    """``123450`` USD as ``1234.50``: the amount in the currency's units with no symbol or
    thousands separator, as spreadsheets read numbers (the CSV export); "" for no amount."""
    if amount is None:
        return ""
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount is an integer number of minor units")
        exponent(self.currency)

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise MoneyError(f"Cannot combine {self.currency} and {other.currency} (no FX).")

    def __str__(self) -> str:
        return format_minor(self.amount, self.currency)
