from decimal import Decimal

import pytest

from claims.money import (
    MAX_AMOUNT_MINOR,
    AmountNotUnderstood,
    AmountTooLarge,
    Money,
    MoneyError,
    format_minor,
    to_minor,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1000", "USD", 100_000),
        ("1,234.5", "USD", 123_450),
        ("0.01", "EUR", 1),
        ("999.99", "GBP", 99_999),
        ("1500", "JPY", 1_500),
    ],
)
def test_to_minor_parses_amounts(text, currency, minor):
    assert to_minor(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.001", "USD"),
        ("12.5", "JPY"),
        ("abc", "USD"),
        ("NaN", "USD"),
        ("Infinity", "EUR"),
        ("1e999999", "USD"),
        ("1e3", "USD"),
        ("1" * 5000, "USD"),
        ("1\x00", "USD"),
        ("", "USD"),
    ],
)
def test_to_minor_refuses_what_is_not_an_amount(text, currency):
    with pytest.raises(MoneyError):
        to_minor(text, currency)


def test_to_minor_refuses_floats():
    with pytest.raises(TypeError):
        to_minor(0.1, "USD")


def test_format_and_arithmetic():
    assert format_minor(123_456, "USD") == "$1,234.56"
    assert format_minor(-5, "EUR") == "-€0.05"
    assert str(Money(100, "GBP") + Money(1, "GBP")) == "£1.01"
    with pytest.raises(MoneyError):
        Money(1, "USD") + Money(1, "EUR")
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "read_as"),
    [("1.000,00", "$1.00"), ("1,5", "$15.00"), ("12,34", "$1,234.00"), ("1,000,00", "$100,000.00")],
)
def test_to_minor_refuses_other_thousands_and_says_how_it_would_read(text, read_as):
    with pytest.raises(AmountNotUnderstood) as caught:
        to_minor(text, "USD")
    assert f"“{text}” would be read as {read_as}" in str(caught.value)


@pytest.mark.parametrize("value", ["10000000000000.01", Decimal("1e999999"), MAX_AMOUNT_MINOR + 1])
def test_to_minor_refuses_amounts_over_the_limit_before_any_arithmetic(value):
    with pytest.raises(AmountTooLarge):
        to_minor(value, "USD" if not isinstance(value, int) else "JPY")


def test_to_minor_takes_the_largest_amount():
    assert to_minor("10,000,000,000,000.00", "USD") == MAX_AMOUNT_MINOR
