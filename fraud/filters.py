"""The analyst queue's filters (django-filter): level, rule, region, amount, age."""

import datetime as dt
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import RiskLevel
from claims.money import MAX_AMOUNT_MINOR, MINOR_UNITS
from claims.regions import region_choices
from claims_site.bounds import MAX_DAYS, WholeNumberFilter
from fraud.models import AttributeKind, Rule, RuleHit


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose third choice reads "Any" (no filter), not Django's "Unknown"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class AmountFilter(django_filters.NumberFilter):
    """An amount bounded by the field's own ``max_value``: one message above it, without
    django-filter's second, "≤ 1e+50"."""

    def get_max_validator(self):
        return None


class QueueFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The “from” amount is above the “up to” amount."))
        return data


class QueueFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        field_name="risk_level", label=_("Risk level"), choices=RiskLevel.choices[1:]
    )
    rule = django_filters.ModelChoiceFilter(
        label=_("Rule"),
        queryset=Rule.objects.order_by("code"),
        to_field_name="code",
        method="filter_rule",
    )
    # Named the reader's way ("Canada"), as in the claims queue: not "CA (CAD)".
    region = django_filters.ChoiceFilter(label=_("Region"), field_name="region__code", choices=[])
    # In the claim's currency, as people write amounts (1234.50), never in minor units.
    amount_min = AmountFilter(
        label=_("Amount from"),
        method="filter_amount",
        min_value=0,
        max_value=MAX_AMOUNT_MINOR // 100,
        decimal_places=2,
        help_text=_("In the claim's currency, e.g. 1234.50"),
    )
    amount_max = AmountFilter(
        label=_("Amount up to"),
        method="filter_amount",
        min_value=0,
        max_value=MAX_AMOUNT_MINOR // 100,
        decimal_places=2,
        help_text=_("In the claim's currency, e.g. 1234.50"),
    )
    older_than_days = WholeNumberFilter(
        label=_("Waiting at least (days)"), method="filter_age", minimum=0, maximum=MAX_DAYS
    )
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label=_("Unassigned only"), widget=AnyYesNo
    )

    class Meta:
        form = QueueFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once per form (a callable would be read again by validation and rendering).
        self.form.fields["region"].choices = [("", "---------"), *region_choices()]

    def filter_amount(self, queryset, name, value: Decimal):
        """An amount in each currency's own units: claimed_total_minor compared per currency
        (a cent is 1/100 of a dollar, a yen is a yen)."""
        lookup = "gte" if name == "amount_min" else "lte"
        per_currency = Q()
        for currency, places in MINOR_UNITS.items():
            minor = int(value.scaleb(places).to_integral_value())
            per_currency |= Q(currency=currency, **{f"claimed_total_minor__{lookup}": minor})
        return queryset.filter(per_currency)

    def filter_rule(self, queryset, name, value):
        return queryset.filter(Exists(RuleHit.objects.filter(claim=OuterRef("pk"), rule=value)))

    def filter_age(self, queryset, name, value):
        return queryset.filter(status_changed_at__lte=timezone.now() - dt.timedelta(days=value))


class WatchlistFilter(django_filters.FilterSet):
    """The watchlist's filter (a list of ``backoffice.lists``): what kind of value is watched."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AttributeKind.choices)

    def __init__(self, *args, regions=(), **kwargs):
        # Watched values belong to no region (an e-mail or a device is watched everywhere).
        super().__init__(*args, **kwargs)
