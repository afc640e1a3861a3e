"""The header's search box and the queue's totals: every way a claim is named, every role, the
plans on PostgreSQL and a pinned number of queries."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice import lists
from backoffice.search import Total, claim_search, queue_total, rounded
from claims.models import Claim, ClaimStatus
from payouts.models import Payout
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SellerFactory,
    claim_in,
    claim_new,
)

pytestmark = pytest.mark.django_db
SEARCH = reverse("backoffice:search")
ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]


@pytest.fixture
def target(db):
    """A claim with a name for everything the box searches, beside a decoy with other names."""
    seller = SellerFactory(legal_name="Brightwave Heating Ltd", marketplace_id="S-BRIGHT")
    product = ProductFactory(title="Oil-filled radiator 2000W", marketplace_id="P-RAD-77")
    customer = CustomerFactory(
        name="Priya Raghunathan", email="priya.r@example.test", phone="+12125550199"
    )
    line = OrderLineFactory(
        order=OrderFactory(number="112-7654321-7654321", customer=customer),
        product=product,
        seller=seller,
    )
    claim = claim_in(ClaimStatus.APPROVED, order_line=line)
    Payout.objects.create(
        claim=claim,
        idempotency_key="payout-key-target",
        amount_minor=claim.approved_total_minor,
        currency="USD",
        funding="concession",
        provider_reference="PRV-88123-XZ",
    )
    claim_new()  # the decoy: factory names, none of the above
    return claim


TERMS = {
    "reference": lambda c: c.reference,
    "reference in lower case": lambda c: c.reference.lower(),
    "reference fragment": lambda c: c.reference[-6:],
    "customer name fragment": lambda c: "raghunath",
    "customer e-mail": lambda c: "PRIYA.R@example.test",
    "customer phone as typed": lambda c: "(212) 555-0199",
    "order number": lambda c: "112-7654321-7654321",
    "seller name": lambda c: "brightwave",
    "seller id": lambda c: "S-BRIGHT",
    "product title": lambda c: "radiator",
    "product id": lambda c: "P-RAD-77",
    "payout provider reference": lambda c: "prv-88123",
    "payout idempotency key": lambda c: "payout-key-target",
}


@pytest.mark.parametrize("way", list(TERMS))
def test_search_finds_the_claim_and_opens_it_when_it_is_the_only_match(client, agent, target, way):
    # given
    client.force_login(agent)
    # when
    response = client.get(SEARCH, {"q": TERMS[way](target)})
    # then: one match, straight to the claim
    assert response.status_code == 302, way
    assert response["Location"] == reverse("backoffice:claim", args=[target.pk])


def test_search_with_several_matches_lists_them_with_their_total(client, agent):
    # given: two claims of the same customer, one of someone else
    customer = CustomerFactory(name="Jordan Okafor")
    mine = [claim_new(order_line=OrderLineFactory(order__customer=customer)) for _ in range(2)]
    other = claim_new()
    client.force_login(agent)
    # when
    response = client.get(SEARCH, {"q": "okafor"})
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert {r["claim"].pk for r in response.context["rows"]} == {c.pk for c in mine}
    assert other.reference not in body
    assert "2 claims" in body and "Claims matching “okafor”" in body
    assert response.context["total"] == Total(2, True)


def test_search_keeps_the_other_filters_of_the_view(client, agent):
    customer = CustomerFactory(name="Sam Lindqvist")
    review = claim_in(
        ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer)
    )
    claim_in(ClaimStatus.DENIED, order_line=OrderLineFactory(order__customer=customer))
    client.force_login(agent)
    response = client.get(reverse("backoffice:queue"), {"q": "lindqvist", "status": "under_review"})
    assert [r["claim"].pk for r in response.context["rows"]] == [review.pk]


def test_search_with_no_match_says_so(client, agent, target):
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "nobody-is-called-this"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No claims match this view." in body and "0 claims" in body


def test_search_of_one_or_two_characters_compares_whole_values_only(client, agent):
    # given: a seller whose id is two characters, and a customer whose name contains them
    seller = SellerFactory(marketplace_id="Q7")
    claim = claim_new(order_line=OrderLineFactory(product__seller=seller))
    claim_new(order_line=OrderLineFactory(order__customer=CustomerFactory(name="Q7 Fan")))
    client.force_login(agent)
    # when
    response = client.get(reverse("backoffice:queue"), {"q": "Q7"})
    # then: only the exact id; the page says why fragments were not searched
    assert [r["claim"].pk for r in response.context["rows"]] == [claim.pk]
    assert "Type at least 3 characters" in response.content.decode()


def test_search_refuses_a_term_too_long_and_keeps_it(client, agent, target):
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "x" * 101})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Search: Ensure this value has at most 100 characters" in body
    assert 'value="' + "x" * 101 in body  # what was typed is still in the box


def test_search_without_a_term_goes_back_to_the_queue_with_a_hint(client, agent):
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "  "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("backoffice:queue")
    assert "Type a reference, a name" in response.content.decode()


def test_search_escapes_the_term_on_the_page(client, agent):
    client.force_login(agent)
    body = client.get(SEARCH, {"q": '<script>alert("x")</script>'}).content.decode()
    assert "<script>alert" not in body


def test_search_that_matches_too_many_names_says_to_narrow_it(client, agent, monkeypatch):
    from backoffice import search

    monkeypatch.setattr(search, "MAX_MATCHES", 2)
    for _ in range(3):
        claim_new(order_line=OrderLineFactory(order__customer=CustomerFactory(name="Ana Moreno")))
    client.force_login(agent)
    response = client.get(SEARCH, {"q": "moreno"})
    assert len(response.context["rows"]) == 2
    assert "More than 2 customers match “moreno”" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_search_permission_matrix(client, everyone, target, role):
    # given
    if everyone[role] is not None:
        client.force_login(everyone[role])
    # when
    response = client.get(SEARCH, {"q": "brightwave"})
    # then: claim staff are taken to the claim; staff without a role get 403; others sign in
    if role in ("agent", "analyst", "supervisor"):
        assert response.status_code == 302
        assert response["Location"] == reverse("backoffice:claim", args=[target.pk])
    elif role == "outsider":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]


def test_search_box_is_in_the_header_of_staff_pages_only_for_claim_staff(client, agent, outsider):
    client.force_login(agent)
    body = client.get(reverse("backoffice:queue")).content.decode()
    assert 'role="search"' in body and 'name="q"' in body
    client.force_login(outsider)
    assert client.get(reverse("backoffice:queue")).status_code == 403


def test_search_results_query_count_is_the_same_for_1_and_20_matches(client, agent):
    # given
    client.force_login(agent)
    customer = CustomerFactory(name="Noor Haddad")
    claim_new(order_line=OrderLineFactory(order__customer=customer))
    claim_new(order_line=OrderLineFactory(order__customer=customer))
    client.get(SEARCH, {"q": "haddad"})  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SEARCH, {"q": "haddad"}).status_code == 200
        return len(ctx.captured_queries)

    two = queries()
    for _ in range(18):
        claim_new(order_line=OrderLineFactory(order__customer=customer))
    # then
    assert queries() == two


def test_search_results_query_count_is_pinned(client, agent, django_assert_num_queries):
    customer = CustomerFactory(name="Noor Haddad")
    for _ in range(2):
        claim_new(order_line=OrderLineFactory(order__customer=customer))
    client.force_login(agent)
    client.get(SEARCH, {"q": "haddad"})
    # the user with its profile, its permissions, the regions of the filter form with the saved
    # views (one UNION); the search: customers, sellers, order lines by order number, order
    # lines by product, payouts; the page of claims (product titles and assignees by subquery;
    # no claim has a tag), which is the whole view and so its total; the header's unread
    # notifications
    with django_assert_num_queries(10):
        client.get(SEARCH, {"q": "haddad"})


def test_search_by_email_asks_only_the_customers(client, agent, django_assert_num_queries):
    customer = CustomerFactory(email="lee.wong@example.test")
    for _ in range(2):
        claim_new(order_line=OrderLineFactory(order__customer=customer))
    client.force_login(agent)
    client.get(SEARCH, {"q": "lee.wong@example.test"})
    # as above, with one lookup (customers by e-mail) instead of five
    with django_assert_num_queries(6):
        client.get(SEARCH, {"q": "lee.wong@example.test"})


def test_a_whole_reference_is_looked_up_by_its_unique_index(target):
    # every reference shares "PL-": a whole one is compared whole, not by its trigrams
    assert claim_search(target.reference.lower()).q == Q(reference=target.reference)


# --- PostgreSQL: every arm of the search has an index -------------------------------------


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.mark.parametrize(
    "model, lookup, index",
    [
        ("marketplace.Customer", {"name__icontains": "haddad"}, "customer_name_trgm"),
        ("marketplace.Customer", {"email__icontains": "lee.wong@ex"}, "customer_email_trgm"),
        ("marketplace.Customer", {"phone__contains": "2125550199"}, "customer_phone_trgm"),
        ("marketplace.Order", {"number__icontains": "7654321"}, "order_number_trgm"),
        ("marketplace.Product", {"title__icontains": "radiator"}, "product_title_trgm"),
        ("sellers.Seller", {"legal_name__icontains": "bright"}, "seller_name_trgm"),
        ("payouts.Payout", {"provider_reference__icontains": "88123"}, "payout_reference_trgm"),
        ("claims.Claim", {"reference__icontains": "000123"}, "claim_reference_trgm"),
    ],
)
def test_each_search_lookup_can_use_its_trigram_index(model, lookup, index):
    from django.apps import apps
    from django.db import transaction

    assert connection.vendor == "postgresql"
    with transaction.atomic():
        plan = _plan(apps.get_model(model).objects.filter(**lookup).order_by().values("pk"))
    assert index in plan, plan


def test_the_claims_of_a_search_are_found_by_index_not_by_a_scan(target):
    from django.db import transaction

    with transaction.atomic():
        plan = _plan(Claim.objects.filter(claim_search("raghunath").q).order_by().values("pk"))
    assert "Seq Scan" not in plan, plan
    assert "claim_reference_trgm" in plan, plan


# --- totals -----------------------------------------------------------------------------------


def test_queue_shows_an_exact_total_when_small(client, agent):
    for _ in range(3):
        claim_new()
    client.force_login(agent)
    response = client.get(reverse("backoffice:queue") + "?size=25")
    assert response.context["total"] == Total(3, True)
    assert "3 claims" in response.content.decode()


def test_total_above_the_exact_limit_is_the_planners_estimate_marked_as_such(db):
    # given: more claims than counted exactly (the limit lowered to 2 for the test)
    for _ in range(4):
        claim_new()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    # when
    total = queue_total(Claim.objects.all(), exact_up_to=2)
    # then: not exact, at least what was counted, and said as an estimate
    assert not total.exact and total.count >= 3
    assert total.label.startswith("about ") and total.label.endswith("(estimate)")


def test_total_counts_no_further_than_needed(db):
    for _ in range(5):
        claim_new()
    with CaptureQueriesContext(connection) as ctx:
        queue_total(Claim.objects.all(), exact_up_to=2)
    count_sql = ctx.captured_queries[1]["sql"]
    assert "COUNT(" in count_sql and "LIMIT 3" in count_sql


def test_total_of_a_view_the_planner_puts_far_above_the_limit_is_not_counted(db):
    # given: the planner estimates more claims than ``estimate_above`` (lowered for the test)
    for _ in range(4):
        claim_new()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    # when
    with CaptureQueriesContext(connection) as ctx:
        total = queue_total(Claim.objects.all(), exact_up_to=1, estimate_above=2)
    # then: the estimate alone, marked as such, and no COUNT
    assert not total.exact and total.count >= 3
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["EXPLAIN"]


def test_total_of_a_whole_first_page_is_its_rows(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert queue_total(Claim.objects.all(), whole_page=3) == Total(3, True)


@pytest.mark.parametrize(
    "n, words",
    [
        (7, "7"),
        (1_234, "1,200"),
        (45_321, "45,000"),
        (999_999, "1,000,000"),
        (1_234_567, "1.2 million"),
        (3_000_000, "3 million"),
    ],
)
def test_estimates_are_rounded_to_two_figures(n, words):
    assert rounded(n) == words


def test_total_labels():
    assert Total(1, True).label == "1 claim"
    assert Total(1_000, True).label == "1,000 claims"
    assert Total(1_234_567, False).label == "about 1.2 million claims (estimate)"


@pytest.mark.parametrize(
    "language, exact, about, approvals",
    [
        ("en", "12,345 claims", "about 45,000 claims (estimate)", "1,234"),
        ("fr", "12\xa0345 réclamations", "45\xa0000", "1\xa0234"),
        ("de", "12.345 Schadensmeldungen", "45.000", "1.234"),
        ("es", "12\xa0345 reclamaciones", "45\xa0000", "1\xa0234"),
    ],
)
def test_totals_group_digits_the_readers_way(language, exact, about, approvals):
    # A French, German or Spanish page groups a total's digits its own way, not with commas;
    # every list's total goes through Total (backoffice.lists' nouns as the queue's).
    from django.utils import translation

    with translation.override(language):
        assert Total(12_345, True).label == exact
        assert about in Total(45_321, False).label
        assert Total(1_234, True, lists.APPROVALS).label.startswith(f"{approvals} ")


def test_an_estimate_in_millions_writes_the_readers_decimal_mark():
    from django.utils import translation

    with translation.override("fr"):
        assert Total(1_234_567, False).label.startswith("environ 1,2 million")
    with translation.override("de"):
        assert "1,2 Millionen" in Total(1_234_567, False).label
