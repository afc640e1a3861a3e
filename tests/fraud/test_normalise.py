import pytest

from fraud.normalise import address_normalise, email_normalise, phone_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jamie.Rivera@Example.com", "jamie.rivera@example.com"),
        ("  JAMIE@EXAMPLE.COM ", "jamie@example.com"),
        ("j.a.m.i.e+claims@gmail.com", "jamie@gmail.com"),
        ("Jamie.Rivera+x@GoogleMail.com", "jamierivera@gmail.com"),
        ("jamie+promo@outlook.com", "jamie@outlook.com"),
        ("jamie.r+promo@icloud.com", "jamie.r@icloud.com"),
        # Providers that do not ignore plus-tags or dots keep them: they are different boxes.
        ("jamie+promo@example.com", "jamie+promo@example.com"),
        ("j.amie@yahoo.com", "j.amie@yahoo.com"),
    ],
)
def test_email_normalise_folds_case_dots_and_plus_tags_where_the_provider_does(raw, expected):
    assert email_normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("(415) 867-5309", "US", "+14158675309"),
        ("415.867.5309", "US", "+14158675309"),
        ("+1 415 867 5309", "US", "+14158675309"),
        ("001 415 867 5309", "GB", "+14158675309"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 (0)20 7946 0018", "US", "+442079460018"),
        ("12", "US", ""),
        ("not a phone", "US", ""),
        ("", "US", ""),
    ],
)
def test_phone_normalise_gives_e164_or_nothing(raw, country, expected):
    assert phone_normalise(raw, country=country) == expected


def test_address_normalise_matches_abbreviations_case_punctuation_and_zip4():
    # given two spellings of one flat
    long_form = address_normalise(
        line1="12 North Elm Street", line2="Apartment 4", postal_code="62701-1234", country="us"
    )
    short_form = address_normalise(
        line1="12 N. Elm St.,", line2="Apt #4", postal_code="62701", country="US"
    )
    # then they are the same value
    assert long_form == short_form == "12 n elm st apt 4 62701 US"


def test_address_normalise_keeps_different_flats_apart():
    a = address_normalise(line1="12 Elm Street", line2="Apt 4", postal_code="62701", country="US")
    b = address_normalise(line1="12 Elm Street", line2="Apt 5", postal_code="62701", country="US")
    assert a != b


def test_address_normalise_is_empty_without_a_street():
    assert address_normalise(line1="", postal_code="62701", country="US") == ""
