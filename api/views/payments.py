"""The payment provider reports what became of a payout: a return (or chargeback) reverses it
through ``payouts.services.payout_return``, the same service as the bank's return file."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.models import Scope
from api.problems import Conflict
from api.views.ingest import IDEMPOTENCY_PARAMETER
from claims.actors import Actor
from payouts.exceptions import PayoutError
from payouts.models import Payout, PayoutStatus
from payouts.services import payout_return


class PayoutStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("paid", "Paid (a confirmation)"), ("returned", "Returned or charged back")]
    )
    reason_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="e.g. AC04"
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["status"] == "returned" and not attrs["reason_code"].strip():
            raise serializers.ValidationError({"reason_code": "A return needs its reason code."})
        return attrs


class PayoutOut(serializers.Serializer):
    payout_id = serializers.CharField(source="idempotency_key")
    status = serializers.CharField()
    currency = serializers.CharField()
    amount_minor = serializers.IntegerField()
    failure_code = serializers.CharField()


class PayoutStatusReport(APIView):
    required_scope = Scope.PAYMENTS_WRITE

    @extend_schema(
        tags=["payouts"],
        operation_id="payouts_report_status",
        summary="Report a payout's status (the payment key Claimdesk sent)",
        request=PayoutStatusIn,
        responses={200: PayoutOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request, payout_id):
        return idempotent(self, request, lambda: self.run(request, payout_id))

    def run(self, request, payout_id):
        data = PayoutStatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        payout = Payout.objects.select_related("claim").filter(idempotency_key=payout_id).first()
        if payout is None:
            raise NotFound("No payout has this key.")
        if values["status"] == "paid":
            # Payouts are recorded as paid when the provider answers the send; a later
            # confirmation changes nothing, and one for an unpaid payout is a conflict.
            if payout.status != PayoutStatus.PAID:
                raise Conflict(f"Payout {payout.idempotency_key} is {payout.status}, not paid.")
            return Response(PayoutOut(payout).data)
        actor = Actor.system(f"payment provider {request.auth.client.name}")
        try:
            payout = payout_return(
                payout=payout,
                actor=actor,
                reason_code=values["reason_code"].strip(),
                reason=values["reason"].strip(),
            )
        except PayoutError as exc:
            raise Conflict(str(exc)) from None
        return Response(PayoutOut(payout).data)
