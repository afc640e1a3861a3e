"""A seller's or insurer's claims: list with deadlines, one with the evidence they may see."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.models import Scope
from api.query import KnownQueryParameters
from api.selectors import claims_for_client
from api.serializers import ClaimDetailOut, ClaimOut
from claims.lifecycle import PartyStatus, statuses_for_party
from claims.models import Claim

# A refused filter says what it takes (the problem's ``errors`` name the filter).
_STATUS_REFUSED = {
    "invalid_choice": "“%(value)s” is not a status; use one of: "
    + ", ".join(PartyStatus.values)
    + "."
}
_TIME_REFUSED = {
    "invalid": "Not a date-time: give ISO 8601 with its offset, e.g. 2026-09-01T10:00:00Z."
}


class ClaimFilter(django_filters.FilterSet):
    # The party-facing values a client reads (``ClaimOut.status``), not the internal states.
    status = django_filters.MultipleChoiceFilter(
        choices=PartyStatus.choices, method="filter_status", error_messages=_STATUS_REFUSED
    )
    respond_by_before = django_filters.IsoDateTimeFilter(
        field_name="seller_respond_by", lookup_expr="lt", error_messages=_TIME_REFUSED
    )
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="status_changed_at", lookup_expr="gte", error_messages=_TIME_REFUSED
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=statuses_for_party(value)) if value else queryset


@extend_schema(tags=["claims"], summary="Your claims, newest first, with their deadlines")
class ClaimList(KnownQueryParameters, generics.ListAPIView):
    required_scope = Scope.CLAIMS_READ
    serializer_class = ClaimOut
    filterset_class = ClaimFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Claim.objects.none()
        return claims_for_client(client=self.request.auth.client)


@extend_schema(tags=["claims"], summary="One of your claims, with its losses and evidence")
class ClaimDetail(generics.RetrieveAPIView):
    required_scope = Scope.CLAIMS_READ
    serializer_class = ClaimDetailOut
    lookup_field = "reference"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Claim.objects.none()
        return claims_for_client(client=self.request.auth.client).prefetch_related(
            "losses", "evidence"
        )
