"""The demo's proof of insurance (``seed_demo`` through ``sellers.demo``): imported monthly
gross makes some sellers need insurance, and certificates are awaiting verification, verified
and refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sellers.demo import demo_seed_insurance
from sellers.models import (
    CertificateStatus,
    CertificateVerification,
    InsuranceCertificate,
    Seller,
    SellerMonthlyGross,
    VerificationOutcome,
)
from tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_demo_has_imported_gross_and_certificates_in_every_state(client, supervisor):
    # given: the demo's twelve sellers
    for i in range(12):
        SellerFactory(marketplace_id=f"S-{1000 + i}")
    # when
    counts = demo_seed_insurance(now=timezone.now(), staff_user=supervisor)
    # then: gross imported for every seller; some must carry insurance, some need not
    sellers = list(Seller.objects.all())
    assert all(SellerMonthlyGross.objects.filter(seller=s).count() == 3 for s in sellers)
    required = [s for s in sellers if s.insurance_required]
    assert len(required) == 6
    # three went over the threshold last month: they have 30 days to get insured
    in_grace = [s for s in sellers if s.insurance_required_since and not s.insurance_required]
    assert len(in_grace) == 3
    # certificates awaiting verification (each with its document), verified and refused
    assert counts == {"verified": 3, "awaiting": 3, "refused": 3}
    awaiting = InsuranceCertificate.objects.filter(status=CertificateStatus.PENDING)
    assert awaiting.count() == 3 and all(c.document for c in awaiting)
    assert InsuranceCertificate.objects.filter(status=CertificateStatus.VALID).count() == 3
    outcomes = set(CertificateVerification.objects.values_list("outcome", flat=True))
    assert outcomes == set(VerificationOutcome.values)
    # a verification corrected what the seller typed
    assert CertificateVerification.objects.exclude(changes={}).exists()
    # and the staff queue shows the awaiting ones
    client.force_login(supervisor)
    body = client.get(reverse("backoffice:certificates")).content.decode()
    assert all(c.policy_number in body for c in awaiting)
