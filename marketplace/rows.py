"""One validation per kind of row, shared by the API's upserts and ``import_orders``.

Each serializer checks one row on its own (types, formats, the region and its currency, the
money) and returns clean values; ``rows_validate`` runs one over a batch, adds the checks
across rows (a key twice in one batch) and reports every problem by the row's index. Nothing
here writes: the upsert services (``marketplace.services``) do, after every row passed.
"""

import contextlib
import copy
import datetime as dt
import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.settings import api_settings

from claims.models import Region
from claims.money import MACHINE, MINOR_UNITS, MoneyError, TooManyDecimals, to_minor
from sellers.models import Seller


@dataclass
class RowError:
    index: int
    field: str
    detail: str
    # A key sent twice: the row that had it first, and the key in words.
    duplicate_of: int | None = None
    key_text: str = ""


class RowsRefused(Exception):
    """At least one row was refused; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was changed")


_SLOW = object()


class Fast:
    """A row field whose common case, a value that passes, is checked in one step
    (``fast``); anything else (a wrong type, an empty value, a value that fails a check) takes
    DRF's own steps, so the rules are the field's own and the messages DRF's. A batch of 1,000
    order lines validates some 20,000 of these (issue 15's profile)."""

    def fast(self, data):
        return _SLOW

    def run_validation(self, data=serializers.empty):
        value = self.fast(data)
        return super().run_validation(data) if value is _SLOW else value


_suspect = re.compile("[\x00\ud800-\udfff]").search


class Text(Fast, serializers.CharField):
    """DRF's ``CharField``: a string that passes its checks (length, no NUL, no surrogate) in
    one pass; an optional one left out or blank is its default."""

    def __init__(self, **kwargs):
        self._stock_validators = not kwargs.get("validators")
        super().__init__(**kwargs)
        self._lengths = (
            self.min_length or 0,
            sys.maxsize if self.max_length is None else self.max_length,
        )

    def _passes(self, value: str) -> bool:
        shortest, longest = self._lengths
        return self._stock_validators and shortest <= len(value) <= longest and not _suspect(value)

    def fast(self, data):
        # DRF's steps (blank, empty values, str(), strip, validators) for the common cases.
        if type(data) is str:
            value = data.strip() if self.trim_whitespace else data
            if value:
                return value if self._passes(value) else _SLOW
            return "" if self.allow_blank else _SLOW
        if data is serializers.empty and not self.required and type(self.default) is str:
            return self.default
        return _SLOW

    def run_validators(self, value):
        if self._passes(value):
            return
        super().run_validators(value)


class Email(Text, serializers.EmailField):
    """DRF's ``EmailField`` with ``Text``'s one pass, Django's e-mail check included."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._email = next(v for v in self.validators if isinstance(v, EmailValidator))

    def _passes(self, value: str) -> bool:
        if not super()._passes(value):
            return False
        try:
            self._email(value)
        except DjangoValidationError:
            return False
        return True


class Integer(Fast, serializers.IntegerField):
    """DRF's ``IntegerField``: an int, or a string of ASCII digits (a CSV cell), in range."""

    def __init__(self, **kwargs):
        self._stock_validators = not kwargs.get("validators")
        super().__init__(**kwargs)

    def fast(self, data):
        if type(data) is str and data.isascii() and data.isdigit() and len(data) < 20:
            data = int(data)
        if (
            type(data) is int
            and self._stock_validators
            and (self.min_value is None or data >= self.min_value)
            and (self.max_value is None or data <= self.max_value)
        ):
            return data
        return _SLOW


class AwareDateTime(Fast, serializers.DateTimeField):
    """An ISO 8601 date-time that states its offset: a time without one is refused, never
    read in some zone the sender did not mean."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._iso_only = getattr(self, "input_formats", None) in (None, [ISO_8601]) and (
            api_settings.DATETIME_INPUT_FORMATS == [ISO_8601]
        )

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        # The zone DRF's ``enforce_timezone`` converts to, looked up once: a row serializer's
        # fields are bound afresh for each batch, in the request that validates it.
        self._zone = self.timezone if hasattr(self, "timezone") else self.default_timezone()

    def fast(self, data):
        # DRF's own first step (``parse_datetime`` tries ``fromisoformat`` first), then its
        # ``enforce_timezone``; anything else, a naive time included, takes the full way.
        if type(data) is str and self._iso_only and not self.validators:
            try:
                parsed = dt.datetime.fromisoformat(data)
            except ValueError:
                return _SLOW
            zone = getattr(self, "_zone", None)
            if zone is not None and parsed.utcoffset() is not None:
                try:
                    return parsed.astimezone(zone)
                except OverflowError:
                    return _SLOW
        return _SLOW

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and timezone.is_naive(parsed):
                raise serializers.ValidationError(
                    "Needs a time zone offset (e.g. 2026-03-01T10:00:00Z)."
                )
        return super().to_internal_value(value)


class OptionalDate(Fast, serializers.DateField):
    """A date that may be left out, null or empty: spreadsheets leave optional cells empty,
    and an empty date is no date."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)
        self._iso_only = getattr(self, "input_formats", None) in (None, [ISO_8601]) and (
            api_settings.DATE_INPUT_FORMATS == [ISO_8601]
        )

    def fast(self, data):
        if data is None or data == "" or data is serializers.empty:
            return None
        # DRF's own first step: ``parse_date`` tries ``fromisoformat`` first.
        if type(data) is str and self._iso_only and not self.validators:
            try:
                return dt.date.fromisoformat(data)
            except ValueError:
                return _SLOW
        return _SLOW


def _text(max_length: int, *, required: bool = True, **kwargs) -> Text:
    return Text(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        default="" if not required else serializers.empty,
        trim_whitespace=True,
        **kwargs,
    )


def _amount(value, currency: str, field: str) -> int:
    try:
        # Files and API bodies are written by other systems: English separators always.
        minor = to_minor(str(value).strip(), currency, locale=MACHINE)
    except MoneyError as exc:
        raise serializers.ValidationError({field: str(exc)}) from None
    if minor < 0:
        raise serializers.ValidationError({field: _NEGATIVE})
    return minor


_NEGATIVE = "Cannot be negative."


def _amount_unjudged_currency(value, field: str, *, sent: object = None) -> None:
    """What is wrong with an amount whose currency was refused (or never known), whatever
    that currency turns out to be: it is an amount in none of ours, or it is negative. Its
    decimals and its currency sign are the currency's to judge: they wait for a valid one.
    Only rows already refused come here. The message is the one of ``sent`` (the currency the
    row named) when it is one of ours."""
    currencies = sorted(MINOR_UNITS, key=lambda currency: currency != sent)
    refusal = None
    for currency in currencies:
        try:
            minor = to_minor(str(value).strip(), currency, locale=MACHINE)
        except TooManyDecimals:
            return
        except MoneyError as exc:
            refusal = refusal or exc
            continue
        if minor < 0:
            raise serializers.ValidationError({field: _NEGATIVE})
        return
    raise serializers.ValidationError({field: str(refusal)})


def _month(text: str) -> dt.date | None:
    """``YYYY-MM`` (or a full date in that month) as the month's first day."""
    parsed = parse_date(f"{text}-01") if len(text) == 7 else parse_date(text)
    return parsed.replace(day=1) if parsed else None


def _subdivision(value: str) -> str:
    """ISO 3166-2 without the country (``QC``); a name ("Province of Quebec") is refused."""
    code = value.strip().upper()
    if code and not re.fullmatch(r"[A-Z0-9]{1,3}", code):
        raise serializers.ValidationError(
            "subdivision must be an ISO 3166-2 code without the country (e.g. QC)."
        )
    return code


@extend_schema_field({"type": "string", "example": "US", "maxLength": 8})
class RegionField(serializers.Field):
    """A region code; the batch's regions are read once (``context["regions"]``)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError("Give a region code (e.g. US).")
        code = data.strip()[:8]
        region = self.context["regions"].get(code)
        if region is None:
            raise serializers.ValidationError(f"{code!r} is not a known region.")
        return region

    def to_representation(self, value):
        return value.code


@functools.lru_cache(maxsize=4096)
def _e164(phone: str, country: str) -> str | None:
    """The number in E.164, or None when it is no valid number (a batch names the same
    customer's number on each of their lines: parsed once)."""
    try:
        number = phonenumbers.parse(phone, country or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(phone: str, country: str, field: str) -> str:
    if not phone:
        return phone
    e164 = _e164(phone, country)
    if e164 is None:
        raise serializers.ValidationError({field: "Not a valid phone number."})
    return e164


class Row(serializers.Serializer):
    """One row of a batch, checked on its own (``rows_validate`` adds the checks across
    rows)."""

    def row_validator(self, rows: list) -> Callable[[dict], dict]:
        """The function that checks one of ``rows`` and returns its clean values."""
        return _row_validator(self)

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        """The checks across fields (``validate``'s) that ``values``, the fields that passed,
        still allow, by field: a row refused for one field reports its other problems in the
        same answer. ``data`` is the row as sent. Only refused rows come here."""
        return {}


class CustomerRow(Row):
    customer_id = _text(40)
    name = _text(200)
    email = Email(max_length=254)
    phone = _text(40, required=False)
    address_line1 = _text(200, required=False)
    address_line2 = _text(200, required=False)
    city = _text(100, required=False)
    postal_code = _text(20, required=False)
    country = _text(2, required=False, min_length=2)
    # ISO 3166-2 without the country (QC): Quebec's holidays count for Quebec customers.
    # Checked by ``validate_subdivision`` (a name like "Province of Quebec" is refused as such).
    subdivision = _text(200, required=False)
    customer_since = OptionalDate()

    def validate_subdivision(self, value):
        return _subdivision(value)

    def validate(self, attrs):
        attrs["email"] = attrs["email"].lower()
        attrs["country"] = attrs["country"].upper()
        attrs["phone"] = _phone(attrs["phone"], attrs["country"], "phone")
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        if "phone" in values and "country" in values:
            try:
                _phone(values["phone"], values["country"].upper(), "phone")
            except serializers.ValidationError as exc:
                return exc.detail
        return {}


class GrossRow(Row):
    """One seller's gross proceeds in one calendar month, in the seller's currency."""

    seller_id = _text(40)
    month = _text(10)
    currency = _text(3)
    gross_proceeds = _text(40)

    def validate_month(self, value):
        month = _month(value)
        if month is None:
            raise serializers.ValidationError("Not a month (YYYY-MM).")
        if month > timezone.localdate().replace(day=1):
            raise serializers.ValidationError("The month is still to come.")
        return month

    def validate(self, attrs):
        # The seller's currency: a seller of the same batch or request, else a stored one.
        currency = self.context["seller_currencies"].get(attrs["seller_id"])
        if currency is None or attrs["currency"] != currency:
            raise serializers.ValidationError(self.checked_alone(attrs))
        attrs["gross_minor"] = _amount(attrs["gross_proceeds"], currency, "gross_proceeds")
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        # ``validate``'s checks (not the month's), each that the fields which passed allow.
        problems = {}
        currency = self.context["seller_currencies"].get(values.get("seller_id"))
        if "seller_id" in values and currency is None:
            problems["seller_id"] = f"Seller {values['seller_id']!r} is not known (send it first)."
        if currency is not None and values.get("currency", currency) != currency:
            problems["currency"] = (
                f"{values['currency']} is not the seller's currency ({currency})."
            )
        if "gross_proceeds" in values:
            try:
                # Sent blank or bad, the currency can only be the seller's.
                if currency is not None and values.get("currency", currency) == currency:
                    _amount(values["gross_proceeds"], currency, "gross_proceeds")
                else:
                    sent = values.get("currency")
                    _amount_unjudged_currency(values["gross_proceeds"], "gross_proceeds", sent=sent)
            except serializers.ValidationError as exc:
                problems.update(exc.detail)
        return problems


class MonthlyGross(serializers.Serializer):
    month = _text(10)
    gross_proceeds = _text(40)

    validate_month = GrossRow.validate_month


class SellerRow(Row):
    """A seller, in its region's currency, with its monthly gross proceeds if sent."""

    seller_id = _text(40)
    name = _text(200)
    email = Email(max_length=254)
    region = RegionField()
    monthly_gross = MonthlyGross(many=True, required=False, default=list)

    def validate(self, attrs):
        attrs["email"] = attrs["email"].lower()
        if problems := _gross_months(attrs["monthly_gross"], attrs["region"].currency):
            raise serializers.ValidationError(problems)
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        # Each month's amount in the region's currency, or as far as it can be judged without
        # one; the entries' fields that passed when an entry was refused (a bad month).
        if "monthly_gross" in values:
            entries = copy.deepcopy(values["monthly_gross"])
        else:
            sent = (data or {}).get("monthly_gross")
            child = self.fields["monthly_gross"].child
            entries = [_passed(child, entry) for entry in sent] if isinstance(sent, list) else []
        region = values.get("region")
        return _gross_months(entries, region.currency if region else None)


def _gross_months(entries: list[dict], currency: str | None) -> dict:
    """A seller's monthly gross proceeds: each month once, each amount in ``currency`` (its
    minor units set on the entry); every entry's problems, by its index. Without a currency
    (a seller refused for its region) an amount is judged as far as it can be without one.
    An entry may lack a field (refused on its own)."""
    problems, months = {}, set()
    for i, entry in enumerate(entries):
        month = entry.get("month")
        if month in months:
            problems[f"monthly_gross.{i}.month"] = ["The same month appears twice."]
        elif month is not None:
            months.add(month)
        if "gross_proceeds" in entry:
            field = f"monthly_gross.{i}.gross_proceeds"
            try:
                if currency is None:
                    _amount_unjudged_currency(entry["gross_proceeds"], field)
                else:
                    entry["gross_minor"] = _amount(entry["gross_proceeds"], currency, field)
            except serializers.ValidationError as exc:
                problems.update(exc.detail)
    return problems


def _passed(serializer: serializers.Serializer, data) -> dict:
    """The fields of ``data`` that pass ``serializer``'s own checks, each on its own (for an
    entry of a nested list that was refused as a whole)."""
    values = {}
    if not isinstance(data, dict):
        return values
    for name, field in serializer.fields.items():
        method = getattr(serializer, f"validate_{name}", None)
        with contextlib.suppress(serializers.ValidationError, SkipField):
            value = field.run_validation(data.get(name, serializers.empty))
            values[name] = value if method is None else method(value)
    return values


def _unknown(kind: str, field: str, values: dict, known) -> dict:
    """The problem of a row naming, in ``field`` (when it passed), a ``kind`` of row that is
    not among the ``known`` ids: one to be sent first."""
    value = values.get(field)
    if value is not None and value not in known:
        return {field: f"{kind} {value!r} is not known (send it first)."}
    return {}


class ProductRow(Row):
    product_id = _text(40)
    title = _text(300)
    category = _text(100, required=False)
    # What recalls are matched by (safety.recalls): the GTIN/UPC and the model number.
    gtin = _text(20, required=False)
    model_number = _text(100, required=False)
    seller_id = _text(40)

    def validate(self, attrs):
        if problems := self.checked_alone(attrs):
            raise serializers.ValidationError(problems)
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        return _unknown("Seller", "seller_id", values, self.context["seller_currencies"])


# An order is placed before the sender tells us of it; its clock may run a little ahead of ours.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Far above any real order line, far below a typo's billion: a line of more is refused.
MAX_LINE_QUANTITY = 10_000


class LineRow(Row):
    """An order line's own values; the rest of its flat row is its order's, customer's,
    product's and seller's (``OrderLineRow``)."""

    line_number = Integer(min_value=1, max_value=32767)
    quantity = Integer(
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        # Too many, too few, not whole or no number: one message, which says what it may be.
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_string_length"),
            format_lazy(
                _("Give a whole number of units from 1 to {most}."),
                most=f"{MAX_LINE_QUANTITY:,}",
            ),
        ),
    )
    unit_price = _text(40)
    delivered_on = OptionalDate()

    @staticmethod
    def against_order(attrs: dict, order: dict) -> int | None:
        """The line's checks against its order, every problem at once; the unit price in
        minor units of the order's currency. A check whose values are missing (a row already
        refused) is left out; a price without a currency (a row whose currency was refused)
        is judged as far as it can be without one (``sent_currency``: the one the row
        named)."""
        problems, minor = {}, None
        delivered_on, placed_at = attrs.get("delivered_on"), order.get("placed_at")
        if delivered_on and placed_at and delivered_on < placed_at.date():
            problems["delivered_on"] = ["The delivery is before the order was placed."]
        if "unit_price" in attrs:
            try:
                if "currency" in order:
                    minor = _amount(attrs["unit_price"], order["currency"], "unit_price")
                else:
                    _amount_unjudged_currency(
                        attrs["unit_price"], "unit_price", sent=order.get("sent_currency")
                    )
            except serializers.ValidationError as exc:
                problems.update(exc.detail)
        if problems:
            raise serializers.ValidationError(problems)
        return minor


class OrderItemRow(LineRow):
    """A line of an order: its own values and its product by marketplace id (sent before,
    through the products endpoints). Its seller is the product's and its currency the
    order's: the unit price is judged in the order's currency, and a delivery cannot be
    before the order was placed."""

    product_id = _text(40)

    def validate(self, attrs):
        if problems := self.checked_alone(attrs):
            raise serializers.ValidationError(problems)
        attrs["seller_id"] = self.context["product_sellers"][attrs["product_id"]]
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        return _unknown("Product", "product_id", values, self.context["product_sellers"])


@extend_schema_field(OrderItemRow(many=True))
class OrderItems(serializers.Field):
    """An order's lines (``OrderItemRow``), each checked by the row's one-step validator
    (``_row_validator``, as a batch's rows are); problems by the line's position
    (``{2: {"quantity": [...]}}``, reported as ``lines.2.quantity``), every line's at once.
    How many lines a request may carry is the API view's rule (``OrderUpsert.refuse_size``)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, default=list, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError("Send the order's lines as a list of objects.")
        if not hasattr(self, "_check"):
            # Built once per bound field, i.e. once per batch (``rows_validate``'s serializer).
            self._check = _row_validator(OrderItemRow(context=self.context))
        items, problems, numbers = [], {}, set()
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                problems[position] = ["Expected an object."]
                continue
            try:
                values = self._check(item)
            except serializers.ValidationError as exc:
                problems[position] = exc.detail
                continue
            if values["line_number"] in numbers:
                problems[position] = {"line_number": ["The same line number appears twice."]}
                continue
            numbers.add(values["line_number"])
            items.append(values)
        if problems:
            raise serializers.ValidationError(problems)
        return items

    def to_representation(self, value):  # pragma: no cover - rows are only read
        return value


class OrderRow(Row):
    """An order, with its lines if sent (at most 1,000 in a request; a stored line the
    order does not send again is kept)."""

    order_number = _text(40)
    placed_at = AwareDateTime()
    region = RegionField()
    currency = _text(3)
    customer_id = _text(40)
    lines = OrderItems()

    def validate_placed_at(self, value):
        # "Now" once per serializer, i.e. once per batch or request, not once per row.
        if self._latest_placed_at is None:
            self._latest_placed_at = timezone.now() + CLOCK_SKEW
        if value > self._latest_placed_at:
            raise serializers.ValidationError(
                "The order is placed in the future: placed_at must be the time it was placed "
                "(with its offset), not later than now."
            )
        return value

    _latest_placed_at = None

    def validate(self, attrs):
        if problems := self.checked_alone(attrs):
            raise serializers.ValidationError(problems)
        # Both valid: each line's price in minor units of the order's currency.
        if problems := _lines_against_order(attrs["lines"], attrs):
            raise serializers.ValidationError(problems)
        for item in attrs["lines"]:
            item["currency"] = attrs["currency"]
        return attrs

    def checked_alone(self, values: dict, data: dict | None = None) -> dict:
        # Every problem at once: the sender fixes them in one round trip.
        problems = {}
        region, currency = values.get("region"), values.get("currency")
        if region is not None and currency is not None and currency != region.currency:
            problems["currency"] = (
                f"{currency} does not match region {region.code} ({region.currency})."
            )
        problems.update(_unknown("Customer", "customer_id", values, self.context["customer_ids"]))
        if problems or data is not None:
            # A refused row (here, or ``_row_validator``'s for a field): its lines are checked
            # against the order as far as what passed allows, so every problem comes at once.
            problems.update(self._lines_checked_alone(values, data or {}))
        return problems

    def _lines_checked_alone(self, values: dict, data: dict) -> dict:
        """``_lines_against_order`` for a refused order: with the order's fields that passed,
        over the lines that passed (or, when the lines were refused, each line's fields that
        pass on their own). A currency that is none of ours leaves the prices judged as far as
        they can be without one."""
        if "lines" in values:
            items = values["lines"]
        else:
            sent = data.get("lines")
            child = OrderItemRow(context=self.context)
            items = [_passed(child, item) for item in sent] if isinstance(sent, list) else []
        order = {k: values[k] for k in ("placed_at", "currency") if k in values}
        if order.get("currency") not in MINOR_UNITS:
            order.pop("currency", None)
            order["sent_currency"] = data.get("currency")
        return _lines_against_order(items, order)


def _lines_against_order(items: list[dict], order: dict) -> dict:
    """Each line's checks against its order (``LineRow.against_order``), every line's problems
    by its position (``lines.2.unit_price``); each line that passes gets its price in minor
    units (``unit_price_minor``)."""
    problems = {}
    for position, item in enumerate(items):
        try:
            item["unit_price_minor"] = LineRow.against_order(item, order)
        except serializers.ValidationError as exc:
            for field, detail in exc.detail.items():
                problems[f"lines.{position}.{field}"] = detail
    return problems


_MISSING = object()


class OrderLineRow(Row):
    """One order line with its order, customer, product and seller: the import's row
    (docs/import-format.md) and the API's order-line upsert.

    Its fields are those kinds' own rows' fields under flat names (``customer_name`` is
    ``CustomerRow.name``), and each part of a row is checked by its own kind's row, so every
    rule is written once. A batch checks each distinct customer, seller, product and order
    once, however many of its lines name them (the lines of one order repeat its order and
    customer); lines that name one differently are each checked (and the first line naming
    it says what is stored, ``marketplace.services``)."""

    # (part, its kind's row, the flat row's field -> the part's field, checked once a batch)
    PARTS = (
        (
            "order",
            OrderRow,
            {
                "order_number": "order_number",
                "placed_at": "placed_at",
                "region": "region",
                "currency": "currency",
                "customer_id": "customer_id",
            },
            True,
        ),
        (
            "customer",
            CustomerRow,
            {
                "customer_id": "customer_id",
                "customer_name": "name",
                "customer_email": "email",
                "customer_phone": "phone",
                "address_line1": "address_line1",
                "address_line2": "address_line2",
                "city": "city",
                "postal_code": "postal_code",
                "country": "country",
                "subdivision": "subdivision",
                "customer_since": "customer_since",
            },
            True,
        ),
        (
            "line",
            LineRow,
            {
                "line_number": "line_number",
                "quantity": "quantity",
                "unit_price": "unit_price",
                "delivered_on": "delivered_on",
            },
            False,
        ),
        (
            "product",
            ProductRow,
            {
                "product_id": "product_id",
                "product_title": "title",
                "product_category": "category",
                "product_gtin": "gtin",
                "product_model": "model_number",
                "seller_id": "seller_id",
            },
            True,
        ),
        (
            "seller",
            SellerRow,
            {
                "seller_id": "seller_id",
                "seller_name": "name",
                "seller_email": "email",
                # A new seller is kept in the region of the first line naming it.
                "region": "region",
            },
            True,
        ),
    )

    @classmethod
    def names_of(cls, part: str) -> dict[str, str]:
        """The flat row's field -> the part's own field, for one part (``"customer"``)."""
        return next(names for name, _, names, _ in cls.PARTS if name == part)

    def get_fields(self):
        fields = {}
        for _part, row, names, _once in self.PARTS:
            own = row().fields
            for flat, name in names.items():
                if flat not in fields:
                    fields[flat] = copy.deepcopy(own[name])  # an unbound copy
        return fields

    def run_validation(self, data=serializers.empty):
        return self.row_validator([data])(data)

    def row_validator(self, rows: list) -> Callable[[dict], dict]:
        context = {
            **({} if "regions" in self.context else {"regions": regions_by_code()}),
            **self.context,
            # A line's customer and seller come in its own row.
            "customer_ids": named_ids(rows, "customer_id"),
            "seller_currencies": dict.fromkeys(named_ids(rows, "seller_id")),
        }
        parts = [
            (_row_validator(row(context=context)), names, tuple(names), {} if once else None)
            for _, row, names, once in self.PARTS
        ]

        def validate(data: dict) -> dict:
            values: dict = {}
            problems: dict[str, list] = {}
            for check, names, flats, seen in parts:
                if seen is None:
                    part_values, part_problems = _part_checked(check, data, names)
                else:
                    # The part as sent: a customer sent alike on several lines is checked once.
                    key = tuple(map(data.get, flats, repeat(_MISSING)))
                    try:
                        part_values, part_problems = seen[key]
                    except KeyError:
                        seen[key] = _part_checked(check, data, names)
                        part_values, part_problems = seen[key]
                    except TypeError:  # a list or an object where a value belongs
                        part_values, part_problems = _part_checked(check, data, names)
                if part_problems:
                    for flat, details in part_problems.items():
                        known = problems.setdefault(flat, [])
                        known.extend(d for d in details if d not in known)
                else:
                    values.update(part_values)
            # The line against its order, both valid: the order's (and only its) placed_at,
            # the line's (and only its) unit price.
            if "placed_at" in values and "unit_price" in values:
                try:
                    values["unit_price_minor"] = LineRow.against_order(values, values)
                except serializers.ValidationError as exc:
                    problems.update(exc.detail)
            elif problems:
                # The order or the line failed: its fields that passed are still checked
                # together (the price in a valid currency), so every problem comes at once.
                problems.update(self._line_checked_alone(data, values, problems))
            if problems:
                raise serializers.ValidationError(problems)
            return values

        return validate

    # The line's checks against its order, and the fields they need.
    _AGAINST_ORDER = ("placed_at", "currency", "unit_price", "delivered_on")

    def _line_checked_alone(self, data: dict, values: dict, problems: dict) -> dict:
        """The problems of ``LineRow.against_order`` for a row whose order or line failed,
        with each field it needs that passed on its own (read again by its own field); only
        rows already refused come here."""
        own = {}
        for name in self._AGAINST_ORDER:
            if name in values:
                own[name] = values[name]
            elif name not in problems:
                with contextlib.suppress(serializers.ValidationError, SkipField):
                    own[name] = self.fields[name].run_validation(data.get(name, serializers.empty))
        if own.get("currency") not in MINOR_UNITS:
            own.pop("currency", None)
            own["sent_currency"] = data.get("currency")
        try:
            LineRow.against_order(own, own)
        except serializers.ValidationError as exc:
            return exc.detail
        return {}


def _part_checked(check, data: dict, names: dict[str, str]) -> tuple[dict, dict]:
    """One part of a flat row checked by its own kind's row: its clean values or its problems,
    under the flat row's names."""
    try:
        clean = check({own: data[flat] for flat, own in names.items() if flat in data})
    except serializers.ValidationError as exc:
        flat_of = {own: flat for flat, own in names.items()}
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        return {}, {
            "" if key == "non_field_errors" else flat_of.get(key, key): value
            if isinstance(value, list)
            else [value]
            for key, value in detail.items()
        }
    return {flat: clean[own] for flat, own in names.items() if own in clean}, {}


def named_ids(rows: list, name: str) -> set[str]:
    """The ids the rows name under ``name``, to look up once before validation. Only
    plausible ids: anything else is refused by the row's own validation."""
    found = set()
    for row in rows:
        if isinstance(row, dict):
            value = row.get(name)
            if isinstance(value, str) and "\x00" not in value and len(value) <= 40:
                found.add(value.strip())
    return found


def _errors(index: int, detail, prefix: str = "") -> list[RowError]:
    out: list[RowError] = []
    if isinstance(detail, dict):
        # A nested list's errors come keyed by position ({0: {...}}).
        for key, value in detail.items():
            field = "" if key == "non_field_errors" else str(key)
            out.extend(_errors(index, value, f"{prefix}.{field}" if prefix and field else field))
    elif isinstance(detail, list):
        for position, item in enumerate(detail):
            if isinstance(item, dict):
                out.extend(_errors(index, item, f"{prefix}.{position}"))
            else:
                out.extend(_errors(index, item, prefix))
    else:
        out.append(RowError(index=index, field=prefix, detail=str(detail)))
    return out


def regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in Region.objects.all()}


def seller_currencies(ids: set[str]) -> dict[str, str]:
    return dict(
        Seller.objects.filter(marketplace_id__in=ids).values_list("marketplace_id", "currency")
    )


def order_items(rows: list) -> list:
    """The lines sent inside the orders of ``rows`` (``OrderRow.lines``), as sent."""
    return [
        item
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("lines"), list)
        for item in row["lines"]
    ]


