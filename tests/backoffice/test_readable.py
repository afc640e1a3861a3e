"""Readable everywhere (issue 13, point 5), through the pages: sellers and products chosen by
name, amounts in the claim's currency, labels instead of codes, one date format in the
viewer's time zone, in the queue, its CSV, the dashboard and the admin."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from claims.models import Claim, ClaimStatus, RiskLevel, StaffProfile
from claims.services import claim_risk_set
from payouts.models import ApprovalRequest
from tests.factories import OrderLineFactory, ProductFactory, SellerFactory, claim_in, claim_new

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:queue")
EXPORT = reverse("backoffice:queue-export")


def _refs(response) -> list[str]:
    return [row["claim"].reference for row in response.context["rows"]]


def _claim_of(seller_name: str, product_title: str, **kwargs) -> Claim:
    seller = SellerFactory(legal_name=seller_name)
    product = ProductFactory(title=product_title, seller=seller)
    return claim_new(order_line=OrderLineFactory(product=product), **kwargs)


@pytest.fixture
def acme(db):
    return _claim_of("Acme Heaters Ltd", "Oil radiator 2000W")


@pytest.fixture
def other(db):
    return _claim_of("Bolt Electrics", "Space heater 1500W")


# --- sellers and products by name ---------------------------------------------------------


def test_queue_filters_ask_for_seller_and_product_not_their_ids(client, agent):
    client.force_login(agent)
    page = client.get(QUEUE).content.decode()
    assert "Seller id" not in page and "Product id" not in page
    assert '<label for="id_seller">Seller</label>' in page
    assert '<label for="id_product">Product</label>' in page
    # the inputs offer suggestions from the staff suggestion pages
    assert 'list="id_seller-suggestions"' in page
    assert f'hx-get="{reverse("backoffice:suggest-sellers")}"' in page
    assert f'hx-get="{reverse("backoffice:suggest-products")}"' in page


@pytest.mark.parametrize(
    "typed",
    [
        "Acme Heaters Ltd",
        "acme heaters ltd",
        "  Acme Heaters Ltd ",
        "{id}",
        "Acme Heaters Ltd ({id})",
    ],
)
def test_queue_finds_a_seller_by_name_id_or_suggestion(client, agent, acme, other, typed):
    client.force_login(agent)
    typed = typed.format(id=acme.seller.marketplace_id)
    response = client.get(QUEUE, {"seller": typed})
    assert _refs(response) == [acme.reference]
    # what was typed stays in the box
    assert 'value="{}"'.format(typed.replace('"', "&#34;")) in response.content.decode()


def test_queue_finds_a_product_by_name_or_suggestion(client, agent, acme, other):
    client.force_login(agent)
    product = acme.order_line.product
    assert _refs(client.get(QUEUE, {"product": "oil radiator 2000w"})) == [acme.reference]
    label = f"{product.title} ({product.marketplace_id})"
    assert _refs(client.get(QUEUE, {"product": label})) == [acme.reference]


def test_an_unknown_seller_is_named_in_a_message_and_shows_nothing(client, agent, acme):
    client.force_login(agent)
    response = client.get(QUEUE, {"seller": "Nobody & Co"})
    assert response.context["rows"] == []
    page = response.content.decode()
    assert "Seller: No seller is called “Nobody &amp; Co”: choose one from the suggestions." in page
    assert 'value="Nobody &amp; Co"' in page


def test_two_sellers_of_one_name_are_told_apart_by_their_ids(client, agent, acme):
    client.force_login(agent)
    twin = _claim_of("Acme Heaters Ltd", "Fan heater")
    response = client.get(QUEUE, {"seller": "Acme Heaters Ltd"})
    assert response.context["rows"] == []
    assert "More than one seller is called" in response.content.decode()
    label = f"Acme Heaters Ltd ({twin.seller.marketplace_id})"
    assert _refs(client.get(QUEUE, {"seller": label})) == [twin.reference]


def test_suggestions_offer_sellers_and_products_by_name(client, agent, acme, other):
    client.force_login(agent)
    url = reverse("backoffice:suggest-sellers")
    body = client.get(url, {"seller": "heat"}).content.decode()
    assert body.strip() == (
        f'<option value="Acme Heaters Ltd ({acme.seller.marketplace_id})"></option>'
    )
    # by the start of the id too; names starting with the text first
    assert acme.seller.marketplace_id in client.get(url, {"q": "S-T"}).content.decode()
    products = client.get(reverse("backoffice:suggest-products"), {"product": "heater"})
    options = re.findall(r'value="([^"]+)"', products.content.decode())
    assert options == [f"Space heater 1500W ({other.order_line.product.marketplace_id})"]
    # one letter is too little to suggest anything
    assert client.get(url, {"seller": "a"}).content.decode().strip() == ""


@pytest.mark.parametrize("typed", ["ac\x00me", "a" * 5000, "%", "_"])
def test_suggestions_take_any_text_without_failing(client, agent, acme, typed):
    client.force_login(agent)
    for kind in ("sellers", "products"):
        response = client.get(reverse(f"backoffice:suggest-{kind}"), {kind[:-1]: typed})
        assert response.status_code == 200
    assert _refs(client.get(QUEUE, {"seller": typed})) == []


def test_suggestions_escape_names(client, agent):
    client.force_login(agent)
    _claim_of('Heat "<b>" & Co', "Heater")
    body = client.get(reverse("backoffice:suggest-sellers"), {"seller": "heat"}).content.decode()
    assert "<b>" not in body and "&lt;b&gt;" in body


def test_queue_by_seller_name_costs_one_query_more(client, agent, acme, django_assert_num_queries):
    client.force_login(agent)
    client.get(QUEUE)  # warm the session
    # the default page's 5 queries (with the header's notifications; one page of results is its
    # own total) and the seller looked up by name or id
    with django_assert_num_queries(6):
        response = client.get(QUEUE, {"seller": "Acme Heaters Ltd"})
    assert _refs(response) == [acme.reference]


# --- money, labels and dates in the queue ----------------------------------------------------


def test_queue_rows_show_labels_money_and_the_viewer_s_time(client, agent):
    # given: a claim submitted at 15:30 UTC, seen by an agent in Madrid
    StaffProfile.objects.update_or_create(user=agent, defaults={"time_zone": "Europe/Madrid"})
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=123_456)
    claim_risk_set(claim=claim, score=88, level=RiskLevel.HIGH)
    moment = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=moment)
    client.force_login(agent)
    # when
    page = client.get(QUEUE).content.decode()
    # then
    assert "$1,234.56" in page and "123456" not in page
    assert ">Under review<" in page and ">under_review<" not in page
    assert "High (88)" in page
    assert "20 Nov 2026, 16:30 CET" in page


def test_workspace_dates_use_the_one_format_in_the_viewer_s_zone(client, agent):
    StaffProfile.objects.update_or_create(user=agent, defaults={"time_zone": "Asia/Tokyo"})
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    moment = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=moment)
    client.force_login(agent)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    assert "21 Nov 2026, 00:30 JST" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)  # no second format


# --- the CSV export -------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_headers_say_units_and_zones_and_values_are_readable(client, agent):
    # given: an approved claim of 1,234.56 dollars, seen from New York
    StaffProfile.objects.update_or_create(user=agent, defaults={"time_zone": "America/New_York"})
    claim = claim_in(ClaimStatus.APPROVED, amount_minor=123_456)
    moment = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=moment)
    client.force_login(agent)
    # when
    rows = _csv(client.get(EXPORT))
    # then: the header names each column's unit or zone
    header = dict(zip(rows[0], rows[1], strict=True))
    assert rows[0][:4] == ["Reference", "Status", "Region", "Submitted (America/New_York)"]
    assert header["Currency"] == "USD"
    assert header["Claimed (in the currency, e.g. 1234.50)"] == "1234.56"
    assert header["Approved (in the currency, e.g. 1234.50)"] == "1234.56"
    # labels, not codes
    assert header["Status"] == "Approved"
    assert header["Funding"] == "Marketplace concession"
    assert header["Region"] == claim.region.name
    assert header["Risk level"] == "Not scored"
    assert header["Submitted (America/New_York)"] == "2026-11-20T10:30-05:00"
    assert header["Decision due (America/New_York)"].endswith("-05:00")


def test_the_csv_file_is_named_with_the_viewers_time(client, agent):
    """Found trying the export: the file name's time was UTC while every date inside it was in
    the viewer's zone."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    StaffProfile.objects.update_or_create(user=agent, defaults={"time_zone": "Asia/Kolkata"})
    client.force_login(agent)
    zone = ZoneInfo("Asia/Kolkata")
    before = timezone.now().astimezone(zone).strftime("%Y%m%d-%H%M")
    # when
    response = client.get(EXPORT)
    # then (the minute may turn during the request)
    after = timezone.now().astimezone(zone).strftime("%Y%m%d-%H%M")
    names = {f'attachment; filename="claims-{stamp}.csv"' for stamp in (before, after)}
    assert response["Content-Disposition"] in names


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_charts_label_in_page_text_with_their_numbers_in_tables(client, supervisor):
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.force_login(supervisor)
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    # three charts whose labels and values are page text, not text drawn in (and shrunk with)
    # an SVG
    assert page.count('<figure class="chart"') == 3
    assert "<text" not in page
    assert re.search(r'<span class="bar-label">Under review</span>', page)
    # each chart's numbers are also in a table
    for heading in ("h-status", "h-intake", "h-load"):
        section = page.split(f'aria-labelledby="{heading}"', 1)[1].split("</section>", 1)[0]
        assert "<table" in section


