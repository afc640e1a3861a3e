"""portal.selectors.customer_order_line: the wizard's read of the line, scoped to the customer."""

import pytest
from django.http import Http404

from portal.selectors import customer_order_line
from tests.factories import CustomerFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


def test_the_line_comes_with_what_the_wizard_reads_of_it(django_assert_num_queries):
    line = OrderLineFactory()

    with django_assert_num_queries(1):
        got = customer_order_line(customer_id=line.order.customer_id, line_id=line.pk)
        seen = (
            got.product.title,
            got.seller.legal_name,
            got.order.number,
            got.order.region.currency,
            got.order.region.max_claim_minor,
        )

    assert got == line
    assert seen == (
        line.product.title,
        line.seller.legal_name,
        line.order.number,
        line.order.region.currency,
        line.order.region.max_claim_minor,
    )


def test_the_line_is_scoped_to_the_customer():
    line = OrderLineFactory()
    stranger = CustomerFactory()

    with pytest.raises(Http404):
        customer_order_line(customer_id=stranger.pk, line_id=line.pk)
    with pytest.raises(Http404):
        customer_order_line(customer_id=line.order.customer_id, line_id=line.pk + 1000)
