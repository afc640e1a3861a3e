"""Sellers and insurers answer their claims and record payments through the API, by the same
services as their pages (``sellers.services``): one implementation of every rule."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.models import ApiClient, ClientKind, Scope
from api.problems import Conflict, Refused
from api.selectors import claims_for_client
from api.views.ingest import IDEMPOTENCY_PARAMETER
from claims.actors import Actor
from claims.exceptions import ClaimError, EvidenceRejected, InvalidTransition
from claims.lifecycle import PartyStatus
from claims.models import Party
from claims.money import MoneyError, to_minor
from claims.uploads import upload_read
from sellers.exceptions import ResponseLocked
from sellers.models import PartyPayment, ResponseDecision, ResponseParty
from sellers.services.party_payments import party_payment_record
from sellers.services.responses import seller_response_record


def api_actor(client: ApiClient) -> tuple[str, Actor]:
    """Who answers: the seller, or the insurer a seller handed the claim to."""
    if client.kind == ClientKind.INSURER:
        label = f"insurer {client.insurer_email} (API client {client.name})"
        return ResponseParty.INSURER, Actor(party=Party.INSURER, label=label)
    label = f"seller {client.seller.marketplace_id} (API client {client.name})"
    return ResponseParty.SELLER, Actor(party=Party.SELLER, label=label)


def domain_error(exc: ClaimError):
    if isinstance(exc, ResponseLocked | InvalidTransition):
        return Conflict(str(exc))
    if isinstance(exc, EvidenceRejected):
        return Refused(" ".join(exc.reasons))
    return Refused(str(exc))


class ResponseIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ResponseDecision.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    insurer_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    insurer_email = serializers.CharField(
        required=False, allow_blank=True, max_length=254, default=""
    )
    keep_evidence_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=20
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class ResponseOut(serializers.Serializer):
    version = serializers.IntegerField()
    party = serializers.CharField()
    decision = serializers.CharField()
    reasons = serializers.CharField()
    evidence_ids = serializers.ListField(child=serializers.IntegerField())
    created_at = serializers.DateTimeField()
    claim_status = serializers.ChoiceField(source="claim.party_status", choices=PartyStatus.choices)


class PaymentIn(serializers.Serializer):
    amount = serializers.CharField(max_length=40, help_text="In the claim's currency: 250.00")
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    proof = serializers.FileField(required=False)


class PaymentOut(serializers.Serializer):
    status = serializers.CharField()
    currency = serializers.CharField()
    amount_minor = serializers.IntegerField()
    paid_minor = serializers.IntegerField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    payment_reference = serializers.CharField()
    due_at = serializers.DateTimeField()
    confirm_by = serializers.DateTimeField(allow_null=True)


class _ClaimAction(APIView):
    required_scope = Scope.CLAIMS_RESPOND

    def claim(self, request, reference):
        claim = claims_for_client(client=request.auth.client).filter(reference=reference).first()
        if claim is None:
            raise NotFound("No claim of yours has this reference.")
        return claim

    def post(self, request, reference):
        return idempotent(self, request, lambda: self.run(request, reference))


class ClaimRespond(_ClaimAction):
    """Accept, dispute (with files) or hand the claim to the insurer: a new version of the
    answer, exactly as on the seller's page; after the deadline, or once the claim is no longer
    waiting for an answer, answers are locked (409, saying which: ``response_refusal``)."""

    @extend_schema(
        tags=["claims"],
        operation_id="claims_respond",
        summary="Answer one of your claims",
        request={"application/json": ResponseIn, "multipart/form-data": ResponseIn},
        responses={201: ResponseOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def run(self, request, reference):
        claim = self.claim(request, reference)
        data = ResponseIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        party, actor = api_actor(request.auth.client)
        files = [(f.name, upload_read(f)) for f in request.FILES.getlist("files")]
        try:
            answer = seller_response_record(
                claim_id=claim.pk,
                party=party,
                actor=actor,
                link=None,
                decision=values["decision"],
                reasons=values["reasons"],
                insurer_name=values["insurer_name"],
                insurer_email=values["insurer_email"],
                files=files,
                keep_evidence_ids=values["keep_evidence_ids"],
            )
        except ClaimError as exc:
            raise domain_error(exc) from None
        answer.claim.refresh_from_db(fields=["status"])
        return Response(ResponseOut(answer).data, status=201)


class ClaimPayment(_ClaimAction):
    """The accepting party records paying the customer (the approved amount, in full), as on
    its payment page; the customer is then asked to confirm."""

    @extend_schema(
        tags=["claims"],
        operation_id="claims_record_payment",
        summary="Record that you paid the customer",
        request={"application/json": PaymentIn, "multipart/form-data": PaymentIn},
        responses={200: PaymentOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, reference):
        return super().post(request, reference)

    def run(self, request, reference):
        claim = self.claim(request, reference)
        watched = PartyPayment.objects.filter(claim=claim).first()
        if watched is None:
            raise Conflict("This claim has no payment of yours to record.")
        data = PaymentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            amount = to_minor(values["amount"], watched.currency)
        except MoneyError as exc:
            raise serializers.ValidationError({"amount": [str(exc)]}) from None
        proof = values.get("proof")
        _party, actor = api_actor(request.auth.client)
        try:
            payment = party_payment_record(
                payment=watched,
                actor=actor,
                amount_minor=amount,
                paid_on=values["paid_on"],
                reference=values["reference"],
                proof=(proof.name, upload_read(proof)) if proof else None,
            )
        except ClaimError as exc:
            raise domain_error(exc) from None
        return Response(PaymentOut(payment).data)
