"""claims_site.db.FixedJoin: the SQL written once must read exactly what select_related reads."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from claims.models import ClaimEvent, ClaimStatus, EventKind
from claims_site.db import FixedJoin, Related
from marketplace.models import OrderLine
from portal.selectors import customer_order_line
from tests.factories import CustomerFactory, OrderLineFactory, claim_new

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_customer_order_line_reads_what_select_related_reads():
    line = OrderLineFactory()
    expected = OrderLine.objects.select_related("order__region", "product", "seller").get(
        pk=line.pk
    )

    got = customer_order_line(customer_id=line.order.customer_id, line_id=line.pk)

    with CaptureQueriesContext(connection) as queries:
        pairs = [
            (got, expected),
            (got.order, expected.order),
            (got.order.region, expected.order.region),
            (got.product, expected.product),
            (got.seller, expected.seller),
        ]
        for mine, theirs in pairs:
            assert type(mine) is type(theirs)
            assert _values(mine) == _values(theirs)
            assert mine._state.adding is False and mine._state.db == "default"
    assert len(queries) == 0, "a related row was fetched again"
    assert got == expected  # equal by primary key: usable anywhere the ORM's instance was


def test_customer_order_line_is_scoped_to_the_customer():
    line = OrderLineFactory()
    stranger = CustomerFactory()

    with pytest.raises(Http404):
        customer_order_line(customer_id=stranger.pk, line_id=line.pk)
    with pytest.raises(Http404):
        customer_order_line(customer_id=line.order.customer_id, line_id=line.pk + 1000)


def test_database_values_pass_through_the_fields_converters():
    # ClaimEvent.data is a JSONField: the database hands back text that only the field's own
    # converter turns into a dict.
    claim = claim_new()
    event = ClaimEvent.objects.create(
        claim=claim,
        kind=EventKind.STATUS,
        from_status="",
        to_status=ClaimStatus.SUBMITTED,
        actor_party="system",
        data={"reason": "test", "amounts": [1, 2]},
    )
    join = FixedJoin(ClaimEvent, "e", [Related("c", parent="e", field="claim")], where="e.id = %s")

    got = join.get([event.pk])

    assert got.data == {"reason": "test", "amounts": [1, 2]}
    assert got.created_at == ClaimEvent.objects.get(pk=event.pk).created_at
    assert _values(got.claim) == _values(type(claim).objects.get(pk=claim.pk))


def test_no_row_is_none_and_two_rows_are_an_error():
    line = OrderLineFactory()
    OrderLineFactory(order=line.order, line_number=2)
    join = FixedJoin(
        OrderLine, "l", [Related("o", parent="l", field="order")], where="l.order_id = %s"
    )

    assert join.get([line.order_id + 1000]) is None
    with pytest.raises(OrderLine.MultipleObjectsReturned):
        join.get([line.order_id])


def test_a_nullable_foreign_key_is_refused():
    # An inner join would drop the rows where it is null: select_related semantics need a LEFT
    # JOIN, which FixedJoin does not write.
    join = FixedJoin(ClaimEvent, "e", [Related("u", parent="e", field="actor")], where="e.id = %s")

    with pytest.raises(ValueError, match="not a non-null foreign key"):
        join.sql()
