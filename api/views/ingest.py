"""Inbound upserts by marketplace id, single and in batches (issue 15 point 3).

Every row is validated by the same serializer ``import_orders`` uses (``marketplace.rows``);
one bad row refuses the whole batch, with every problem reported by the row's index, and
nothing is written. Every POST is idempotent (``Idempotency-Key``)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as out
from api.idempotency import HEADER, idempotent
from api.models import Scope
from marketplace import rows as r
from marketplace import services
from marketplace.models import Customer, Order, OrderLine, Product
from sellers.models import Seller

BATCH_MAX = 1000

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique string (up to 255 characters). The first response under a key is "
    "replayed for 24 hours; the same key with a different request is refused (422).",
)


class Upsert(APIView):
    required_scope = Scope.MARKETPLACE_WRITE
    many = False
    row: type[serializers.Serializer]
    output: type[serializers.Serializer]
    keys: tuple[str, ...]

    def context(self, rows: list) -> dict:
        return {}

    def refuse_size(self, rows: list) -> None:
        """Refuse a request too big for one transaction (beyond ``BATCH_MAX`` rows)."""

    def write(self, clean: list[dict]) -> None:
        raise NotImplementedError

    def ident(self, row: dict) -> str:
        """The marketplace id of a clean row, as the batch's answer lists it."""
        return row[self.keys[0]]

    def written(self, row: dict):
        """The object a single upsert wrote, read back for the answer."""
        raise NotImplementedError

    def post(self, request):
        return idempotent(self, request, lambda: self.run(request))

    def run(self, request) -> Response:
        data = request.data
        if self.many:
            if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
                raise serializers.ValidationError({"rows": ['Send {"rows": [ ... ]}.']})
            rows = data["rows"]
            if not rows:
                raise serializers.ValidationError({"rows": ["Send at least one row."]})
            if len(rows) > BATCH_MAX:
                raise serializers.ValidationError(
                    {"rows": [f"At most {BATCH_MAX} rows per batch; send the rest in another."]}
                )
        else:
            if not isinstance(data, dict):
                raise serializers.ValidationError(["Send one object."])
            rows = [data]
        self.refuse_size(rows)
        try:
            clean = r.rows_validate(self.row, rows, keys=self.keys, context=self.context(rows))
        except r.RowsRefused as exc:
            errors = [
                {"index": e.index, "field": e.field, "detail": e.detail}
                if self.many
                else {"field": e.field, "detail": e.detail}
                for e in exc.errors
            ]
            raise RowsInvalid(errors) from None
        self.write(clean)
        if self.many:
            return Response({"count": len(clean), "ids": [self.ident(row) for row in clean]})
        return Response(self.output(self.written(clean[0])).data)


class RowsInvalid(serializers.ValidationError):
    """Already flat: the problem handler passes ``errors`` through as they are."""

    def __init__(self, errors: list[dict]):
        super().__init__("invalid")
        self.errors = errors


class CustomerUpsert(Upsert):
    row, output, keys = r.CustomerRow, out.CustomerOut, ("customer_id",)

    def write(self, clean):
        services.customers_upsert(rows=clean)

    def written(self, row):
        return Customer.objects.get(marketplace_id=row["customer_id"])


class SellerUpsert(Upsert):
    row, output, keys = r.SellerRow, out.SellerOut, ("seller_id",)

    def write(self, clean):
        services.sellers_upsert(rows=clean)

    def written(self, row):
        return Seller.objects.select_related("region").get(marketplace_id=row["seller_id"])


class GrossUpsert(Upsert):
    """Flat rows of monthly gross proceeds, as ``import_orders --gross`` reads them."""

    row, output, keys = r.GrossRow, out.BatchOut, ("seller_id", "month")
    many = True

    def context(self, rows):
        return {"seller_currencies": r.seller_currencies(r.named_ids(rows, "seller_id"))}

    def write(self, clean):
        services.gross_upsert(rows=clean)

    def ident(self, row):
        return f"{row['seller_id']}:{row['month']:%Y-%m}"


