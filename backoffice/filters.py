"""The triage queue's filters. Every filter has an index behind it (claims 0007_backoffice)."""

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.models import Tag
from backoffice.search import claim_search
from backoffice.selectors import records_named
from backoffice.sla import due_before_q
from claims.models import Claim, ClaimStatus, Funding, Region, RiskLevel
from claims.regions import region_choices
from claims_site import widgets
from claims_site.bounds import WholeNumberFilter

# Amount bands in major units of the claim's currency; the band is a range on the indexed
# claimed_total_minor column.
AMOUNT_BANDS = {
    "small": (None, 100_000),
    "medium": (100_000, 1_000_000),
    "large": (1_000_000, 10_000_000),
    "huge": (10_000_000, None),
}
AMOUNT_BAND_CHOICES = [
    ("small", _("Under 1,000")),
    ("medium", _("1,000 to 10,000")),
    ("large", _("10,000 to 100,000")),
    ("huge", _("100,000 and more")),
]


class NamedRecordField(forms.CharField):
    """A seller or product typed by name, by id or as a suggestion's "Name (id)"; cleans to the
    record, or says that none or several go by that name."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(max_length=300, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found = records_named(self.kind, text)
        nouns = {"seller": _("seller"), "product": _("product")}
        if not found:
            raise ValidationError(
                _("No %(noun)s is called “%(text)s”: choose one from the suggestions.")
                % {"noun": nouns[self.kind], "text": text},
                code="unknown",
            )
        if len(found) > 1:
            raise ValidationError(
                _(
                    "More than one %(noun)s is called “%(text)s”: choose one from the "
                    "suggestions, which show their ids."
                )
                % {"noun": nouns[self.kind], "text": text},
                code="ambiguous",
            )
        return found[0]


class NamedRecordFilter(django_filters.Filter):
    field_class = NamedRecordField


class QueueFilterForm(forms.Form):
    # The widgets' templates render through Jinja2 (claims_site/widgets.py).
    default_renderer = widgets.FORM_RENDERER


class ClaimQueueFilter(django_filters.FilterSet):
    # The header's search box (backoffice/search.py): reference, customer, order, seller,
    # product or payout, combined with every other filter of the view.
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", max_length=100, widget=widgets.TextInput
    )
    # No DISTINCT (django-filter's default for multiple choices): status is a column of the
    # claim itself, and DISTINCT would make PostgreSQL collect every match before the LIMIT.
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=ClaimStatus.choices,
        distinct=False,
        widget=widgets.SelectMultiple,
    )
    # Choices by code (one plain query; a model choice field would read them through a
    # server-side cursor: three round trips on every queue page).
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=[], method="filter_region", widget=widgets.Select
    )
    funding = django_filters.ChoiceFilter(
        label=_("Funding"),
        choices=[("none", _("Not decided"))] + [c for c in Funding.choices if c[0]],
        method="filter_funding",
        widget=widgets.Select,
    )
    amount = django_filters.ChoiceFilter(
        label=_("Amount"),
        choices=AMOUNT_BAND_CHOICES,
        method="filter_amount",
        widget=widgets.Select,
    )
    risk = django_filters.ChoiceFilter(
        label=_("Risk"),
        field_name="risk_level",
        choices=[("none", _("Not scored"))] + [c for c in RiskLevel.choices if c[0]],
        method="filter_risk",
        widget=widgets.Select,
    )
    # Chosen by name with suggestions (backoffice:suggest), or typed as a name or an id.
    seller = NamedRecordFilter(
        label=_("Seller"),
        kind="seller",
        widget=widgets.AutocompleteInput(suggest_url="backoffice:suggest-sellers"),
    )
    product = NamedRecordFilter(
        label=_("Product"),
        field_name="order_line__product",
        kind="product",
        widget=widgets.AutocompleteInput(suggest_url="backoffice:suggest-products"),
    )
    assignee = django_filters.CharFilter(
        label=_("Assignee"), method="filter_assignee", widget=widgets.TextInput
    )
    due_within = WholeNumberFilter(
        label=_("Due within (hours)"),
        method="filter_due_within",
        minimum=0,
        maximum=24 * 365,
        widget=widgets.FilterWholeNumberInput,
    )
    breached = django_filters.BooleanFilter(
        label=_("Breached"),
        method="filter_breached",
        widget=widgets.BooleanSelect,
    )
    second_approval = django_filters.BooleanFilter(
        label=_("Awaiting second approval"),
        method="filter_second_approval",
        widget=widgets.BooleanSelect,
    )
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"),
        field_name="tag_links__tag",
        queryset=Tag.objects.all(),
        distinct=False,  # a claim carries a tag at most once (unique constraint)
        to_field_name="name",
        widget=widgets.TextInput,
    )

    class Meta:
        model = Claim
        form = QueueFilterForm
        fields: list[str] = []

    def __init__(self, *args, viewer=None, regions: list[tuple[str, str]] | None = None, **kwargs):
        self.viewer = viewer
        self.search_notes: list[str] = []
        super().__init__(*args, **kwargs)
        # The regions are data: read once per form (a callable would be read again by the
        # validation and by the rendering), or given (the queue reads them with its saved views:
        # backoffice.selectors.queue_choices).
        self.form.fields["region"].choices = region_choices() if regions is None else regions

    @classmethod
    def _form_class(cls, filters):
        # The form class is the same for every request (its fields hold no request data; the
        # region choices are set on each form): built once, not on every queue page.
        if "_cached_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in filters.items()}
            cls._cached_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._cached_form_class

    def get_form_class(self):
        return self._form_class(self.filters)

    @property
    def filters_open(self) -> bool:
        """Whether "Filters and sorting" opens, as on every other staff list: a filter set, or
        refused. The search term alone does not open it (the header's box shows it): on a
        phone the panel would push the search's results below the first screen."""
        if not self.is_bound:
            return False
        form = self.form
        return bool(form.errors) or any(name != "q" for name in form.changed_data)

    def filter_search(self, queryset, name, value):
        found = claim_search(value)
        self.search_notes = found.notes
        return queryset.filter(found.q)

    def filter_region(self, queryset, name, value):
        # The region's id as a scalar subquery: no join for the planner to weigh.
        return queryset.filter(region=Subquery(Region.objects.filter(code=value).values("pk")))

    def filter_funding(self, queryset, name, value):
        return queryset.filter(funding="" if value == "none" else value)

    def filter_risk(self, queryset, name, value):
        return queryset.filter(risk_level="" if value == "none" else value)

    def filter_amount(self, queryset, name, value):
        low, high = AMOUNT_BANDS[value]
        if low is not None:
            queryset = queryset.filter(claimed_total_minor__gte=low)
        if high is not None:
            queryset = queryset.filter(claimed_total_minor__lt=high)
        return queryset

    def filter_assignee(self, queryset, name, value):
        value = value.strip()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me" and self.viewer is not None:
            return queryset.filter(assignee=self.viewer)
        user = get_user_model().objects.filter(username=value).only("pk").first()
        return queryset.filter(assignee=user) if user else queryset.none()

    def filter_due_within(self, queryset, name, value):
        return queryset.filter(due_before_q(timezone.now() + dt.timedelta(hours=value)))

    def filter_second_approval(self, queryset, name, value):
        from payouts.models import ApprovalRequest, RequestStatus

        if value is None:
            return queryset
        # Few claims wait at a time: their ids come from the partial unique index of pending
        # requests (approvalrequest_one_pending_per_claim), then join the queue.
        pending = ApprovalRequest.objects.filter(status=RequestStatus.PENDING).values("claim_id")
        return queryset.filter(pk__in=pending) if value else queryset.exclude(pk__in=pending)

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        breached = due_before_q(timezone.now())
        return queryset.filter(breached) if value else queryset.exclude(breached)
