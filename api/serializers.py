"""What the API returns. Inbound rows are validated by ``marketplace.rows``."""

from rest_framework import serializers

from claims.lifecycle import PartyStatus
from claims.models import Claim, Evidence, LossItem
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller


class CustomerOut(serializers.ModelSerializer):
    customer_id = serializers.CharField(source="marketplace_id")

    class Meta:
        model = Customer
        fields = [
            "customer_id",
            "name",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "postal_code",
            "country",
        ]


class SellerOut(serializers.ModelSerializer):
    seller_id = serializers.CharField(source="marketplace_id")
    name = serializers.CharField(source="legal_name")
    region = serializers.CharField(source="region.code")
    insurance_required = serializers.BooleanField()

    class Meta:
        model = Seller
        fields = ["seller_id", "name", "email", "region", "currency", "insurance_required"]


class ProductOut(serializers.ModelSerializer):
    product_id = serializers.CharField(source="marketplace_id")
    seller_id = serializers.CharField(source="seller.marketplace_id")

    class Meta:
        model = Product
        fields = ["product_id", "title", "category", "seller_id"]


class OrderOut(serializers.ModelSerializer):
    order_number = serializers.CharField(source="number")
    region = serializers.CharField(source="region.code")
    customer_id = serializers.CharField(source="customer.marketplace_id")

    class Meta:
        model = Order
        fields = ["order_number", "placed_at", "region", "currency", "customer_id"]


class OrderLineOut(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    product_id = serializers.CharField(source="product.marketplace_id")
    seller_id = serializers.CharField(source="seller.marketplace_id")

    class Meta:
        model = OrderLine
        fields = [
            "order_number",
            "line_number",
            "product_id",
            "seller_id",
            "quantity",
            "currency",
            "unit_price_minor",
            "delivered_on",
        ]


class BatchOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows written (all of them: a batch is atomic).")
    ids = serializers.ListField(
        child=serializers.CharField(), help_text="The marketplace ids, in the order sent."
    )


class LossOut(serializers.ModelSerializer):
    class Meta:
        model = LossItem
        fields = ["kind", "description", "currency", "claimed_minor", "approved_minor"]


class EvidenceOut(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "uploaded_by_party",
            "created_at",
        ]


class ClaimOut(serializers.ModelSerializer):
    """A claim as its seller or insurer sees it: what happened, how much, the deadlines."""

    status = serializers.ChoiceField(
        source="party_status",
        choices=PartyStatus.choices,
        help_text="Where the claim stands, as the customer reads it too: never an internal state.",
    )
    region = serializers.CharField(source="region.code")
    order_number = serializers.CharField(source="order_line.order.number")
    line_number = serializers.IntegerField(source="order_line.line_number")
    product = serializers.CharField(source="order_line.product.title")
    respond_by = serializers.DateTimeField(source="seller_respond_by", allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "reference",
            "status",
            "region",
            "order_number",
            "line_number",
            "product",
            "incident_date",
            "incident_kind",
            "people_injured",
            "currency",
            "claimed_total_minor",
            "approved_total_minor",
            "funding",
            "submitted_at",
            "respond_by",
            "status_changed_at",
        ]


class ClaimDetailOut(ClaimOut):
    description = serializers.CharField()
    losses = LossOut(many=True)
    evidence = EvidenceOut(many=True)

    class Meta(ClaimOut.Meta):
        fields = [*ClaimOut.Meta.fields, "description", "losses", "evidence"]
