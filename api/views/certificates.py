"""A seller uploads its proof of insurance through the API (issue 15 point 3): the same
service as the seller's page (``certificate_submit``), so the document goes through the one
upload policy and the certificate waits in the staff verification queue
(``/staff/certificates/``) like any other; it counts for nothing until staff verify it."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.models import ClientKind, Scope
from api.query import KnownQueryParameters
from api.views.ingest import IDEMPOTENCY_PARAMETER
from api.views.respond import domain_error
from claims.exceptions import ClaimError
from claims.money import MoneyError, to_minor
from claims.uploads import upload_read
from sellers.models import InsuranceCertificate, InsurerRating
from sellers.services.certificates import (
    CertificateInput,
    certificate_date_problems,
    certificate_submit,
)

AMOUNT_HELP = "In the seller's currency, e.g. 1,000,000.00"


class CertificateIn(serializers.Serializer):
    insurer_name = serializers.CharField(max_length=200)
    policy_number = serializers.CharField(max_length=80)
    occurrence_based = serializers.BooleanField(help_text="False for claims-made cover.")
    per_occurrence = serializers.CharField(max_length=40, help_text=AMOUNT_HELP)
    aggregate = serializers.CharField(max_length=40, help_text=AMOUNT_HELP)
    deductible = serializers.CharField(max_length=40, help_text=AMOUNT_HELP)
    insurer_rating = serializers.ChoiceField(choices=InsurerRating.choices, help_text="AM Best")
    marketplace_additional_insured = serializers.BooleanField()
    cancellation_notice_days = serializers.IntegerField(min_value=0, max_value=3650)
    effective_date = serializers.DateField()
    expiry_date = serializers.DateField()
    document = serializers.FileField(
        help_text="The certificate (PDF, or a photo of it), checked by the upload policy."
    )

    def _amount(self, value: str) -> int:
        try:
            minor = to_minor(value, self.context["currency"])
        except MoneyError as exc:
            raise serializers.ValidationError(str(exc)) from None
        if minor < 0:
            raise serializers.ValidationError("Amounts cannot be negative.")
        return minor

    def validate_per_occurrence(self, value):
        return self._amount(value)

    def validate_aggregate(self, value):
        return self._amount(value)

    def validate_deductible(self, value):
        return self._amount(value)

    def validate(self, data):
        problems = certificate_date_problems(
            effective_date=data["effective_date"],
            expiry_date=data["expiry_date"],
            today=self.context["today"],
        )
        if problems:
            raise serializers.ValidationError({k: [v] for k, v in problems.items()})
        return data


class CertificateOut(serializers.ModelSerializer):
    status = serializers.CharField(help_text="pending until staff verify it; valid or rejected")

    class Meta:
        model = InsuranceCertificate
        fields = [
            "id",
            "status",
            "insurer_name",
            "policy_number",
            "occurrence_based",
            "currency",
            "per_occurrence_minor",
            "aggregate_minor",
            "deductible_minor",
            "insurer_rating",
            "marketplace_additional_insured",
            "cancellation_notice_days",
            "effective_date",
            "expiry_date",
            "check_failures",
            "refusal_reason",
            "verified_at",
            "created_at",
        ]


class Certificates(KnownQueryParameters, APIView):
    """A seller's certificates of insurance: list them (with the verification outcome), or
    upload one with its document (multipart)."""

    required_scope = {"GET": Scope.CLAIMS_READ, "POST": Scope.CLAIMS_RESPOND}

    def _seller(self, request):
        client = request.auth.client
        if client.kind != ClientKind.SELLER:
            raise PermissionDenied("Only a seller's key has certificates of insurance.")
        return client.seller

    @extend_schema(
        tags=["certificates"],
        operation_id="certificates_list",
        summary="Your certificates of insurance, newest first",
        responses={200: CertificateOut(many=True)},
    )
    def get(self, request):
        seller = self._seller(request)
        rows = InsuranceCertificate.objects.filter(seller=seller).order_by("-created_at", "-id")
        return Response(CertificateOut(rows[:100], many=True).data)

    @extend_schema(
        tags=["certificates"],
        operation_id="certificates_upload",
        summary="Upload a certificate of insurance with its document",
        request={"multipart/form-data": CertificateIn},
        responses={201: CertificateOut},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request):
        return idempotent(self, request, lambda: self.run(request))

    def run(self, request):
        seller = self._seller(request)
        data = CertificateIn(
            data=request.data,
            context={"currency": seller.currency, "today": timezone.localdate()},
        )
        data.is_valid(raise_exception=True)
        values = data.validated_data
        document = values["document"]
        try:
            certificate = certificate_submit(
                seller=seller,
                data=CertificateInput.of(values, currency=seller.currency),
                document=upload_read(document),
                document_name=document.name,
            )
        except ClaimError as exc:
            raise domain_error(exc) from None
        return Response(CertificateOut(certificate).data, status=201)
