"""Records the project mirrors from the marketplace's order system (see docs/import-format.md)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.money import CURRENCY_CHOICES, format_minor


class Customer(models.Model):
    marketplace_id = models.CharField(_("marketplace customer id"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    # The ISO 3166-2 subdivision (QC, ON, BY…): Quebec customers' deadlines skip Quebec's holidays.
    subdivision = models.CharField(_("province or state"), max_length=8, blank=True)
    account_created_on = models.DateField(_("customer since"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["email"], name="customer_email_idx")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Product(models.Model):
    marketplace_id = models.CharField(_("marketplace product id"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    category = models.CharField(_("category"), max_length=100, blank=True)
    seller = models.ForeignKey("sellers.Seller", on_delete=models.PROTECT, related_name="products")
    # Product safety (issue 17): recall lists are matched on these.
    gtin = models.CharField(
        _("UPC / GTIN"), max_length=14, blank=True, default="", db_default="", db_index=True
    )
    model_number = models.CharField(
        _("model number"), max_length=100, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    region = models.ForeignKey("claims.Region", on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    placed_at = models.DateTimeField(_("placed"))

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["customer", "-placed_at"], name="order_customer_idx")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    unit_price_minor = models.BigIntegerField(_("unit price (minor units)"))
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_unique"),
            models.CheckConstraint(
                condition=Q(unit_price_minor__gte=0) & Q(quantity__gte=1),
                name="order_line_price_quantity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.line_number}"

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    @property
    def total_display(self) -> str:
        return format_minor(self.total_minor, self.currency)