def test_dashboard_money_card_has_one_column_per_currency(client, supervisor):
    from sellers.services.recoveries import withholding_record
    from tests.sellers.test_recoveries import _escalated_and_approved

    _claim, recovery = _escalated_and_approved(supervisor, approved_minor=200_000)
    withholding_record(
        recovery=recovery, amount_minor=50_000, currency="USD", disbursement_reference="D-7"
    )
    client.force_login(supervisor)
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    money = page.split('aria-labelledby="h-money"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<th scope="col" class="num">USD</th>', money)
    for figure in ("Payouts", "Paid", "Of which step-in (to recover)", "Recovered"):
        assert f'<th scope="row">{figure}</th>' in money
    assert '<td class="num">$500.00</td>' in money


# --- the admin ----------------------------------------------------------------------------------


def test_admin_lists_funding_as_its_label(client, supervisor):
    # given: a first approval waiting for a second approver, funded by a step-in
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    ApprovalRequest.objects.create(
        claim=claim,
        items={},
        total_minor=500_000,
        currency="USD",
        funding="step_in",
        policy={},
        requested_by=supervisor,
    )
    root = get_user_model().objects.create_superuser("root", "root@example.test", "pw")
    client.force_login(root)
    # when
    page = client.get(reverse("admin:payouts_approvalrequest_changelist")).content.decode()
    # then
    assert "Marketplace step-in, recovered from seller" in page
    assert ">step_in<" not in page


