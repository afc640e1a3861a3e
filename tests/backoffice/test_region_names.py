"""A region through the staff pages: named in the reader's language (Babel's territory
names), the stored name for a code Babel does not know."""

import html

import pytest
from django.conf import settings
from django.urls import reverse

from claims.models import ClaimStatus, Region
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:queue")
UNITED_STATES = {"es": "Estados Unidos", "fr": "États-Unis", "de": "Vereinigte Staaten"}


def _read(client, url, language: str, **params) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return html.unescape(client.get(url, params).content.decode())


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_workspace_names_the_region_in_the_reader_s_language(client, agent, language):
    # given: a claim in the US, stored as "United States"
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    assert claim.region.code == "US" and claim.region.name == "United States"
    client.force_login(agent)
    # when
    page = _read(client, reverse("backoffice:claim", args=[claim.pk]), language)
    # then
    assert f"<dd>{UNITED_STATES[language]}</dd>" in page
    assert "United States" not in page


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_queue_region_filter_names_regions_in_the_reader_s_language(client, agent, language):
    client.force_login(agent)
    page = _read(client, QUEUE, language)
    assert f'<option value="US">{UNITED_STATES[language]}</option>' in page
    assert "United States" not in page


def test_a_region_code_babel_does_not_know_keeps_its_stored_name(client, agent):
    # given: a region whose code names no territory
    region = Region.objects.get(code="US")
    region.pk, region.code, region.name = None, "XQ", "Zedland"
    region.save()
    client.force_login(agent)
    # when / then
    assert '<option value="XQ">Zedland</option>' in _read(client, QUEUE, "es")


def test_queue_export_names_the_region_in_the_reader_s_language(client, agent):
    import csv
    import io

    # given
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    # when
    response = client.get(reverse("backoffice:queue-export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    # then
    assert [row[2] for row in rows[1:]] == [UNITED_STATES["fr"]]


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_fraud_queue_names_regions_in_the_reader_s_language(client, analyst, language):
    """Issue: the analysts' queue said "US" in its region column and offered "CA (CAD)",
    "US (USD)" in its region filter: codes, where the claims queue says the region's name."""
    # given: a claim on fraud hold in the US
    claim_in(ClaimStatus.FRAUD_HOLD)
    client.force_login(analyst)
    # when
    page = _read(client, reverse("backoffice:fraud-queue"), language)
    # then: the filter and the row name the region
    name = UNITED_STATES.get(language, "United States")
    assert f'<option value="US">{name}</option>' in page
    assert f'<td data-label="{_label(language)}">{name}</td>' in page
    assert "(USD)" not in page and ">US<" not in page
    # and: filtering by it still finds the claim
    page = _read(client, reverse("backoffice:fraud-queue"), language, region="US")
    assert "No claims match" not in page


def _label(language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext("Region")