class ProductUpsert(Upsert):
    row, output, keys = r.ProductRow, out.ProductOut, ("product_id",)

    def context(self, rows):
        return {"seller_currencies": r.seller_currencies(r.named_ids(rows, "seller_id"))}

    def write(self, clean):
        services.products_upsert(rows=clean)

    def written(self, row):
        return Product.objects.select_related("seller").get(marketplace_id=row["product_id"])


class OrderUpsert(Upsert):
    """An order, with its lines if sent (each line's product by its marketplace id, sent
    before; the line's seller is the product's): an order system that keeps its catalogue and
    customers up to date through their own endpoints sends each order once, not once per
    line with everything it names (``order-lines``)."""

    row, output, keys = r.OrderRow, out.OrderOut, ("order_number",)

    def context(self, rows):
        return {
            "customer_ids": r.customer_ids(r.named_ids(rows, "customer_id")),
            "product_sellers": r.product_sellers(r.named_ids(r.order_items(rows), "product_id")),
        }

    def refuse_size(self, rows: list) -> None:
        if (lines := len(r.order_items(rows))) > BATCH_MAX:
            raise serializers.ValidationError(
                {
                    "rows": [
                        f"At most {BATCH_MAX:,} order lines per request (these orders have "
                        f"{lines:,}); send the rest in another."
                    ]
                }
            )

    def write(self, clean):
        services.orders_upsert(rows=clean)

    def written(self, row):
        return Order.objects.select_related("region", "customer").get(number=row["order_number"])


class OrderLineUpsert(Upsert):
    """One order line with its order, customer, product and seller (the import's row)."""

    row, output, keys = r.OrderLineRow, out.OrderLineOut, ("order_number", "line_number")

    def write(self, clean):
        services.order_lines_upsert(rows=clean)

    def ident(self, row):
        return f"{row['order_number']}:{row['line_number']}"

    def written(self, row):
        return OrderLine.objects.select_related("order", "product", "seller").get(
            order__number=row["order_number"], line_number=row["line_number"]
        )


def _document(view: type[Upsert], name: str, *, many: bool) -> type[Upsert]:
    """A documented subclass: single (``POST /<name>/``) or batch (``POST /<name>/batch/``)."""
    if many:
        request = inline_serializer(f"{view.row.__name__}Batch", {"rows": view.row(many=True)})
        response = out.BatchOut
        summary = f"Upsert up to {BATCH_MAX} {name} at once: all or none"
    else:
        request, response = view.row, view.output
        summary = f"Upsert one of the {name} by its marketplace id"
    attrs = {"many": many, "__doc__": view.__doc__}
    cls = type(f"{view.__name__}{'Batch' if many else ''}", (view,), attrs)
    decorate = extend_schema(
        operation_id=f"{name.replace('-', '_')}_{'batch' if many else 'upsert'}",
        summary=summary,
        request=request,
        responses={200: response},
        parameters=[IDEMPOTENCY_PARAMETER],
        tags=["marketplace"],
    )

    def post(self, request):
        return Upsert.post(self, request)

    cls.post = decorate(post)
    return cls


customers = _document(CustomerUpsert, "customers", many=False)
customers_batch = _document(CustomerUpsert, "customers", many=True)
sellers = _document(SellerUpsert, "sellers", many=False)
sellers_batch = _document(SellerUpsert, "sellers", many=True)
gross_batch = _document(GrossUpsert, "seller-gross", many=True)
products = _document(ProductUpsert, "products", many=False)
products_batch = _document(ProductUpsert, "products", many=True)
orders = _document(OrderUpsert, "orders", many=False)
orders_batch = _document(OrderUpsert, "orders", many=True)
order_lines = _document(OrderLineUpsert, "order-lines", many=False)
order_lines_batch = _document(OrderLineUpsert, "order-lines", many=True)
