"""Money as integer minor units plus an ISO 4217 code. No floats, no FX."""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies the program runs in (and a few neighbours).
MINOR_UNITS = {"USD": 2, "CAD": 2, "GBP": 2, "EUR": 2, "JPY": 0, "CHF": 2, "SEK": 2, "PLN": 2}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
SYMBOLS = {"USD": "$", "CAD": "CA$", "GBP": "£", "EUR": "€"}


class MoneyError(ValueError):
    """An amount a person typed that is not a valid amount of that currency."""


def exponent(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError as exc:
        raise MoneyError(f"Unknown currency {currency!r}.") from exc


def to_minor(value: str | Decimal | int, currency: str) -> int:
    """Parse ``"1,234.50"`` into minor units. Refuses more decimals than the currency has."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not user input
        raise TypeError("floats never touch money")
    text = str(value).strip().replace(",", "").replace("_", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"“{value}” is not an amount.") from exc
    if not amount.is_finite():
        raise MoneyError(f"“{value}” is not an amount.")
    places = exponent(currency)
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value(rounding=ROUND_DOWN):
        raise MoneyError(f"{currency} amounts have at most {places} decimal places.")
    return int(scaled)


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
