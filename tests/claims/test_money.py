import pytest

from claims.money import Money, MoneyError, format_minor, to_minor


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
