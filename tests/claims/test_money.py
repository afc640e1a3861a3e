from decimal import Decimal

import pytest

from claims import money
from claims.money import (
    MAX_AMOUNT_MINOR,
    AmountNotUnderstood,
    AmountTooLarge,
    Money,
    MoneyError,
    amount_input,
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
    ("text", "meant"),
    [
        ("1.000,00", "If you meant $1,000.00, type 1,000.00."),
        ("1,5", "If you meant $1.50, type 1.50."),
        ("12,34", "If you meant $12.34, type 12.34."),
    ],
)
def test_to_minor_refuses_a_decimal_comma_in_english_and_says_what_to_type(text, meant):
    with pytest.raises(AmountNotUnderstood) as caught:
        to_minor(text, "USD", locale="en")
    assert f"“{text}” is not how amounts are written here: “.” marks the decimals." in str(
        caught.value
    )
    assert meant in str(caught.value)


# Issue 16: "12,50" typed in Spanish became a claim for 1,250.00.
@pytest.mark.parametrize(
    ("text", "language", "currency", "minor"),
    [
        ("1.234,56", "de", "EUR", 123_456),
        ("1.234,56", "es", "EUR", 123_456),
        ("1.234,56", "fr", "EUR", 123_456),
        ("1 234,56", "fr", "EUR", 123_456),
        ("1\u202f234,56\u00a0€", "fr", "EUR", 123_456),
        ("1 234,56", "de", "EUR", 123_456),
        ("£1,234.56", "en", "GBP", 123_456),
        ("1,234.56 GBP", "en", "GBP", 123_456),
        ("12,50", "es", "EUR", 1_250),
        ("12,50 €", "es", "EUR", 1_250),
        ("€12,50", "de", "EUR", 1_250),
        ("$249.99", "en", "USD", 24_999),
        ("US$249.99", "en", "USD", 24_999),
        ("249,99 $", "fr-ca", "CAD", 24_999),
        ("CA$1,234.56", "en", "CAD", 123_456),
        ("1.234", "es", "EUR", 123_400),
        ("1,234", "en", "USD", 123_400),
        ("-5", "en", "USD", -500),
    ],
)
def test_to_minor_reads_amounts_the_readers_way(text, language, currency, minor):
    assert to_minor(text, currency, locale=language) == minor


@pytest.mark.parametrize(
    ("text", "language", "currency", "message"),
    [
        (
            "1,234",
            "es",
            "EUR",
            "“1,234” is ambiguous: we read it as 1,234, with 3 decimals. Type 1.234,00 or 1,23.",
        ),
        (
            "12,50",
            "en",
            "USD",
            "“12,50” is not how amounts are written here: “.” marks the decimals. "
            "If you meant $12.50, type 12.50.",
        ),
        (
            "1234.56",
            "es",
            "EUR",
            "“1234.56” is not how amounts are written here: “,” marks the decimals. "
            "If you meant 1.234,56\u00a0€, type 1.234,56.",
        ),
        (
            "1.234,56",
            "en",
            "GBP",
            "If you meant £1,234.56, type 1,234.56.",
        ),
    ],
)
def test_to_minor_refuses_an_ambiguous_amount_showing_how_it_reads(
    text, language, currency, message
):
    with pytest.raises(AmountNotUnderstood) as caught:
        to_minor(text, currency, locale=language)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "language", "currency"),
    [
        ("12,505", "de", "EUR"),
        ("1.234,567", "es", "EUR"),
        ("12.3456", "en", "USD"),
        # In English "." only ever marks the decimals: three are too many, nothing ambiguous.
        ("19.999", "en", "USD"),
        ("1.234", "en", "USD"),
    ],
)
def test_to_minor_says_when_there_are_too_many_decimals(text, language, currency):
    with pytest.raises(MoneyError) as caught:
        to_minor(text, currency, locale=language)
    if len(text.split(",")[-1]) == 3 and "." not in text:
        assert "is ambiguous" in str(caught.value)
    else:
        assert str(caught.value) == (
            f"Too many decimals: {currency} amounts have at most 2 decimal places."
        )


@pytest.mark.parametrize(("text", "currency"), [("$249.99", "EUR"), ("€12", "USD")])
def test_to_minor_refuses_another_currencys_sign(text, currency):
    with pytest.raises(MoneyError) as caught:
        to_minor(text, currency, locale="en")
    assert "is not an amount" in str(caught.value)


@pytest.mark.parametrize(
    ("language", "currency", "shown"),
    [
        ("en", "USD", "$1,234.56"),
        ("en", "CAD", "CA$1,234.56"),
        ("fr-ca", "CAD", "1\u00a0234,56\u00a0$"),
        ("en", "GBP", "£1,234.56"),
        ("de", "EUR", "1.234,56\u00a0€"),
        ("es", "EUR", "1.234,56\u00a0€"),
        ("fr", "EUR", "1\u202f234,56\u00a0€"),
    ],
)
def test_format_minor_writes_the_readers_way(language, currency, shown):
    assert format_minor(123_456, currency, locale=language) == shown
    # and what is shown in a form field reads back as the same amount
    typed = amount_input(123_456, currency, locale=language)
    assert to_minor(typed, currency, locale=language) == 123_456


def test_format_minor_follows_the_active_language():
    from django.utils import translation

    with translation.override("de"):
        assert format_minor(1_250, "EUR") == "12,50\u00a0€"
        assert to_minor("12,50", "EUR") == 1_250


@pytest.mark.parametrize("value", ["10000000000000.01", Decimal("1e999999"), MAX_AMOUNT_MINOR + 1])
def test_to_minor_refuses_amounts_over_the_limit_before_any_arithmetic(value):
    with pytest.raises(AmountTooLarge):
        to_minor(value, "USD" if not isinstance(value, int) else "JPY")


def test_to_minor_takes_the_largest_amount():
    assert to_minor("10,000,000,000,000.00", "USD") == MAX_AMOUNT_MINOR


# Swiss German among them: a locale whose way of writing money the compiled formats leave to Babel.
@pytest.mark.parametrize(
    "language", ["en", "es", "fr", "fr-ca", "de", "en-gb", "en-ca", "en-ie", "it", "nl", "de-ch"]
)
@pytest.mark.parametrize("currency", sorted(money.MINOR_UNITS))
def test_amounts_are_written_exactly_as_babel_writes_them(language, currency):
    # given: amounts of every length, negative ones (Babel writes those itself) among them
    import random
    from decimal import Decimal

    from babel import numbers

    rng = random.Random(f"{language}{currency}")
    amounts = [0, 1, 999, 1000, 100000, 123456789012345, -1, -123456]
    amounts += [rng.randrange(10 ** rng.randrange(1, 16)) for _ in range(200)]
    locale = money.reader_locale(language)
    # when
    written = [money.format_minor(a, currency, locale=locale) for a in amounts]
    # then
    expected = [
        numbers.format_currency(
            Decimal(a).scaleb(-money.exponent(currency)), currency, locale=locale
        )
        for a in amounts
    ]
    assert written == expected