def test_admin_claim_list_shows_labels_money_and_one_date_format(client):
    claim = claim_in(ClaimStatus.ESCALATED, amount_minor=2_500_000)
    root = get_user_model().objects.create_superuser("root", "root@example.test", "pw")
    StaffProfile.objects.update_or_create(user=root, defaults={"time_zone": "Europe/Madrid"})
    Claim.objects.filter(pk=claim.pk).update(
        submitted_at=dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)
    )
    client.force_login(root)
    page = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "Marketplace step-in, recovered from seller" in page and ">step_in<" not in page
    assert "$25,000.00" in page
    assert "20 Nov 2026, 16:30 CET" in page


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "Europe/Madrid", "UTC"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_queue_dates_are_the_site_s_one_format(zone, language):
    """The queue puts its many dates together from pieces (backoffice.rendering.Dates): they
    read exactly as Django's date_format with the site's DATETIME_FORMAT would write them."""
    import zoneinfo

    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from backoffice.rendering import Dates
    from claims_site.dates import format_moment

    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        dates = Dates()
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        # every 13 hours through the year, and each hour of the night New York's clocks go back
        moments = [
            start + dt.timedelta(hours=hours, minutes=hours % 60)
            for hours in range(0, 366 * 24, 13)
        ] + [FIRST_0130 + dt.timedelta(hours=h) for h in range(-2, 4)]
        for moment in moments:
            expected = format_moment(timezone.localtime(moment))
            assert not expected.endswith(" ")  # a zone even in an hour that happens twice
            assert dates(moment) == expected
            assert dates(moment, short=True) == date_format(
                timezone.localtime(moment), "MONTH_DAY_FORMAT"
            )


def test_readable_every_template_writes_dates_in_the_sites_formats():
    """One date format (issue 13, point 5): templates name the site's formats (which each
    language defines once, claims_site/formats) or write ISO 8601 for machines (``c``), never
    a pattern of their own such as "Y-m-d H:i" (the Decisions and Money lists wrote one)."""
    from pathlib import Path

    from django.conf import settings

    # A moment (DATETIME_FORMAT, with its zone) goes through ``|moment`` (claims_site.dates):
    # Django's ``|date`` names no zone in the hour the clocks go back.
    named = {"DATE_FORMAT", "MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT", "c"}
    root = Path(settings.BASE_DIR) / "templates"
    own = [
        f"{path.relative_to(settings.BASE_DIR)}: {pattern}"
        for path in sorted([*root.rglob("*.html"), *root.rglob("*.txt")])
        for pattern in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8"))
        if pattern not in named
    ]
    assert own == []


