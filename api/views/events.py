"""A client's events (to catch up on missed webhooks) and its webhook endpoints."""

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.event_schemas import event_list
from api.idempotency import idempotent
from api.models import Scope
from api.query import KnownQueryParameters
from api.views.ingest import IDEMPOTENCY_PARAMETER
from webhooks import services
from webhooks.models import Endpoint, EventType

PAGE = 100


class EventOut(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    type = serializers.CharField()
    # In UTC whatever the client's zone, as in the webhook body (stored once, signed).
    timestamp = serializers.DateTimeField(source="created_at", default_timezone=dt.UTC)
    data = serializers.JSONField()


class EventPage(serializers.Serializer):
    data = event_list(help_text="Oldest first; each payload as its type documents it.")
    next_after = serializers.CharField(help_text="Pass as ?after= to read on.")
    has_more = serializers.BooleanField()


def _event_number(text: str) -> int:
    text = text.strip().removeprefix("evt_")
    if not text.isdigit() or len(text) > 18:
        raise serializers.ValidationError({"after": ["An event id (evt_123) or 0."]})
    return int(text)


class Events(KnownQueryParameters, APIView):
    """Everything that happened to your objects, oldest first, after the event you name: the
    same events the webhooks carry, kept whether or not a delivery succeeded."""

    required_scope = Scope.EVENTS_READ
    query_parameters = ("after",)

    @extend_schema(
        tags=["events"],
        operation_id="events_list",
        parameters=[OpenApiParameter("after", str, description="evt_… (default: from the start)")],
        responses={200: EventPage},
    )
    def get(self, request):
        after = _event_number(request.query_params.get("after", "0") or "0")
        rows = services.events_after(client=request.auth.client, after=after, limit=PAGE + 1)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        last = rows[-1].public_id if rows else f"evt_{after}"
        return Response(
            {"data": EventOut(rows, many=True).data, "next_after": last, "has_more": more}
        )


class EndpointIn(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1, max_length=20
    )


class EndpointOut(serializers.ModelSerializer):
    class Meta:
        model = Endpoint
        fields = ["id", "url", "event_types", "created_at", "disabled_at", "disabled_reason"]


class EndpointCreated(EndpointOut):
    secret = serializers.CharField(help_text="whsec_…: shown once; verify signatures with it.")

    class Meta(EndpointOut.Meta):
        fields = [*EndpointOut.Meta.fields, "secret"]


class Secret(serializers.Serializer):
    secret = serializers.CharField()


class Endpoints(KnownQueryParameters, APIView):
    required_scope = Scope.WEBHOOKS_MANAGE

    @extend_schema(
        tags=["webhooks"],
        operation_id="webhook_endpoints_list",
        responses={200: EndpointOut(many=True)},
    )
    def get(self, request):
        endpoints = Endpoint.objects.filter(client=request.auth.client).order_by("id")
        return Response(EndpointOut(endpoints, many=True).data)

    @extend_schema(
        tags=["webhooks"],
        operation_id="webhook_endpoints_create",
        request=EndpointIn,
        responses={201: EndpointCreated},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request):
        return idempotent(self, request, lambda: self.run(request))

    def run(self, request):
        data = EndpointIn(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(
            client=request.auth.client,
            url=data.validated_data["url"],
            event_types=data.validated_data["event_types"],
        )
        endpoint.secret = secret
        return Response(EndpointCreated(endpoint).data, status=201)


class EndpointRotate(APIView):
    """A new signing secret; the old one keeps signing for 24 hours (both signatures are sent),
    so the receiver can switch without missing a message."""

    required_scope = Scope.WEBHOOKS_MANAGE

    @extend_schema(
        tags=["webhooks"],
        operation_id="webhook_endpoints_rotate_secret",
        request=None,
        responses={200: Secret},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, pk):
        return idempotent(self, request, lambda: self.run(request, pk))

    def run(self, request, pk):
        endpoint = Endpoint.objects.filter(client=request.auth.client, pk=pk).first()
        if endpoint is None:
            raise NotFound("No endpoint of yours has this id.")
        return Response({"secret": services.endpoint_secret_rotate(endpoint=endpoint)})