def product_sellers(ids: set[str]) -> dict[str, str]:
    """The stored products among ``ids``, each with its seller's marketplace id."""
    from marketplace.models import Product

    if not ids:
        return {}
    return dict(
        Product.objects.filter(marketplace_id__in=ids).values_list(
            "marketplace_id", "seller__marketplace_id"
        )
    )


def customer_ids(ids: set[str]) -> set[str]:
    from marketplace.models import Customer

    return set(
        Customer.objects.filter(marketplace_id__in=ids).values_list("marketplace_id", flat=True)
    )


def _row_validator(serializer: serializers.Serializer) -> Callable[[dict], dict]:
    """What ``serializer.run_validation(row)`` does for a row serializer (each writable field's
    ``run_validation`` and ``validate_<field>``, then ``validate``), as one tight loop: DRF's
    own walk costs more per row than the fields' checks themselves (issue 15's profile). The
    row serializers are flat, with no serializer-level validators, which this relies on."""
    steps = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if field.source != name:  # pragma: no cover - a programming error
            raise TypeError(f"{type(serializer).__name__}.{name}: a row field has no source")
        fast = field.fast if isinstance(field, Fast) else None
        steps.append((name, field, fast, getattr(serializer, f"validate_{name}", None)))
    if getattr(getattr(serializer, "Meta", None), "validators", None):  # pragma: no cover
        raise TypeError(f"{type(serializer).__name__}: row serializers take no validators")
    checked_alone = getattr(serializer, "checked_alone", None)

    def validate(data: dict) -> dict:
        values, problems = {}, {}
        for name, field, fast, method in steps:
            raw = data.get(name, serializers.empty)
            try:
                value = _SLOW if fast is None else fast(raw)
                if value is _SLOW:
                    value = field.run_validation(raw)
                if method is not None:
                    value = method(value)
            except serializers.ValidationError as exc:
                problems[name] = exc.detail
            except DjangoValidationError as exc:
                problems[name] = list(exc.messages)
            except SkipField:
                continue
            else:
                values[name] = value
        if problems:
            if checked_alone is not None:
                for name, detail in checked_alone(values, data).items():
                    problems.setdefault(name, detail)
            raise serializers.ValidationError(problems)
        return serializer.validate(values)

    return validate