def test_readable_python_writes_moments_through_the_one_function():
    """Code that writes a moment with a zone calls claims_site.dates.format_moment, not Django's
    date_format (which leaves the zone out in an hour that happens twice)."""
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    calls = [
        f"{path.relative_to(base)}: {call}"
        for path in sorted(base.rglob("*.py"))
        if not {".venv", "tests", "benchmarks", "var"} & set(path.relative_to(base).parts)
        for call in re.findall(r"date_format\((?:[^()]|\([^()]*\))*\)", path.read_text("utf-8"))
        for literal in re.findall(r"[\"']([^\"']*)[\"']", call)
        if literal == "DATETIME_FORMAT" or ("T" in literal and not literal.endswith("_FORMAT"))
    ]
    assert calls == []


# 1 Nov 2026 in New York: the clocks go back at 02:00 EDT, so 01:00-01:59 happens twice, first
# as EDT (05:xx UTC), then as EST (06:xx UTC). Django's dateformat writes no zone for such a
# moment ("T", "O" and "e" come out empty), although the aware datetime knows which it is.
FIRST_0130 = dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)
SECOND_0130 = dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
NOON = dt.datetime(2026, 11, 1, 17, 5, tzinfo=dt.UTC)


def test_workspace_timeline_names_the_zone_in_the_hour_the_clocks_go_back(client, agent):
    # given: three timeline events, two in the repeated hour and one at an ordinary time
    from claims.lifecycle import Party
    from claims.models import ClaimEvent, EventKind

    StaffProfile.objects.filter(user=agent).update(time_zone="America/New_York")
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    for when, text in ((FIRST_0130, "first"), (SECOND_0130, "second"), (NOON, "noon")):
        ClaimEvent.objects.create(
            claim=claim,
            kind=EventKind.NOTE,
            actor_party=Party.STAFF,
            reason=text,
            created_at=when,
        )
    client.force_login(agent)
    # when
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    # then: each moment with its own zone, in the page and in its machine-readable twin
    assert "1 Nov 2026, 01:30 EDT</time>" in page
    assert "1 Nov 2026, 01:30 EST</time>" in page
    assert "1 Nov 2026, 12:05 EST</time>" in page
    assert 'datetime="2026-11-01T01:30:00-04:00"' in page
    assert 'datetime="2026-11-01T01:30:00-05:00"' in page


@pytest.mark.parametrize(
    "language, moment, expected",
    [
        ("en", FIRST_0130, "1 Nov 2026, 01:30 EDT"),
        ("en", SECOND_0130, "1 Nov 2026, 01:30 EST"),
        ("en", NOON, "1 Nov 2026, 12:05 EST"),
        ("fr", FIRST_0130, "1 novembre 2026 01:30 EDT"),
        ("de", SECOND_0130, "1. November 2026 01:30 EST"),
        # Spanish writes month abbreviations in lower case (the tryout read "16 Dic 2026")
        ("es", NOON, "1 nov 2026, 12:05 EST"),
    ],
)
def test_format_moment_names_the_zone_of_either_fold(language, moment, expected):
    import zoneinfo

    from django.utils import translation

    from claims_site.dates import format_moment

    local = moment.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    with translation.override(language):
        assert format_moment(local) == expected
        assert format_moment(local, "DATETIME_FORMAT") == expected
        # a format of the project's own with the zone, and the offset and zone name
        assert format_moment(local, "Y-m-d H:i T") == local.strftime("%Y-%m-%d %H:%M %Z")
        assert format_moment(local, "O e") == local.strftime("%z %Z")


def test_format_moment_leaves_dates_and_utc_as_django_writes_them():
    from django.utils.formats import date_format

    from claims_site.dates import format_moment

    assert format_moment(dt.date(2026, 11, 1), "DATE_FORMAT") == "1 Nov 2026"
    assert format_moment(NOON) == date_format(NOON, "DATETIME_FORMAT") == "1 Nov 2026, 17:05 UTC"


@pytest.mark.parametrize("engine", ["django", "text"])
def test_moment_filter_in_both_engines_names_the_zone_of_either_fold(engine):
    """Pages and e-mails' HTML (``django``) and e-mails' subjects and text (``text``) both have
    ``|moment`` without a load, in the reader's time zone."""
    import zoneinfo

    from django.template import engines
    from django.utils import timezone, translation

    template = engines[engine].from_string("{{ a|moment }} / {{ b|moment }} / {{ c|moment }}")
    zone = zoneinfo.ZoneInfo("America/New_York")
    with timezone.override(zone), translation.override("en"):
        text = template.render({"a": FIRST_0130, "b": SECOND_0130, "c": NOON})
    assert text == "1 Nov 2026, 01:30 EDT / 1 Nov 2026, 01:30 EST / 1 Nov 2026, 12:05 EST"


def test_seller_deadline_in_the_region_s_zone_names_the_repeated_hour():
    from sellers.services.responses import local_datetime

    assert local_datetime(SECOND_0130, "America/New_York") == (
        "1 Nov 2026, 01:30 EST (America/New_York)"
    )
