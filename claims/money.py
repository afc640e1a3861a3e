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
# ASCII digits only: ``\d`` would also read other scripts' digits, which the page's running
# total (static/js/losses-total.js) does not.
AMOUNT_PATTERN = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


class MoneyError(ValueError):
    """An amount a person typed that is not a valid amount of that currency."""


class AmountNotUnderstood(MoneyError):
    """Text that looks like an amount written another way: refused, showing how a lax parser
    would have read it, so that nobody is paid $1.00 for "1.000,00"."""


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
        raise TooManyDecimals(
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


def _currency_marks(currency: str) -> tuple[str, ...]:
    """What may stand before or after an amount of this currency (``$249.99``, ``USD 20``):
    its code, its symbol and, for dollars, the bare ``$``; longest first."""
    marks = {currency, SYMBOLS.get(currency, currency)}
    if SYMBOLS.get(currency, "").endswith("$"):
        marks.add("$")
    return tuple(sorted(marks, key=len, reverse=True))


def _without_currency(text: str, currency: str) -> str:
    """The amount without one mark of its own currency in front or behind; another currency's
    mark stays, and the amount is then refused."""
    for mark in _currency_marks(currency):
        if text.upper().startswith(mark.upper()):
            return text[len(mark) :].strip()
        if text.upper().endswith(mark.upper()):
            return text[: -len(mark)].strip()
    return text


def _parse(text: str, currency: str) -> Decimal:
    """Checks the shape first: no exponent, no NaN, no text thousands of digits long."""
    stripped = _without_currency(text.strip(), currency).replace("_", "")
    shown = _shorten(text.strip())
    if len(stripped) > 40 or not stripped:
        raise MoneyError(_("“%(value)s” is not an amount.") % {"value": shown})
    if AMOUNT_PATTERN.fullmatch(stripped):
        return Decimal(stripped.replace(",", ""))
    lax = stripped.replace(",", "")
    if re.fullmatch(r"[+-]?[0-9]*\.?[0-9]+", lax):
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
