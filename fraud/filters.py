"""The analyst queue's filters (django-filter): level, rule, region, amount, age."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Region, RiskLevel
from claims.money import MAX_AMOUNT_MINOR
from claims_site.bounds import MAX_DAYS
from fraud.models import Rule, RuleHit


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
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.order_by("code"), to_field_name="code"
    )
    amount_min = django_filters.NumberFilter(
        field_name="claimed_total_minor",
        lookup_expr="gte",
        label=_("Amount from (cents)"),
        min_value=0,
        max_value=MAX_AMOUNT_MINOR,
    )
    amount_max = django_filters.NumberFilter(
        field_name="claimed_total_minor",
        lookup_expr="lte",
        label=_("Amount up to (cents)"),
        min_value=0,
        max_value=MAX_AMOUNT_MINOR,
    )
    older_than_days = django_filters.NumberFilter(
        label=_("Waiting at least (days)"), method="filter_age", min_value=0, max_value=MAX_DAYS
    )
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label=_("Unassigned only")
    )

    def filter_rule(self, queryset, name, value):
        return queryset.filter(Exists(RuleHit.objects.filter(claim=OuterRef("pk"), rule=value)))

    def filter_age(self, queryset, name, value):
        return queryset.filter(
            status_changed_at__lte=timezone.now() - dt.timedelta(days=int(value))
        )
