"""Money as integer minor units plus an ISO 4217 code. No floats, no FX."""

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

# ISO 4217 minor-unit exponents for the currencies the program runs in (and a few neighbours).
MINOR_UNITS = {"USD": 2, "CAD": 2, "GBP": 2, "EUR": 2, "JPY": 0, "CHF": 2, "SEK": 2, "PLN": 2}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
SYMBOLS = {"USD": "$", "CAD": "CA$", "GBP": "£", "EUR": "€"}


# The largest amount anyone may type, in minor units: far above any claim, limit or certificate,
# far below what a BIGINT column holds, and checked before any arithmetic (``1e999999`` would
# otherwise overflow the decimal context).
MAX_AMOUNT_MINOR = 10**15
MAX_AMOUNT_DIGITS = 15

# How people write amounts here: digits, optionally grouped by thousands with commas (or
# underscores), optionally a dot and the decimals. "1.000,00" or "1,5" are not guessed at.
AMOUNT_PATTERN = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


class MoneyError(ValueError):
    """An amount a person typed that is not a valid amount of that currency."""


class AmountNotUnderstood(MoneyError):
    """Text that looks like an amount written another way: refused, showing how a lax parser
    would have read it, so that nobody is paid $1.00 for "1.000,00"."""


class AmountTooLarge(MoneyError):
    """Over ``MAX_AMOUNT_MINOR``: refused before any arithmetic."""


def exponent(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError as exc:
        raise MoneyError(f"Unknown currency {currency!r}.") from exc


def to_minor(value: str | Decimal | int, currency: str) -> int:
    """Parse ``"1,234.50"`` into minor units. Refuses more decimals than the currency has,
    thousands written any other way and anything over ``MAX_AMOUNT_MINOR``."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not user input
        raise TypeError("floats never touch money")
    places = exponent(currency)
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
        if not amount.is_finite():
            raise MoneyError(_("“%(value)s” is not an amount.") % {"value": value})
    else:
        amount = _parse(str(value), currency)
    if amount.adjusted() + places >= MAX_AMOUNT_DIGITS + 1 or (
        abs(amount).scaleb(places) > MAX_AMOUNT_MINOR
    ):
        raise AmountTooLarge(
            _("“%(value)s” is too large: amounts go up to %(max)s.")
            % {"value": _shorten(str(value)), "max": format_minor(MAX_AMOUNT_MINOR, currency)}
        )
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value(rounding=ROUND_DOWN):
        raise MoneyError(
            _("%(currency)s amounts have at most %(places)d decimal places.")
            % {"currency": currency, "places": places}
        )
    return int(scaled)


def amount_example(currency: str) -> str:
    """How to type an amount of this currency, e.g. ``1,234.50``."""
    places = exponent(currency)
    return "1,234" + (f".{'5'.ljust(places, '0')}" if places else "")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse(text: str, currency: str) -> Decimal:
    """Checks the shape first: no exponent, no NaN, no text thousands of digits long."""
    stripped = text.strip().replace("_", "")
    shown = _shorten(text.strip())
    if len(stripped) > 40 or not stripped:
        raise MoneyError(_("“%(value)s” is not an amount.") % {"value": shown})
    if AMOUNT_PATTERN.fullmatch(stripped):
        return Decimal(stripped.replace(",", ""))
    lax = stripped.replace(",", "")
    if re.fullmatch(r"[+-]?\d*\.?\d+", lax):
        # What a parser that drops commas would have made of it: say so, and refuse it.
        minor = Decimal(lax).scaleb(exponent(currency)).to_integral_value(rounding=ROUND_DOWN)
        raise AmountNotUnderstood(
            _(
                "“%(value)s” would be read as %(read)s. Write the amount with a dot before "
                "the decimals and, if you like, commas between thousands, e.g. %(example)s."
            )
            % {
                "value": shown,
                "read": format_minor(int(minor), currency),
                "example": amount_example(currency),
            }
        )
    raise MoneyError(_("“%(value)s” is not an amount.") % {"value": shown})


def format_minor(amount: int | None, currency: str) -> str:
    if amount is None:
        return "—"
    places = exponent(currency)
    value = Decimal(amount).scaleb(-places)
    sign = "-" if value < 0 else ""
    body = f"{abs(value):,.{places}f}"
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{body}"


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