def rows_validate(
    serializer_class: type[serializers.Serializer],
    rows: list,
    *,
    keys: tuple[str, ...],
    context: dict | None = None,
) -> list[dict]:
    """Validate every row; raise ``RowsRefused`` with every problem by index, or return the
    clean rows. ``keys`` are the fields that identify a row: one row per key per batch."""
    context = {"regions": regions_by_code(), **(context or {})}
    errors: list[RowError] = []
    clean: list[dict] = []
    seen: dict[tuple, int] = {}
    # One serializer for the whole batch, as DRF's ``many=True`` does: its fields are built
    # (deep-copied from the class) once, not once per row.
    row_validate = serializer_class(context=context).row_validator(rows)
    for index, data in enumerate(rows):
        if not isinstance(data, dict):
            errors.append(RowError(index=index, field="", detail="Expected an object."))
            continue
        try:
            values = row_validate(data)
        except serializers.ValidationError as exc:
            errors.extend(_errors(index, exc.detail))
            continue
        key = tuple(values[k] for k in keys)
        if key in seen:
            key_text = " ".join(
                f"{k} {v:%Y-%m}" if k == "month" else f"{k} {v}"
                for k, v in zip(keys, key, strict=True)
            )
            errors.append(
                RowError(
                    index=index,
                    field="",
                    detail=f"{key_text} already appears in row {seen[key]}.",
                    duplicate_of=seen[key],
                    key_text=key_text,
                )
            )
            continue
        seen[key] = index
        clean.append(values)
    if errors:
        raise RowsRefused(errors)
    return clean
