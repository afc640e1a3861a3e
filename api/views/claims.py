"""A seller's or insurer's claims: list with deadlines, one with the evidence they may see."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from api.models import Scope
from api.selectors import claims_for_client
from api.serializers import ClaimDetailOut, ClaimOut
from claims.lifecycle import PartyStatus, statuses_for_party
from claims.models import Claim


class ClaimFilter(django_filters.FilterSet):
    # The party-facing values a client reads (``ClaimOut.status``), not the internal states.
    status = django_filters.MultipleChoiceFilter(
        choices=PartyStatus.choices, method="filter_status"
    )
    respond_by_before = django_filters.IsoDateTimeFilter(
        field_name="seller_respond_by", lookup_expr="lt"
    )
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="status_changed_at", lookup_expr="gte"
    )

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=statuses_for_party(value)) if value else queryset


@extend_schema(tags=["claims"], summary="Your claims, newest first, with their deadlines")
class ClaimList(generics.ListAPIView):
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
