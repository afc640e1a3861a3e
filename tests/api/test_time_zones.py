"""Dates in API answers carry the offset of the client's time zone (set on the client; by
default the seller's region's zone for a seller, UTC for the others), never a browser's guess;
events stay in UTC, as their signed webhook bodies."""

import datetime as dt
import zoneinfo

import pytest

from api.models import ApiClient
from tests.api.test_scopes import _notified

pytestmark = pytest.mark.django_db


def _respond_by(caller, claim) -> dt.datetime:
    response = caller.get(f"/api/v1/claims/{claim.reference}/")
    assert response.status_code == 200
    return dt.datetime.fromisoformat(response.json()["respond_by"])


def test_a_sellers_dates_are_in_its_regions_zone(api_keys, seller_a):
    # given: a claim of seller A, in a region whose zone is not UTC
    claim = _notified(seller_a)
    zone = zoneinfo.ZoneInfo(seller_a.region.time_zone)
    assert claim.seller_respond_by.astimezone(zone).utcoffset() != dt.timedelta(0)
    # when: A's key reads it, from a browser that says it is in Tokyo
    api_keys["seller_a"].client.cookies["tz"] = "Asia/Tokyo"
    shown = _respond_by(api_keys["seller_a"], claim)
    # then: the same instant, with the region's offset, not Tokyo's nor the site's default
    assert shown == claim.seller_respond_by
    assert shown.utcoffset() == claim.seller_respond_by.astimezone(zone).utcoffset()


def test_a_configured_zone_wins(api_keys, seller_a):
    claim = _notified(seller_a)
    ApiClient.objects.filter(pk=api_keys["seller_a"].api_client.pk).update(time_zone="Asia/Kolkata")
    shown = _respond_by(api_keys["seller_a"], claim)
    assert shown == claim.seller_respond_by
    assert shown.utcoffset() == dt.timedelta(hours=5, minutes=30)


def test_other_clients_read_utc_and_events_are_utc(api_keys, seller_a):
    # given: an insurer's client (no region of its own)
    claim = _notified(seller_a)
    response = api_keys["insurer"].get("/api/v1/webhooks/endpoints/")
    assert response.status_code == 200
    api_keys["insurer"].post(
        "/api/v1/webhooks/endpoints/",
        {"url": "http://127.0.0.1:9/h", "event_types": ["claim.paid"]},
    )
    listed = api_keys["insurer"].get("/api/v1/webhooks/endpoints/").json()
    # then: its dates are UTC (Z)
    assert listed[0]["created_at"].endswith("Z")
    # and the seller's events, whatever its zone, are in UTC like their webhook bodies
    events = api_keys["seller_a"].get("/api/v1/events/").json()["data"]
    awaiting = next(e for e in events if e["data"]["claim"] == claim.reference)
    assert awaiting["timestamp"].endswith("Z")
    assert awaiting["data"]["respond_by"].endswith("Z")


def test_staff_set_a_clients_zone_and_an_unknown_one_is_refused(client, supervisor):
    client.force_login(supervisor)
    base = {"name": "Orders", "kind": "order_system", "contact_email": "ops@m.test"}
    refused = client.post("/staff/api-clients/", {**base, "time_zone": "Mars/Olympus"})
    assert refused.status_code == 400 and "Unknown time zone" in refused.content.decode()
    assert not ApiClient.objects.exists()
    added = client.post("/staff/api-clients/", {**base, "time_zone": "Europe/Berlin"})
    assert added.status_code == 302
    assert ApiClient.objects.get().zone == zoneinfo.ZoneInfo("Europe/Berlin")
