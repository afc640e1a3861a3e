"""The triage queue: filters, keyset pages, saved views, htmx partials, CSV export."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backoffice.models import SavedView
from backoffice.services import claim_tag_add
from backoffice.views import csv_safe
from claims.models import Claim, ClaimStatus, RiskLevel
from claims.services import claim_risk_set
from tests.factories import claim_in, claim_new

pytestmark = pytest.mark.django_db
QUEUE = reverse("backoffice:queue")


def _refs(response) -> list[str]:
    return [row["claim"].reference for row in response.context["rows"]]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "query",
    ["", "?status=under_review&region=US&risk=high", "?view=mine", "?tag=recall&amount=small"],
)
def test_queue_query_count_is_the_same_for_1_and_50_rows(client, agent, query):
    # given
    client.force_login(agent)
    make = lambda: claim_in(ClaimStatus.UNDER_REVIEW)  # noqa: E731
    first = make()
    for claim in [first]:
        claim_risk_set(claim=claim, score=90, level=RiskLevel.HIGH)
        claim_tag_add(claim=claim, user=agent, name="recall")
        Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    one = _queries(client, QUEUE + query + ("&" if query else "?") + "size=50")
    # when
    for _ in range(49):
        claim = make()
        claim_risk_set(claim=claim, score=90, level=RiskLevel.HIGH)
        claim_tag_add(claim=claim, user=agent, name="recall")
        Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    response = client.get(QUEUE + query + ("&" if query else "?") + "size=50")
    # then
    assert len(response.context["rows"]) == 50
    assert _queries(client, QUEUE + query + ("&" if query else "?") + "size=50") == one


def test_queue_default_page_query_count_is_pinned(client, agent, django_assert_num_queries):
    client.force_login(agent)
    claim_in(ClaimStatus.UNDER_REVIEW)
    client.get(QUEUE)  # warm the session
    # the user with its staff profile (time zone; the session comes from the cache), its
    # permissions (own and group, one query), the regions of the filter form with the saved
    # views (one UNION), the page of claims (with customer and seller, product titles and
    # assignees by subquery) and the header's unread notifications. The page is the whole view,
    # so its rows are the total (no count). No claim on the page has a tag: no tags are read.
    with django_assert_num_queries(5):
        client.get(QUEUE)


def test_queue_total_of_a_view_longer_than_a_page_costs_two_queries(
    client, agent, django_assert_num_queries
):
    client.force_login(agent)
    for _ in range(26):
        claim_in(ClaimStatus.UNDER_REVIEW)
    client.get(QUEUE)
    # the default page's 5, and for its total the planner's estimate (EXPLAIN, small here) and
    # the count up to 1,001 claims
    with django_assert_num_queries(7) as ctx:
        response = client.get(QUEUE + "?size=25")
    assert response.context["total"].count == 26 and response.context["total"].exact
    assert ctx.captured_queries[-3]["sql"].startswith("EXPLAIN")


def test_queue_reads_tags_in_one_more_query_only_when_the_page_has_some(
    client, agent, django_assert_num_queries
):
    client.force_login(agent)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    claim_tag_add(claim=claim, user=agent, name="recall")
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    client.get(QUEUE)
    # the default page's 5 and the page's tags
    with django_assert_num_queries(6):
        response = client.get(QUEUE)
    row = response.context["rows"][0]["claim"]
    assert row.tag_names == ["recall"] and row.assignee_username == "agent"
    assert row.product_title == claim.order_line.product.title


def test_queue_pages_with_a_keyset_cursor_and_never_counts(client, agent):
    # given: 5 claims, pages of 25 are too big; use the raw selector with size 2
    from backoffice.selectors import claims_visible_to, queue_page

    claims = [claim_new() for _ in range(5)]
    base = claims_visible_to(agent)
    # when
    seen, after = [], ""
    with CaptureQueriesContext(connection) as ctx:
        while True:
            page = queue_page(base, sort="newest", after=after, size=2)
            seen.extend(c.pk for c in page.rows)
            if not page.next_cursor:
                break
            after = page.next_cursor
    # then: every claim once, newest first, and no COUNT anywhere
    assert seen == [c.pk for c in sorted(claims, key=lambda c: (c.submitted_at, c.pk))][::-1]
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_a_keyset_page_says_when_it_is_the_whole_view(agent):
    # The queue and the areas' lists ask the page itself whether it is all of the view (a first
    # page with no next page), whose total then costs no query (search.queue_total).
    from backoffice.selectors import claims_visible_to, keyset_page, queue_page

    for _ in range(3):
        claim_new()
    base = claims_visible_to(agent)
    assert queue_page(base, sort="newest", after="", size=3).whole == 3
    first = queue_page(base, sort="newest", after="", size=2)
    assert first.whole is None
    last = queue_page(base, sort="newest", after=first.next_cursor, size=2)
    assert not last.next_cursor and last.whole is None
    # the same definition for any keyset list (backoffice.lists)
    rows = Claim.objects.all()
    assert keyset_page(rows, field="submitted_at", desc=False, after="", size=5).whole == 3


def test_queue_next_link_walks_the_whole_view(client, agent):
    client.force_login(agent)
    claims = [claim_new() for _ in range(27)]
    response = client.get(QUEUE + "?size=25&sort=amount")
    first = _refs(response)
    assert len(first) == 25 and response.context["next_url"]
    # the link is the queue's own address (the page also answers a refused bulk action's)
    assert response.context["next_url"].startswith(QUEUE + "?")
    second = _refs(client.get(response.context["next_url"]))
    assert sorted(first + second) == sorted(c.reference for c in claims)
    assert not set(first) & set(second)


def test_queue_filters_narrow_the_rows(client, agent, supervisor):
    # given
    client.force_login(agent)
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    big = claim_new(amount_minor=2_500_000)
    mine = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=mine.pk).update(assignee=agent)
    late = claim_in(ClaimStatus.AWAITING_SELLER)
    Claim.objects.filter(pk=late.pk).update(
        seller_respond_by=timezone.now() - dt.timedelta(hours=1)
    )
    soon = claim_in(ClaimStatus.NEEDS_INFO)
    Claim.objects.filter(pk=soon.pk).update(
        customer_info_due=timezone.now() + dt.timedelta(hours=3)
    )
    claim_risk_set(claim=held, score=88, level=RiskLevel.HIGH)
    # when / then
    assert _refs(client.get(QUEUE + "?status=fraud_hold")) == [held.reference]
    assert _refs(client.get(QUEUE + "?risk=high")) == [held.reference]
    assert _refs(client.get(QUEUE + "?amount=large")) == [big.reference]
    assert _refs(client.get(QUEUE + "?assignee=me")) == [mine.reference]
    assert _refs(client.get(QUEUE + "?assignee=agent")) == [mine.reference]
    assert _refs(client.get(QUEUE + "?breached=true")) == [late.reference]
    assert set(_refs(client.get(QUEUE + "?due_within=4"))) == {late.reference, soon.reference}
    seller_id = big.seller.marketplace_id
    assert _refs(client.get(QUEUE + f"?seller={seller_id}")) == [big.reference]
    product_id = big.order_line.product.marketplace_id
    assert _refs(client.get(QUEUE + f"?product={product_id}")) == [big.reference]
    assert _refs(client.get(QUEUE + "?funding=concession")) == []
    assert len(_refs(client.get(QUEUE + "?region=US"))) == 5


def test_queue_bad_filter_input_says_so_and_shows_nothing(client, agent):
    client.force_login(agent)
    claim_new()
    response = client.get(QUEUE + "?due_within=soon&status=bogus")
    assert response.status_code == 200
    assert response.context["rows"] == []
    page = response.content.decode()
    assert "Due within (hours): Enter a whole number." in page
    assert "Select a valid choice" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.5", "Due within (hours): Enter a whole number."),
        ("-1", "Due within (hours): Enter a whole number from 0 to 8760."),
        ("99999", "Due within (hours): Enter a whole number from 0 to 8760."),
    ],
)
def test_queue_due_within_is_a_whole_number_of_hours_like_every_whole_number(
    client, agent, typed, message
):
    # given
    client.force_login(agent)
    claim_new()
    # when
    response = client.get(QUEUE, {"due_within": typed})
    # then: the queue renders, says what is wrong and shows no rows
    assert response.status_code == 200
    assert response.context["rows"] == []
    page = response.content.decode()
    assert message in page
    # asked as every whole number (claims_site.bounds.whole_number_field): as text with the
    # digit keyboard, what was typed kept, its bounds and its problem said beside it and tied
    # to it
    field = re.search(r'<input [^>]*name="due_within"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'inputmode="numeric"' in field
    assert f'value="{typed}"' in field
    assert 'aria-describedby="id_due_within_helptext id_due_within_error"' in field
    assert '<p class="help" id="id_due_within_helptext">A whole number from 0 to 8760.</p>' in page
    problem = message.split(": ", 1)[1]
    assert f'<ul class="errorlist" id="id_due_within_error"><li>{problem}</li></ul>' in page


def test_an_htmx_answer_sends_the_filter_form_again_with_its_problems(
    client, agent, django_assert_num_queries
):
    # The results are swapped in place (htmx): the filter form comes with them, out of band, so
    # a problem beside a field is never one of an earlier answer.
    client.force_login(agent)
    claim_new()
    # when
    bad = client.get(QUEUE, {"due_within": "1.5"}, headers={"HX-Request": "true"})
    # the form costs no query: the user, its permissions, the regions with the saved views, the
    # page
    with django_assert_num_queries(4):
        good = client.get(QUEUE, {"due_within": "2"}, headers={"HX-Request": "true"})
    # then
    bad_html, good_html = bad.content.decode(), good.content.decode()
    assert '<form method="get" action="/staff/" id="queue-filters" hx-swap-oob="true"' in bad_html
    assert 'id="id_due_within_error"' in bad_html
    assert 'id="queue-filters" hx-swap-oob="true"' in good_html
    assert 'id="id_due_within_error"' not in good_html and "<html" not in good_html


def test_queue_due_within_whole_hours_filter(client, agent):
    # given: a claim due in 3 hours, one in 30
    client.force_login(agent)
    soon, later = claim_in(ClaimStatus.NEEDS_INFO), claim_in(ClaimStatus.NEEDS_INFO)
    now = timezone.now()
    Claim.objects.filter(pk=soon.pk).update(customer_info_due=now + dt.timedelta(hours=3))
    Claim.objects.filter(pk=later.pk).update(customer_info_due=now + dt.timedelta(hours=30))
    # when / then
    assert _refs(client.get(QUEUE, {"due_within": "4"})) == [soon.reference]
    both = {soon.reference, later.reference}
    assert set(_refs(client.get(QUEUE, {"due_within": " 48 "}))) == both


def test_queue_bad_cursor_falls_back_to_the_first_page_with_a_message(client, agent):
    client.force_login(agent)
    claim = claim_new()
    response = client.get(QUEUE + "?after=not-a-cursor")
    assert _refs(response) == [claim.reference]
    assert "no longer valid" in response.content.decode()


def test_saved_views_are_data_and_apply_their_query(client, agent):
    # given: a view added as a row, the way "Awaiting second approval" will be
    SavedView.objects.create(slug="big", name="Big claims", query="amount=huge", position=99)
    client.force_login(agent)
    small, huge = claim_new(), claim_new(amount_minor=20_000_000)
    esc = claim_in(ClaimStatus.ESCALATED)
    # when / then
    assert _refs(client.get(QUEUE + "?view=big")) == [huge.reference]
    assert _refs(client.get(QUEUE + "?view=escalated")) == [esc.reference]
    assert "Big claims" in client.get(QUEUE).content.decode()
    assert small.reference not in _refs(client.get(QUEUE + "?view=big"))


def test_saved_view_needing_a_permission_is_hidden_from_others(client, agent, supervisor):
    SavedView.objects.create(
        slug="sup", name="Supervisors only", query="", permission="backoffice.view_dashboard"
    )
    client.force_login(agent)
    assert "Supervisors only" not in client.get(QUEUE).content.decode()
    client.force_login(supervisor)
    assert "Supervisors only" in client.get(QUEUE).content.decode()


def test_htmx_request_gets_only_the_results_fragment(client, agent):
    client.force_login(agent)
    claim_new()
    response = client.get(QUEUE + "?status=submitted", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "<table" in body


def test_csv_export_streams_the_view_with_formulas_escaped(client, agent):
    # given: a customer name a spreadsheet would run as a formula
    client.force_login(agent)
    claim = claim_new()
    claim.customer.name = '=HYPERLINK("http://evil.test","x")'
    claim.customer.save()
    claim_new()
    # when
    response = client.get(reverse("backoffice:queue-export") + "?status=submitted")
    # then
    assert response.streaming and response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Reference" and len(rows) == 3
    names = {row[4] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.test","x")' in names


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_prefixes_formula_starts(value):
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_plain_values():
    assert csv_safe("Space heater") == "Space heater" and csv_safe(None) == ""


def test_queue_query_has_no_distinct_and_seeks_by_index(client, agent):
    # DISTINCT would make PostgreSQL gather every matching row before the LIMIT.
    client.force_login(agent)
    claim_tag_add(claim=claim_new(), user=agent, name="x")
    # a later page (a cursor after which every claim comes), so that the view's total is counted
    after = "2999-01-01T00:00:00%2B00:00~999999999"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            QUEUE + "?status=submitted&status=screening&tag=x&region=US&after=" + after
        )
    assert len(response.context["rows"]) == 1
    claim_sql = [q["sql"] for q in ctx.captured_queries if 'FROM "claims_claim"' in q["sql"]]
    assert claim_sql and all("DISTINCT" not in sql for sql in claim_sql)
    # the page (one row more than it shows) and the view's total (the planner's estimate, then
    # counted up to 1,001)
    page_sql = [sql for sql in claim_sql if "COUNT(" not in sql and "EXPLAIN" not in sql]
    assert page_sql and all("LIMIT 51" in sql for sql in page_sql)
    assert [sql for sql in claim_sql if "COUNT(" in sql and "LIMIT 1001" in sql]


def test_queue_rows_escape_what_people_typed(client, agent):
    claim = claim_new()
    claim.customer.name = '<script>alert("x")</script>'
    claim.customer.save()
    client.force_login(agent)
    page = client.get(QUEUE).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_saved_view_awaiting_second_approval_lists_only_claims_with_a_pending_request(
    client, supervisor, agent
):
    from claims.actors import Actor
    from payouts.models import ApprovalPolicy
    from payouts.services import decision_approve
    from tests.factories import claim_in

    # given: a four-eyes limit below the claim's amount, and one claim approved by one person
    ApprovalPolicy.objects.update_or_create(
        region_id=claim_in("screening").region_id, defaults={"four_eyes_above_minor": 10_000}
    )
    waiting = claim_in("under_review", amount_minor=50_000)
    other = claim_in("under_review", amount_minor=50_000)
    items = {item.pk: item.claimed_minor for item in waiting.losses.all()}
    result = decision_approve(claim=waiting, actor=Actor.staff(supervisor), approved=items)
    assert not result.approved
    # when
    client.force_login(agent)
    response = client.get(reverse("backoffice:queue") + "?view=second-approval")
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert waiting.reference in body and other.reference not in body


def test_queue_filter_form_fragment_follows_the_view_and_the_regions(client, agent):
    # The filter form is a cached fragment: keyed by what it shows, so a view's own values and
    # a region renamed since are there on the next page. (A region is named by its code in the
    # reader's language; the stored name shows, and can be renamed, for a code Babel does not
    # know: XQ here.)
    from claims.models import Region

    region = Region.objects.get(code="US")
    region.pk, region.code, region.name = None, "XQ", "Xland"
    region.save()
    client.force_login(agent)
    claim_in(ClaimStatus.UNDER_REVIEW)
    plain = client.get(QUEUE).content.decode()
    assert '<option value="under_review" selected>' not in plain
    filtered = client.get(QUEUE + "?status=under_review").content.decode()
    assert '<option value="under_review" selected>' in filtered
    Region.objects.filter(code="XQ").update(name="Zedland")
    again = client.get(QUEUE).content.decode()
    assert '<option value="XQ">Zedland</option>' in again and "Zedland" not in plain


def test_queue_filter_form_is_in_the_reader_s_language(client, agent):
    client.force_login(agent)
    english = client.get(QUEUE).content.decode()
    client.cookies["django_language"] = "de"
    german = client.get(QUEUE, headers={"accept-language": "de"}).content.decode()
    assert "Filters and sorting" in english and "Filters and sorting" not in german


def test_yes_no_filters_offer_any_not_unknown(client, agent):
    """Issue: "Breached" and "Awaiting second approval" offered "Unknown" as their no-filter
    choice, which reads as "claims whose breach is unknown"; the fraud queue says "Any"."""
    client.force_login(agent)
    page = client.get(reverse("backoffice:queue")).content.decode()
    for name in ("breached", "second_approval"):
        start = page.index(f'<select name="{name}"')
        select = page[start : page.index("</select>", start)]
        assert '<option value="" selected>Any</option>' in select
        assert "Unknown" not in select
