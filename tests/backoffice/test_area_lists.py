"""The lists of the Decisions, Money and Sellers areas and the fraud watchlist run on the queue
engine (backoffice/lists.py): keyset pages past any length, a total (exact when small, an
estimate marked as such when large), oldest or newest first, filters, pinned query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import lists, search
from claims.actors import Actor
from claims.models import Claim, Region
from fraud.models import WatchlistEntry
from fraud.services import watchlist_add
from tests.backoffice import areas

pytestmark = pytest.mark.django_db

DECISIONS = reverse("backoffice:decisions")
WATCHLIST = reverse("backoffice:fraud-watchlist")


def _watch(analyst, n: int) -> list[WatchlistEntry]:
    return [
        watchlist_add(
            kind="email",
            value=f"fraudster{i}@example.test",
            reason="Confirmed fraud",
            actor=Actor.staff(analyst),
        )
        for i in range(n)
    ]


def _refs(body: str, name: str) -> list[str]:
    return re.findall(rf"{name} (PL-[A-Z0-9-]+)", body)


def test_approvals_page_past_the_first_page_to_the_last(client, supervisor, monkeypatch):
    # given: three approvals waiting, pages of two
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    waiting = [areas.approval_waiting() for _ in range(3)]
    client.force_login(supervisor)
    # when
    first = client.get(DECISIONS)
    listed = first.context["approvals"]
    second = client.get(DECISIONS + listed.next_url.split("#")[0])
    # then: oldest first, every approval once, a link back to the first page
    refs = [a.claim.reference for a in waiting]
    assert _refs(first.content.decode(), "Read and sign") == refs[:2]
    assert _refs(second.content.decode(), "Read and sign") == refs[2:]
    assert listed.total.label == "3 approvals" and listed.total.exact
    assert "3 approvals" in first.content.decode()
    assert second.context["approvals"].next_url == ""
    assert "First page" in second.content.decode()


def test_approvals_sort_newest_first_and_filter_by_region(client, supervisor):
    # given: two approvals, the newer one on a Canadian claim
    older, newer = areas.approval_waiting(), areas.approval_waiting()
    Claim.objects.filter(pk=newer.claim_id).update(region=Region.objects.get(code="CA"))
    client.force_login(supervisor)
    # when
    newest = client.get(DECISIONS, {"approvals-sort": "newest"}).content.decode()
    canada = client.get(DECISIONS, {"approvals-region": "CA"}).content.decode()
    # then
    assert _refs(newest, "Read and sign") == [newer.claim.reference, older.claim.reference]
    assert _refs(canada, "Read and sign") == [newer.claim.reference]
    assert "1 approval" in canada


def test_bad_list_input_is_named_and_nothing_is_listed(client, supervisor):
    # given
    areas.approval_waiting()
    client.force_login(supervisor)
    # when: a region that does not exist, and a forged page link
    bad_region = client.get(DECISIONS, {"approvals-region": "XX"})
    bad_cursor = client.get(DECISIONS, {"approvals-after": "yesterday~99999999999999999999"})
    # then
    assert bad_region.status_code == 200
    assert "Region: Select a valid choice." in bad_region.content.decode()
    assert _refs(bad_region.content.decode(), "Read and sign") == []
    assert "That page link is no longer valid" in bad_cursor.content.decode()
    assert bad_region.context["approvals"].total is None
    assert bad_cursor.context["approvals"].total.label == "1 approval"
    assert len(_refs(bad_cursor.content.decode(), "Read and sign")) == 1


def test_each_list_keeps_the_others_parameters(client, supervisor, monkeypatch):
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    areas.approval_waiting(), areas.approval_waiting()
    client.force_login(supervisor)
    response = client.get(DECISIONS, {"samples-sort": "newest"})
    next_url = response.context["approvals"].next_url
    assert "samples-sort=newest" in next_url and "approvals-after=" in next_url
    assert next_url.endswith("#approvals")


def test_watchlist_pages_with_the_queue_engine_and_never_counts_it_whole(
    client, analyst, monkeypatch
):
    # given: five watched values, pages of two, totals exact only up to three
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "EXACT_UP_TO", 3)
    entries = _watch(analyst, 5)
    client.force_login(analyst)
    # when
    seen, url = [], WATCHLIST
    with CaptureQueriesContext(connection) as ctx:
        while url:
            response = client.get(url)
            listed = response.context["entries"]
            seen += [e.pk for e in listed.rows]
            url = WATCHLIST + listed.next_url.split("#")[0] if listed.next_url else ""
    # then: newest first, every entry once; an estimate (marked), no COUNT of the whole list
    assert seen == [e.pk for e in reversed(entries)]
    assert not listed.total.exact
    assert "(estimate)" in response.content.decode()
    assert 'class="total estimate"' in response.content.decode()
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts if "fraud_watchlistentry" in sql)


def test_watchlist_filters_by_kind(client, analyst):
    _watch(analyst, 2)
    watchlist_add(kind="ip", value="203.0.113.7", reason="Mule", actor=Actor.staff(analyst))
    client.force_login(analyst)
    listed = client.get(WATCHLIST, {"watched-kind": "ip"}).context["entries"]
    assert [e.kind for e in listed.rows] == ["ip"] and listed.total.label == "1 watched value"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_decisions_query_count_is_pinned_and_the_same_for_1_and_3_rows(
    client, supervisor, django_assert_num_queries
):
    # given
    areas.approval_waiting(), areas.qa_sample()
    client.force_login(supervisor)
    client.get(DECISIONS)  # warm the session
    one = _queries(client, DECISIONS)
    # when
    areas.approval_waiting(), areas.approval_waiting(), areas.qa_sample(), areas.qa_sample()
    # then: the user with its profile, its permissions, the viewer's regions (the filters'
    # choices), approvals (page, total, which the viewer may sign: not their own, then within
    # their authority, from the page's regions' policies, their limits and the viewer's roles,
    # each read once), samples (page, total), the QA report (totals, by reason) and the
    # header's unread notifications.
    assert _queries(client, DECISIONS) == one
    with django_assert_num_queries(12):
        client.get(DECISIONS)


def test_money_query_count_is_pinned_and_the_same_for_1_and_3_rows(
    client, supervisor, django_assert_num_queries
):
    areas.failed_payout()
    client.force_login(supervisor)
    url = reverse("backoffice:money")
    client.get(url)
    one = _queries(client, url)
    areas.failed_payout(), areas.failed_payout()
    assert _queries(client, url) == one
    # the user, permissions, regions, three lists (page and total each), notifications
    with django_assert_num_queries(7):
        client.get(url)


def test_sellers_query_count_is_pinned_and_the_same_for_1_and_3_rows(
    client, supervisor, django_assert_num_queries
):
    areas.appealed_recovery(supervisor)
    client.force_login(supervisor)
    url = reverse("backoffice:sellers")
    client.get(url)
    one = _queries(client, url)
    areas.appealed_recovery(supervisor), areas.appealed_recovery(supervisor)
    assert _queries(client, url) == one
    # the user, permissions, regions, two lists (page and total each), notifications
    with django_assert_num_queries(6):
        client.get(url)


def test_watchlist_query_count_is_pinned_and_the_same_for_1_and_3_rows(
    client, analyst, django_assert_num_queries
):
    _watch(analyst, 1)
    client.force_login(analyst)
    client.get(WATCHLIST)
    one = _queries(client, WATCHLIST)
    WatchlistEntry.objects.all().delete()
    _watch(analyst, 3)
    assert _queries(client, WATCHLIST) == one
    # the user, permissions, the page (with who added each and their claim; a first page with
    # no next page is its own total) and the header's notification count (every staff page's)
    with django_assert_num_queries(4):
        client.get(WATCHLIST)
