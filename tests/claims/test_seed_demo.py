import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import resolve

from claims.demo import DEMO_CUSTOMER_EMAIL, DEMO_ORDER_NUMBER, DEMO_PASSWORD, DEMO_USERS
from claims.models import Claim, ClaimEvent, ClaimStatus, Evidence, Outbox
from marketplace.models import Order
from sellers.models import InsuranceCertificate, Seller

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_every_state_and_prints_logins(capsys, client, settings):
    call_command("seed_demo")
    out = capsys.readouterr().out
    # the demo supervisor passes the second factor with the printed command or a backup code
    assert "manage.py demo_code" in out and "demo-backup-01" in out
    # staff sign in where the README says, the staff pages; the admin is for correcting data
    assert "Demo logins (staff pages: http://127.0.0.1:8000/staff/login/" in out
    settings.DEMO_MODE = True
    call_command("demo_code")
    code = capsys.readouterr().out.strip()
    login = {"username": "supervisor", "password": DEMO_PASSWORD, "next": "/admin/"}
    assert client.post("/admin/login/", {**login, "otp_token": code}).status_code == 302
    client.logout()
    assert client.post("/admin/login/", {**login, "otp_token": "demo-backup-01"}).status_code == 302
    for username, _role, _su in DEMO_USERS:
        assert username in out
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
    assert DEMO_ORDER_NUMBER in out and DEMO_CUSTOMER_EMAIL in out
    assert set(Claim.objects.values_list("status", flat=True)) == set(ClaimStatus.values)
    # Every claim's history starts at submitted and is a chain of legal moves.
    for claim in Claim.objects.all()[:30]:
        events = list(claim.events.filter(kind="status").order_by("created_at", "id"))
        assert events[0].to_status == "submitted"
        assert events[-1].to_status == claim.status
    assert Order.objects.filter(region__code="US").count() == 300
    # every launch region is open, with claims filed in its language (issue 16)
    from claims.models import Region

    for region in Region.objects.exclude(code="US"):
        assert region.active, region.code
        assert region.claims.filter(status=ClaimStatus.AWAITING_SELLER).exists(), region.code
    assert set(Claim.objects.values_list("language", flat=True)) >= {"en", "es", "fr", "de"}
    assert Claim.objects.filter(region__code="CA", customer__subdivision="QC", language="fr-ca")
    _assert_safety_demo()
    assert Evidence.objects.exists()
    sellers_with_valid = Seller.objects.filter(certificates__status="valid").distinct().count()
    assert 0 < sellers_with_valid < Seller.objects.count()
    assert InsuranceCertificate.objects.filter(status="rejected").exists()
    assert not Outbox.objects.filter(done_at__isnull=True).exists()
    # Need-to-know: every demo staff member covers every region; the medical-access log has
    # entries, each for a medical bill opened by someone allowed to open it.
    from claims.models import MedicalAccess, Region, StaffProfile

    for profile in StaffProfile.objects.filter(user__username__in=[u for u, _r, _s in DEMO_USERS]):
        assert profile.regions.count() == Region.objects.count()
    # with the other regions open, a Canada-only and a UK-only agent, printed among the logins
    for username, code in (("agent-ca", "CA"), ("agent-gb", "GB")):
        assert f"{username:<11} / {DEMO_PASSWORD}   (Claims agent, only region {code})" in out
        profile = StaffProfile.objects.get(user__username=username)
        assert list(profile.regions.values_list("code", flat=True)) == [code]
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
    accesses = list(MedicalAccess.objects.select_related("evidence", "user"))
    assert len(accesses) >= 5
    assert {a.evidence.kind for a in accesses} == {"medical_bill"}
    assert all(a.user.has_perm("claims.view_medical_evidence") for a in accesses)
    # Each names the staff page it was opened from as it is today (the workspace or the fraud
    # case), never an address that only redirects there.
    pages = {resolve(a.page).view_name for a in accesses}
    assert pages == {"backoffice:claim", "backoffice:fraud-claim"}, pages
    # and a fraud case only by someone who reviews fraud (the page refuses anyone else)
    assert all(
        a.user.has_perm("claims.review_fraud")
        for a in accesses
        if resolve(a.page).view_name == "backoffice:fraud-claim"
    )
    # an approver who says they checked the ER invoice had one to check, on the claim
    from payouts.models import ApprovalRequest

    checked = ApprovalRequest.objects.filter(note__contains="ER invoice")
    assert checked.count() >= 2
    for request in checked:
        assert request.claim.evidence.filter(kind="medical_bill").exists(), request.claim
    # and so does one who checked the urgent-care invoice (the claims the seller's side pays)
    urgent = ApprovalRequest.objects.filter(note__contains="Urgent-care invoice")
    assert urgent.exists()
    for request in urgent:
        bills = request.claim.evidence.filter(kind="medical_bill")
        assert list(bills.values_list("original_name", flat=True)) == ["urgent-care-invoice.pdf"], (
            request.claim
        )


def test_seed_demo_is_deterministic_and_runs_once(capsys):
    call_command("seed_demo")
    first = list(
        Claim.objects.order_by("reference").values_list(
            "reference", "status", "claimed_total_minor"
        )
    )
    events = ClaimEvent.objects.count()
    call_command("seed_demo")
    assert "already there" in capsys.readouterr().out
    assert ClaimEvent.objects.count() == events
    assert first == list(
        Claim.objects.order_by("reference").values_list(
            "reference", "status", "claimed_total_minor"
        )
    )
    # The demo customer's own order keeps a line free to file a claim on.
    assert not Claim.objects.filter(order_line__order__number=DEMO_ORDER_NUMBER).exists()


def _assert_safety_demo():
    """An alert per regulator, one near its deadline, one filed, a recall matched (issue 17)."""
    import datetime as dt

    from django.utils import timezone

    from safety.models import RecallMatch, SafetyAlert

    live = SafetyAlert.objects.filter(status__in=["open", "investigating"])
    assert set(live.values_list("regulator__code", flat=True)) == {
        "cpsc",
        "health-canada",
        "eu-gpsr",
        "uk-opss",
    }
    now = timezone.now()
    assert live.filter(report_due__gt=now, report_due__lt=now + dt.timedelta(hours=6)).exists()
    filed = SafetyAlert.objects.get(status="filed")
    assert filed.filed_reference and filed.filed_at <= filed.report_due
    match = RecallMatch.objects.select_related("product").get(recall__number="26-901")
    assert match.product.title == "Space heater 1500W" and match.matched_on == "gtin"
    assert live.filter(product=match.product, recall__number="26-901").exists()


def test_every_demo_claim_that_reached_its_seller_was_notified(capsys, client):
    """The staff workspace offers "Send the seller a new link…" on every claim past fraud
    review; the link page then refused it on the demo's later claims ("The seller has not been
    told about this claim yet"): the claims the other regions' and the party payments' demos
    sent to their sellers had no notice, as if never sent."""
    from django.contrib.auth import get_user_model

    from sellers.models import SellerNotice

    call_command("seed_demo")
    reached = set(
        ClaimEvent.objects.filter(to_status=ClaimStatus.AWAITING_SELLER).values_list(
            "claim_id", flat=True
        )
    )
    assert reached
    assert reached == set(SellerNotice.objects.values_list("claim_id", flat=True))
    # Through the page where it was found: a German claim awaiting its seller.
    claim = (
        Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER, region__code="DE").first()
        or Claim.objects.filter(status=ClaimStatus.AWAITING_SELLER).last()
    )
    client.force_login(get_user_model().objects.get(username="agent"))
    page = client.get(f"/staff/claims/{claim.pk}/seller-link/")
    assert page.status_code == 200
    assert b"has not been told" not in page.content
    assert b'name="how" value="email"' in page.content
